/**
 * Translates the first ajv error of a failed validation into a ValidationIssue: the OCPP-J error
 * code recommended by ocpp-rules R-J9 and a plain-words message that names the field.
 *
 * Owns: the keyword → code table and the message wording (`/idTag: must be at most 20 characters`).
 * Messages are at most 255 characters and never echo payload values, only field names.
 * Must not: validate anything itself or know protocol versions.
 */

import type { CanonicalErrorCode } from './error-codes.js';
import type { CompiledError } from './validator-types.js';

export interface ValidationIssue {
  code: CanonicalErrorCode;
  /** `<JSON pointer>: <problem>`, ≤ MAX_MESSAGE_LENGTH characters */
  message: string;
  /** JSON pointer (RFC 6901) of the offending field; '' is the payload itself */
  path: string;
}

export const MAX_MESSAGE_LENGTH = 255;
const MAX_POINTER_IN_MESSAGE = 120;
const MAX_LIST_IN_MESSAGE = 150;

/** R-J9: which OCPP-J code a failing JSON-schema keyword maps to; unlisted keywords → FormatViolation. */
export const KEYWORD_CODES: Readonly<Record<string, CanonicalErrorCode>> = {
  required: 'OccurrenceConstraintViolation',
  minItems: 'OccurrenceConstraintViolation',
  maxItems: 'OccurrenceConstraintViolation',
  type: 'TypeConstraintViolation',
  enum: 'PropertyConstraintViolation',
  const: 'PropertyConstraintViolation',
  maxLength: 'PropertyConstraintViolation',
  minLength: 'PropertyConstraintViolation',
  maximum: 'PropertyConstraintViolation',
  minimum: 'PropertyConstraintViolation',
  exclusiveMaximum: 'PropertyConstraintViolation',
  exclusiveMinimum: 'PropertyConstraintViolation',
  format: 'PropertyConstraintViolation',
  pattern: 'PropertyConstraintViolation',
  multipleOf: 'PropertyConstraintViolation',
  additionalProperties: 'FormatViolation',
};

const FORMAT_HINTS: Readonly<Record<string, string>> = {
  'date-time': 'an RFC 3339 date-time with time zone, e.g. 2024-01-31T12:00:00Z',
  uri: 'an absolute URI',
};

export function codeForKeyword(keyword: string): CanonicalErrorCode {
  return Object.hasOwn(KEYWORD_CODES, keyword) ? (KEYWORD_CODES[keyword] as CanonicalErrorCode) : 'FormatViolation';
}

/** RFC 6901 escaping of one reference token. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function issueFromError(error: CompiledError, payload: unknown): ValidationIssue {
  const params = error.params;
  let path = error.instancePath;
  let problem: string;
  switch (error.keyword) {
    case 'required':
      path += `/${escapePointerToken(String(params['missingProperty']))}`;
      problem = 'required property missing';
      break;
    case 'additionalProperties':
      path += `/${escapePointerToken(String(params['additionalProperty']))}`;
      problem = 'property not allowed';
      break;
    case 'type':
      problem = `must be ${String(params['type'])}, got ${jsonTypeOf(valueAt(payload, path))}`;
      break;
    case 'enum':
      problem = `must be one of ${listValues(params['allowedValues'])}`;
      break;
    case 'const':
      problem = `must be ${clip(JSON.stringify(params['allowedValue']) ?? 'the constant', MAX_LIST_IN_MESSAGE)}`;
      break;
    case 'maxLength':
      problem = `must be at most ${String(params['limit'])} characters`;
      break;
    case 'minLength':
      problem = `must be at least ${String(params['limit'])} characters`;
      break;
    case 'maximum':
      problem = `must be at most ${String(params['limit'])}`;
      break;
    case 'minimum':
      problem = `must be at least ${String(params['limit'])}`;
      break;
    case 'exclusiveMaximum':
      problem = `must be less than ${String(params['limit'])}`;
      break;
    case 'exclusiveMinimum':
      problem = `must be greater than ${String(params['limit'])}`;
      break;
    case 'multipleOf':
      problem = `must be a multiple of ${String(params['multipleOf'])}`;
      break;
    case 'format': {
      const format = String(params['format']);
      problem = `must be ${FORMAT_HINTS[format] ?? `a valid ${format}`}`;
      break;
    }
    case 'pattern':
      problem = `must match the pattern ${clip(String(params['pattern']), MAX_LIST_IN_MESSAGE)}`;
      break;
    case 'minItems':
      problem = `must have at least ${String(params['limit'])} item(s)`;
      break;
    case 'maxItems':
      problem = `must have at most ${String(params['limit'])} item(s)`;
      break;
    default:
      problem = `does not satisfy the schema keyword "${clip(error.keyword, 40)}"`;
  }
  return { code: codeForKeyword(error.keyword), message: formatMessage(path, problem), path };
}

/** A free-text message made safe to send: one line, at most MAX_MESSAGE_LENGTH characters. */
export function limitMessage(text: string): string {
  return clip(printable(text), MAX_MESSAGE_LENGTH);
}

export function formatMessage(path: string, problem: string): string {
  const where = path === '' ? '(payload)' : clip(printable(path), MAX_POINTER_IN_MESSAGE);
  return clip(`${where}: ${problem}`, MAX_MESSAGE_LENGTH);
}

/** JSON type name of a value, as JSON Schema spells it (integers are "number"). */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value === undefined) return 'nothing';
  return typeof value === 'object' ? 'object' : typeof value;
}

function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let current: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, token)) return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

function listValues(values: unknown): string {
  if (!Array.isArray(values)) return 'the allowed values';
  return clip(values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', '), MAX_LIST_IN_MESSAGE);
}

/** Control characters in field names (attacker-chosen) are shown as \uXXXX so messages stay one line. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
