/**
 * The ajv error → ValidationIssue translation: R-J9 code table, message wording, JSON pointer
 * escaping and the 255-character limit, on synthetic error objects.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CANONICAL_ERROR_CODES, isCanonicalErrorCode } from '../../../src/ocpp/schemas/error-codes.js';
import { codeForKeyword, escapePointerToken, issueFromError, MAX_MESSAGE_LENGTH } from '../../../src/ocpp/schemas/issues.js';
import type { CompiledError } from '../../../src/ocpp/schemas/validator-types.js';

function err(keyword: string, instancePath: string, params: Record<string, unknown>): CompiledError {
  return { keyword, instancePath, schemaPath: '#/x', params };
}

test('R-J8 - canonical codes use the 2.0.1 spellings', () => {
  assert.equal([...CANONICAL_ERROR_CODES].sort(), [
    'FormatViolation',
    'GenericError',
    'InternalError',
    'MessageTypeNotSupported',
    'NotImplemented',
    'NotSupported',
    'OccurrenceConstraintViolation',
    'PropertyConstraintViolation',
    'ProtocolError',
    'RpcFrameworkError',
    'SecurityError',
    'TypeConstraintViolation',
  ]);
  assert.ok(isCanonicalErrorCode('FormatViolation'));
  assert.not.ok(isCanonicalErrorCode('FormationViolation'));
  assert.not.ok(isCanonicalErrorCode('OccurenceConstraintViolation'));
});

test('R-J9 - keyword to error code table', () => {
  const expected: Record<string, string> = {
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
    format: 'PropertyConstraintViolation',
    pattern: 'PropertyConstraintViolation',
    multipleOf: 'PropertyConstraintViolation',
    additionalProperties: 'FormatViolation',
    uniqueItems: 'FormatViolation',
    oneOf: 'FormatViolation',
    toString: 'FormatViolation',
  };
  for (const [keyword, code] of Object.entries(expected)) assert.is(codeForKeyword(keyword), code, keyword);
});

test('messages name the field and say the problem in plain words', () => {
  const payload = { a: { list: [{ n: '1' }] } };
  const cases: [CompiledError, string][] = [
    [err('required', '/a', { missingProperty: 'b' }), '/a/b: required property missing'],
    [err('additionalProperties', '', { additionalProperty: 'foo' }), '/foo: property not allowed'],
    [err('type', '/a/list/0/n', { type: 'integer' }), '/a/list/0/n: must be integer, got string'],
    [err('type', '/a/missing', { type: 'integer' }), '/a/missing: must be integer, got nothing'],
    [err('enum', '/s', { allowedValues: ['A', 'B'] }), '/s: must be one of A, B'],
    [err('const', '/s', { allowedValue: 'X' }), '/s: must be "X"'],
    [err('minLength', '/s', { limit: 1 }), '/s: must be at least 1 characters'],
    [err('maximum', '/n', { comparison: '<=', limit: 100 }), '/n: must be at most 100'],
    [err('minimum', '/n', { comparison: '>=', limit: 0 }), '/n: must be at least 0'],
    [err('exclusiveMinimum', '/n', { comparison: '>', limit: 0 }), '/n: must be greater than 0'],
    [err('pattern', '/id', { pattern: '^[^:]+$' }), '/id: must match the pattern ^[^:]+$'],
    [err('format', '/u', { format: 'uri' }), '/u: must be an absolute URI'],
    [err('format', '/e', { format: 'email' }), '/e: must be a valid email'],
    [err('maxItems', '/l', { limit: 4 }), '/l: must have at most 4 item(s)'],
    [err('uniqueItems', '/l', { i: 1, j: 0 }), '/l: does not satisfy the schema keyword "uniqueItems"'],
  ];
  for (const [error, message] of cases) assert.is(issueFromError(error, payload).message, message, error.keyword);
});

test('field names are escaped as JSON pointer tokens (RFC 6901)', () => {
  assert.is(escapePointerToken('a/b~c'), 'a~1b~0c');
  const issue = issueFromError(err('additionalProperties', '/x', { additionalProperty: 'a/b~c' }), {});
  assert.is(issue.path, '/x/a~1b~0c');
  assert.is(issue.message, '/x/a~1b~0c: property not allowed');
  const typed = issueFromError(err('type', '/a~1b', { type: 'string' }), { 'a/b': 5 });
  assert.is(typed.message, '/a~1b: must be string, got number');
});

test('messages stay within 255 characters and on one line, whatever the field names', () => {
  const long = issueFromError(err('additionalProperties', '', { additionalProperty: 'k'.repeat(1000) }), {});
  assert.ok(long.message.length <= MAX_MESSAGE_LENGTH, String(long.message.length));
  assert.ok(long.message.endsWith(': property not allowed'));
  assert.is(long.path.length, 1001);
  const control = issueFromError(err('additionalProperties', '', { additionalProperty: 'a\nb' }), {});
  assert.is(control.message, '/a\\u000ab: property not allowed');
  const manyValues = issueFromError(err('enum', '/e', { allowedValues: Array.from({ length: 200 }, (_, i) => `Value${i}`) }), {});
  assert.ok(manyValues.message.length <= MAX_MESSAGE_LENGTH);
  assert.match(manyValues.message, /^\/e: must be one of Value0, Value1, /);
});

test.run();
