/**
 * The vocabulary of the OCPP 2.0.1 device model declaration: components, variables, attributes,
 * characteristics, where a value lives, the message limits evsed announces, and the helpers the
 * declarations in controllers.ts and infrastructure.ts are written with (a variable derived from
 * a station setting, a live value, a constant, a stored value).
 *
 * Must not: declare the station's components (catalog.ts, controllers.ts, infrastructure.ts do),
 * read or write values (DeviceModel does).
 */
import type { Config } from '../../../config/types.js';
import type { Clock } from '../../../domain/clock.js';
import { SETTINGS_BY_KEY, type SettingDef } from '../../../domain/settings-catalog.js';
import type { Settings } from '../../../domain/settings.js';
import type { StationRuntime } from '../../../domain/station.js';
import type { AttributeEnumType, DataEnumType, MutabilityEnumType } from '../../schemas/generated/v201/types.js';

export type Mutability = MutabilityEnumType;
export type DataType = DataEnumType;
export type AttributeType = AttributeEnumType;

/** Where the value of one attribute lives (the rule is in catalog.ts). */
export type ValueSource =
  { kind: 'setting'; key: string } | { kind: 'stored'; initial: string } | { kind: 'live'; read: () => string };

export interface AttributeDef {
  type: AttributeType;
  source: ValueSource;
}

export interface Characteristics {
  dataType: DataType;
  unit?: string;
  /** Numbers: smallest value. */
  minLimit?: number;
  /** Numbers: largest value; strings and lists: longest (CSV) text. */
  maxLimit?: number;
  /** OptionList / MemberList / SequenceList: the allowed members. */
  valuesList?: readonly string[];
}

/** Checks of written values beyond what the characteristics say. */
export interface WriteRules {
  /** Strings: shortest value (characters). */
  minLength?: number;
  /** Strings: the whole value; lists: each member. */
  pattern?: RegExp;
  /** Lists: at least one member. */
  nonEmpty?: boolean;
  /** Further check of the normalised value; returns why it is not acceptable, or null. */
  check?: (value: string) => string | null;
}

export interface VariableDef {
  name: string;
  instance?: string;
  /** Other spellings accepted on Get/Set (never reported), e.g. where the spec spells a name twice. */
  aliases?: readonly string[];
  mutability: Mutability;
  characteristics: Characteristics;
  rules?: WriteRules;
  /** Usually just Actual. */
  attributes: readonly AttributeDef[];
  /** VariableAttribute.persistent: the value survives a reboot. */
  persistent: boolean;
  /** VariableAttribute.constant: the station never changes the value at run time. */
  constant: boolean;
}

export interface ComponentDef {
  name: string;
  instance?: string;
  evse?: { id: number; connectorId?: number };
  variables: readonly VariableDef[];
}

/** Message limits evsed announces in DeviceDataCtrlr and enforces on GetVariables/SetVariables/GetReport. */
export const DM_LIMITS = {
  getVariablesItems: 50,
  setVariablesItems: 50,
  /** componentVariable entries in a GetReportRequest, and reportData entries per NotifyReportRequest. */
  getReportItems: 50,
  bytesPerMessage: 65_536,
  /** SetVariableData.attributeValue / valuesList (the schema's own limit). */
  configurationValueSize: 1000,
  /** GetVariableResult.attributeValue / VariableAttribute.value (the schema's own limit). */
  reportingValueSize: 2500,
} as const;

/** What live values are read from. */
export interface CatalogSources {
  settings: Settings;
  runtime: StationRuntime;
  config: Config;
  clock: Clock;
  localListEntries: () => number;
  /** Charging profiles installed now (SmartChargingCtrlr.Entries[ChargingProfiles]). */
  chargingProfileEntries: () => number;
  /** Largest OCPP-J frame the transport accepts, bytes. */
  maxFrameBytes: number;
}

export type DeviceModelCatalogErrorCode = 'EVSED_DM_CATALOG';

/** A programming error in the declaration (unknown setting key, duplicate address); thrown at start. */
export class DeviceModelCatalogError extends Error {
  readonly code: DeviceModelCatalogErrorCode = 'EVSED_DM_CATALOG';
  constructor(message: string) {
    super(message);
    this.name = 'DeviceModelCatalogError';
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers for the declarations in controllers.ts and infrastructure.ts.

export interface VariableOptions {
  instance?: string;
  aliases?: readonly string[];
  unit?: string;
  mutability?: Mutability;
  dataType?: DataType;
  minLimit?: number;
  maxLimit?: number;
  valuesList?: readonly string[];
  rules?: WriteRules;
}

function settingDef(key: string): SettingDef {
  const def = SETTINGS_BY_KEY.get(key);
  if (!def) throw new DeviceModelCatalogError(`device model refers to unknown setting ${key}`);
  return def;
}

/** Longest CSV a list of at most `maxItems` distinct members of `values` can make. */
export function longestCsv(values: readonly string[], maxItems = values.length): number {
  const lengths = values
    .map((v) => v.length)
    .sort((a, b) => b - a)
    .slice(0, maxItems);
  return lengths.reduce((sum, n) => sum + n, 0) + Math.max(0, lengths.length - 1);
}

/** A variable whose Actual value is the station setting `key`; type and limits come from the setting. */
export function fromSetting(name: string, key: string, o: VariableOptions = {}): VariableDef {
  const def = settingDef(key);
  const dataType: DataType =
    o.dataType ??
    (def.type === 'boolean'
      ? 'boolean'
      : def.type === 'integer'
        ? 'integer'
        : def.type === 'list'
          ? 'MemberList'
          : def.values
            ? 'OptionList'
            : 'string');
  const valuesList = o.valuesList ?? def.values;
  const maxLimit =
    o.maxLimit ??
    (def.type === 'integer'
      ? def.max
      : def.type === 'string'
        ? def.maxLength
        : valuesList
          ? longestCsv(valuesList, def.maxItems)
          : undefined);
  const minLimit = o.minLimit ?? (def.type === 'integer' ? def.min : undefined);
  const pattern = o.rules?.pattern ?? def.pattern;
  const rules: WriteRules = { ...o.rules, ...(pattern ? { pattern } : {}) };
  return {
    name,
    ...(o.instance !== undefined ? { instance: o.instance } : {}),
    ...(o.aliases ? { aliases: o.aliases } : {}),
    mutability: o.mutability ?? (def.writeOnly ? 'WriteOnly' : def.readonly ? 'ReadOnly' : 'ReadWrite'),
    characteristics: {
      dataType,
      ...(o.unit !== undefined ? { unit: o.unit } : {}),
      ...(minLimit !== undefined ? { minLimit } : {}),
      ...(maxLimit !== undefined ? { maxLimit } : {}),
      ...(valuesList ? { valuesList } : {}),
    },
    ...(Object.keys(rules).length > 0 ? { rules } : {}),
    attributes: [{ type: 'Actual', source: { kind: 'setting', key } }],
    persistent: true,
    constant: Boolean(def.readonly),
  };
}

/** A read-only variable read from the runtime, configuration or clock. */
export function live(
  name: string,
  dataType: DataType,
  read: () => string,
  o: Omit<VariableOptions, 'mutability' | 'dataType' | 'rules' | 'aliases'> & { constant?: boolean } = {},
): VariableDef {
  return {
    name,
    ...(o.instance !== undefined ? { instance: o.instance } : {}),
    mutability: 'ReadOnly',
    characteristics: {
      dataType,
      ...(o.unit !== undefined ? { unit: o.unit } : {}),
      ...(o.minLimit !== undefined ? { minLimit: o.minLimit } : {}),
      ...(o.maxLimit !== undefined ? { maxLimit: o.maxLimit } : {}),
      ...(o.valuesList ? { valuesList: o.valuesList } : {}),
    },
    attributes: [{ type: 'Actual', source: { kind: 'live', read } }],
    persistent: Boolean(o.constant),
    constant: Boolean(o.constant),
  };
}

/** A read-only value fixed by evsed or its configuration. */
export function constant(name: string, dataType: DataType, value: string, o: Parameters<typeof live>[3] = {}): VariableDef {
  return live(name, dataType, () => value, { ...o, constant: true });
}

/** A writable variable kept in the device model's own table, starting at `initial`. */
export function stored(
  name: string,
  dataType: DataType,
  initial: string,
  o: Omit<VariableOptions, 'mutability' | 'dataType'> = {},
): VariableDef {
  return {
    name,
    ...(o.instance !== undefined ? { instance: o.instance } : {}),
    ...(o.aliases ? { aliases: o.aliases } : {}),
    mutability: 'ReadWrite',
    characteristics: {
      dataType,
      ...(o.unit !== undefined ? { unit: o.unit } : {}),
      ...(o.minLimit !== undefined ? { minLimit: o.minLimit } : {}),
      ...(o.maxLimit !== undefined ? { maxLimit: o.maxLimit } : {}),
      ...(o.valuesList ? { valuesList: o.valuesList } : {}),
    },
    ...(o.rules ? { rules: o.rules } : {}),
    attributes: [{ type: 'Actual', source: { kind: 'stored', initial } }],
    persistent: true,
    constant: false,
  };
}
