/**
 * The OCPP 2.0.1 device model at run time: addressing, reading and writing variables of the
 * declared catalogue (catalog.ts) with the result enums of B05 / B06.
 *
 * Owns: resolving an address (unknown component, component instance, EVSE or connector →
 * UnknownComponent; known component, unknown variable → UnknownVariable; attribute the variable
 * lacks → NotSupportedAttributeType), the access rules (ReadOnly → Set Rejected, WriteOnly → Get
 * Rejected), value checks (values.ts) and where a written value goes: Settings for setting-backed
 * variables (so 1.6 sees the same value), the device model store for the rest. Shared by the
 * CSMS handlers (handlers.ts) and evsectl (technician.ts), so both run the same checks.
 * Must not: send messages, log (callers log with who asked), or keep values of its own.
 */
import type { Config } from '../../../config/types.js';
import type { Clock } from '../../../domain/clock.js';
import { formatSetting, type Settings } from '../../../domain/settings.js';
import type { StationRuntime } from '../../../domain/station.js';
import type { DeviceModelAddress, DeviceModelStore } from '../../../store/device-model.js';
import { RPC_DEFAULTS } from '../../rpc/index.js';
import type {
  ComponentType,
  GetVariableStatusEnumType,
  SetVariableStatusEnumType,
  StatusInfoType,
  VariableType,
} from '../../schemas/generated/v201/types.js';
import { componentKey, componentLabel, formatAddress, variableKey } from './address.js';
import { buildCatalog } from './catalog.js';
import {
  DeviceModelCatalogError,
  DM_LIMITS,
  type AttributeDef,
  type AttributeType,
  type ComponentDef,
  type VariableDef,
} from './model.js';
import { checkValue } from './values.js';

export interface DeviceModelOptions {
  settings: Settings;
  runtime: StationRuntime;
  config: Config;
  clock: Clock;
  store: DeviceModelStore;
  /** IdTokens in the local authorization list now (LocalAuthListCtrlr.Entries). */
  localListEntries: () => number;
  /** Charging profiles installed now (SmartChargingCtrlr.Entries[ChargingProfiles]). */
  chargingProfileEntries: () => number;
  /** Largest frame the transport accepts (LocalAuthListCtrlr.BytesPerMessage); default the transport's default. */
  maxFrameBytes?: number;
}

/** A variable of the catalogue, with its component. */
export interface Target {
  component: ComponentDef;
  variable: VariableDef;
}

export interface GetOutcome {
  status: GetVariableStatusEnumType;
  /** The attribute asked for (Actual when the request named none, B06.FR.11). */
  attributeType: AttributeType;
  /** Only when Accepted. */
  value?: string;
  statusInfo?: StatusInfoType;
  target?: Target;
}

export interface SetOutcome {
  status: SetVariableStatusEnumType;
  attributeType: AttributeType;
  statusInfo?: StatusInfoType;
  target?: Target;
  /** The canonical value that was (or would be) stored; secret for WriteOnly variables. */
  value?: string;
}

interface ComponentEntry {
  def: ComponentDef;
  variables: Map<string, VariableDef>;
}

type Resolved =
  { ok: true; target: Target } | { ok: false; status: 'UnknownComponent' | 'UnknownVariable'; statusInfo: StatusInfoType };

export class DeviceModel {
  /** Every component, in report order. */
  readonly catalog: readonly ComponentDef[];
  private readonly settings: Settings;
  private readonly store: DeviceModelStore;
  private readonly components = new Map<string, ComponentEntry>();

  constructor(o: DeviceModelOptions) {
    this.settings = o.settings;
    this.store = o.store;
    this.catalog = buildCatalog({
      settings: o.settings,
      runtime: o.runtime,
      config: o.config,
      clock: o.clock,
      localListEntries: o.localListEntries,
      chargingProfileEntries: o.chargingProfileEntries,
      maxFrameBytes: o.maxFrameBytes ?? RPC_DEFAULTS.maxPayloadBytes,
    });
    for (const def of this.catalog) {
      const key = componentKey(def);
      if (this.components.has(key)) throw new DeviceModelCatalogError(`component ${componentLabel(def)} declared twice`);
      const variables = new Map<string, VariableDef>();
      for (const v of def.variables) {
        for (const name of [v.name, ...(v.aliases ?? [])]) {
          const vk = variableKey(name, v.instance);
          if (variables.has(vk)) {
            const label = formatAddress({ component: def, variable: { name, ...(v.instance ? { instance: v.instance } : {}) } });
            throw new DeviceModelCatalogError(`variable ${label} declared twice`);
          }
          variables.set(vk, v);
        }
      }
      this.components.set(key, { def, variables });
    }
  }

  /** Every variable of the catalogue, in report order. */
  entries(): Target[] {
    return this.catalog.flatMap((component) => component.variables.map((variable) => ({ component, variable })));
  }

  /** The catalogue entry an address names, or why there is none. */
  resolve(component: ComponentType, variable: VariableType): Resolved {
    const entry = this.components.get(componentKey(component));
    if (!entry) {
      return {
        ok: false,
        status: 'UnknownComponent',
        statusInfo: { reasonCode: 'NotFound', additionalInfo: `no component ${componentLabel(component)}` },
      };
    }
    const v = entry.variables.get(variableKey(variable.name, variable.instance));
    if (!v) {
      return {
        ok: false,
        status: 'UnknownVariable',
        statusInfo: { reasonCode: 'NotFound', additionalInfo: `no variable ${formatAddress({ component, variable })}` },
      };
    }
    return { ok: true, target: { component: entry.def, variable: v } };
  }

  /** Get one attribute (B06). WriteOnly variables are Rejected and never yield a value (B06.FR.09). */
  get(component: ComponentType, variable: VariableType, attributeType: AttributeType = 'Actual'): GetOutcome {
    const r = this.resolve(component, variable);
    if (!r.ok) return { status: r.status, attributeType, statusInfo: r.statusInfo };
    const attribute = attributeOf(r.target.variable, attributeType);
    if (!attribute) return notSupported(r.target, attributeType);
    if (r.target.variable.mutability === 'WriteOnly') {
      return {
        status: 'Rejected',
        attributeType,
        target: r.target,
        statusInfo: { reasonCode: 'WriteOnly', additionalInfo: `${formatAddress(r.target)} is write-only` },
      };
    }
    const value = this.read(r.target, attribute).slice(0, DM_LIMITS.reportingValueSize);
    return { status: 'Accepted', attributeType, value, target: r.target };
  }

  /** Check a write without applying it: the outcome `set` would have. */
  check(component: ComponentType, variable: VariableType, value: string, attributeType: AttributeType = 'Actual'): SetOutcome {
    const r = this.resolve(component, variable);
    if (!r.ok) return { status: r.status, attributeType, statusInfo: r.statusInfo };
    const { target } = r;
    if (!attributeOf(target.variable, attributeType)) return notSupported(target, attributeType);
    if (target.variable.mutability === 'ReadOnly') {
      return {
        status: 'Rejected',
        attributeType,
        target,
        statusInfo: { reasonCode: 'ReadOnly', additionalInfo: `${formatAddress(target)} is read-only` },
      };
    }
    const checked = checkValue(target.variable, value);
    if (!checked.ok) return { status: 'Rejected', attributeType, target, statusInfo: checked.info };
    const attribute = attributeOf(target.variable, attributeType)!;
    if (attribute.source.kind === 'setting') {
      // The setting's own checks (1.6 view) must agree; a stricter 2.0.1 view has passed already.
      const s = this.settings.check(attribute.source.key, checked.value);
      if (s.status === 'Rejected' || s.status === 'NotSupported') {
        return {
          status: 'Rejected',
          attributeType,
          target,
          statusInfo: { reasonCode: 'InvalidValue', additionalInfo: s.reason ?? 'refused' },
        };
      }
      return { status: s.status, attributeType, target, value: checked.value };
    }
    return { status: 'Accepted', attributeType, target, value: checked.value };
  }

  /**
   * Check and apply one write (B05). The value is persisted before this returns: setting-backed
   * variables through Settings (listeners run, 1.6 sees it), others in the device model store.
   * A failure while applying (storage, or a listener of the setting) answers Rejected (B05.FR.09)
   * with reason InternalError and the error text.
   */
  set(component: ComponentType, variable: VariableType, value: string, attributeType: AttributeType = 'Actual'): SetOutcome {
    const outcome = this.check(component, variable, value, attributeType);
    if ((outcome.status !== 'Accepted' && outcome.status !== 'RebootRequired') || !outcome.target) return outcome;
    const { target } = outcome;
    const attribute = attributeOf(target.variable, attributeType)!;
    const canonical = outcome.value!;
    try {
      switch (attribute.source.kind) {
        case 'setting': {
          const r = this.settings.set(attribute.source.key, canonical);
          if (r.status === 'Rejected' || r.status === 'NotSupported') {
            return {
              status: 'Rejected',
              attributeType,
              target,
              statusInfo: { reasonCode: 'InvalidValue', additionalInfo: r.reason ?? 'refused' },
            };
          }
          return { ...outcome, status: r.status };
        }
        case 'stored':
          this.store.set(storeAddress(target, attributeType), canonical);
          return outcome;
        case 'live':
          // Declarations never make live values writable; reaching here is a catalogue bug.
          throw new DeviceModelCatalogError(`${formatAddress(target)} is live but not read-only`);
      }
    } catch (err) {
      if (err instanceof DeviceModelCatalogError) throw err;
      return {
        status: 'Rejected',
        attributeType,
        target,
        statusInfo: {
          reasonCode: 'InternalError',
          additionalInfo: `could not apply ${formatAddress(target)}: ${(err as Error).message}`.slice(0, 512),
        },
      };
    }
  }

  /** Current value of an attribute, WriteOnly ones included: callers must not report those. */
  read(target: Target, attribute: AttributeDef): string {
    const source = attribute.source;
    switch (source.kind) {
      case 'setting':
        return formatSetting(this.settings.get(source.key));
      case 'live':
        return source.read();
      case 'stored': {
        const saved = this.store.get(storeAddress(target, attribute.type));
        if (saved === undefined) return source.initial;
        // A value stored by an older catalogue that no longer passes falls back to the initial one.
        const checked = checkValue(target.variable, saved);
        return checked.ok ? checked.value : source.initial;
      }
    }
  }
}

function attributeTypes(v: VariableDef): string {
  return v.attributes.map((a) => a.type).join(', ');
}

function attributeOf(v: VariableDef, type: AttributeType): AttributeDef | undefined {
  return v.attributes.find((a) => a.type === type);
}

function notSupported(
  target: Target,
  attributeType: AttributeType,
): { status: 'NotSupportedAttributeType'; attributeType: AttributeType; target: Target; statusInfo: StatusInfoType } {
  return {
    status: 'NotSupportedAttributeType',
    attributeType,
    target,
    statusInfo: {
      reasonCode: 'UnsupportedParam',
      additionalInfo: `${formatAddress(target)} has no ${attributeType} attribute (has ${attributeTypes(target.variable)})`,
    },
  };
}

function storeAddress(t: Target, attribute: AttributeType): DeviceModelAddress {
  return {
    component: t.component.name,
    componentInstance: t.component.instance ?? '',
    evseId: t.component.evse?.id ?? 0,
    connectorId: t.component.evse?.connectorId ?? 0,
    variable: t.variable.name,
    variableInstance: t.variable.instance ?? '',
    attribute,
  };
}
