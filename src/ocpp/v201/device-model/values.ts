/**
 * Checking a value written to a 2.0.1 variable against its data type, characteristics and write
 * rules (part 2 §2.1.4 primitive data types; B05.FR.07/08), and putting it into canonical form.
 *
 * Owns: the answer's reason (a reason code of the 2.0.1 appendix — InvalidValue, ValueOutOfRange
 * — and a plain sentence naming the variable). Must not: apply anything; storing is the caller's.
 */
import type { StatusInfoType } from '../../schemas/generated/v201/types.js';
import { variableLabelOf as variableLabel } from './address.js';
import type { VariableDef } from './model.js';

export type ValueCheck = { ok: true; value: string } | { ok: false; info: StatusInfoType };

const INTEGER = /^-?(0|[1-9]\d*)$/;
const DECIMAL = /^-?(0|[1-9]\d*)(\.\d{1,6})?$/;
/** RFC 3339 date-time with at most 3 fractional digits (part 2 §2.1.4). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
/** StatusInfoType.additionalInfo is string[512]. */
const MAX_INFO_LENGTH = 512;

function fail(reasonCode: 'InvalidValue' | 'ValueOutOfRange', additionalInfo: string): ValueCheck {
  return { ok: false, info: { reasonCode, additionalInfo: additionalInfo.slice(0, MAX_INFO_LENGTH) } };
}

function checkNumber(v: VariableDef, raw: string, integer: boolean): ValueCheck {
  const label = variableLabel(v);
  if (!(integer ? INTEGER : DECIMAL).test(raw)) {
    return fail(
      'InvalidValue',
      integer ? `${label} must be a whole number` : `${label} must be a decimal number (at most 6 decimals)`,
    );
  }
  const n = Number(raw);
  if (integer && (n < INT32_MIN || n > INT32_MAX)) return fail('ValueOutOfRange', `${label} must fit in 32 bits`);
  const { minLimit, maxLimit } = v.characteristics;
  if (minLimit !== undefined && n < minLimit) return fail('ValueOutOfRange', `${label} must be at least ${minLimit}`);
  if (maxLimit !== undefined && n > maxLimit) return fail('ValueOutOfRange', `${label} must be at most ${maxLimit}`);
  return { ok: true, value: String(n) };
}

function checkList(v: VariableDef, raw: string): ValueCheck {
  const label = variableLabel(v);
  // '' is the empty list; otherwise every comma-separated member must be there ("a,,b" is not a list).
  const items = raw.trim() === '' ? [] : raw.split(',').map((x) => x.trim());
  if (items.includes('')) return fail('InvalidValue', `${label} has an empty member`);
  if (items.length === 0 && v.rules?.nonEmpty) return fail('InvalidValue', `${label} needs at least one member`);
  const allowed = v.characteristics.valuesList;
  for (const item of items) {
    if (allowed && !allowed.includes(item)) {
      return fail('InvalidValue', `${label}: "${item}" is not supported (supported: ${allowed.join(',')})`);
    }
    if (v.rules?.pattern && !v.rules.pattern.test(item)) return fail('InvalidValue', `${label}: "${item}" has the wrong format`);
  }
  if (new Set(items).size !== items.length) return fail('InvalidValue', `${label} lists a member twice`);
  const value = items.join(',');
  const max = v.characteristics.maxLimit;
  if (max !== undefined && value.length > max) return fail('ValueOutOfRange', `${label} must be at most ${max} characters`);
  return { ok: true, value };
}

function checkString(v: VariableDef, raw: string): ValueCheck {
  const label = variableLabel(v);
  const length = [...raw].length;
  const max = v.characteristics.maxLimit;
  if (max !== undefined && length > max) return fail('ValueOutOfRange', `${label} must be at most ${max} characters`);
  const min = v.rules?.minLength;
  if (min !== undefined && length < min) return fail('ValueOutOfRange', `${label} must be at least ${min} characters`);
  if (v.rules?.pattern && !v.rules.pattern.test(raw)) return fail('InvalidValue', `${label} has the wrong format`);
  return { ok: true, value: raw };
}

/** Check `raw` for variable `v`; on success `value` is the canonical text to store and report. */
export function checkValue(v: VariableDef, raw: string): ValueCheck {
  const label = variableLabel(v);
  let result: ValueCheck;
  switch (v.characteristics.dataType) {
    case 'boolean': {
      const s = raw.trim().toLowerCase();
      result = s === 'true' || s === 'false' ? { ok: true, value: s } : fail('InvalidValue', `${label} must be true or false`);
      break;
    }
    case 'integer':
      result = checkNumber(v, raw.trim(), true);
      break;
    case 'decimal':
      result = checkNumber(v, raw.trim(), false);
      break;
    case 'dateTime':
      result =
        DATE_TIME.test(raw) && Number.isFinite(Date.parse(raw))
          ? { ok: true, value: raw }
          : fail('InvalidValue', `${label} must be an RFC 3339 date-time, e.g. 2026-03-29T01:00:00Z`);
      break;
    case 'OptionList': {
      const allowed = v.characteristics.valuesList ?? [];
      result = allowed.includes(raw)
        ? { ok: true, value: raw }
        : fail('InvalidValue', `${label} must be one of ${allowed.join(',')}`);
      break;
    }
    case 'MemberList':
    case 'SequenceList':
      result = checkList(v, raw);
      break;
    case 'string':
      result = checkString(v, raw);
      break;
  }
  if (result.ok && v.rules?.check) {
    const why = v.rules.check(result.value);
    if (why !== null) return fail('InvalidValue', `${label}: ${why}`);
  }
  return result;
}
