import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CallFailure,
  RPC_ERROR_CODES,
  RpcError,
  parseWireErrorCode,
  wireErrorCode,
} from '../../../src/ocpp/rpc/index.js';

test('R-J8 - 1.6 wire spellings: FormationViolation, OccurenceConstraintViolation', () => {
  assert.is(wireErrorCode('FormatViolation', 'ocpp1.6'), 'FormationViolation');
  assert.is(wireErrorCode('OccurrenceConstraintViolation', 'ocpp1.6'), 'OccurenceConstraintViolation');
  assert.is(wireErrorCode('TypeConstraintViolation', 'ocpp1.6'), 'TypeConstraintViolation');
  assert.is(wireErrorCode('NotImplemented', 'ocpp1.6'), 'NotImplemented');
});

test('R-J8 - codes 1.6 lacks: RpcFrameworkError → FormationViolation, MessageTypeNotSupported → GenericError', () => {
  assert.is(wireErrorCode('RpcFrameworkError', 'ocpp1.6'), 'FormationViolation');
  assert.is(wireErrorCode('MessageTypeNotSupported', 'ocpp1.6'), 'GenericError');
});

test('R-J8 - 2.0.1 and 2.1 send every canonical code unchanged', () => {
  for (const code of RPC_ERROR_CODES) {
    assert.is(wireErrorCode(code, 'ocpp2.0.1'), code);
    assert.is(wireErrorCode(code, 'ocpp2.1'), code);
  }
});

test('R-J8 - both spellings parse to the canonical code; unknown codes give null', () => {
  assert.is(parseWireErrorCode('FormationViolation'), 'FormatViolation');
  assert.is(parseWireErrorCode('FormatViolation'), 'FormatViolation');
  assert.is(parseWireErrorCode('OccurenceConstraintViolation'), 'OccurrenceConstraintViolation');
  assert.is(parseWireErrorCode('OccurrenceConstraintViolation'), 'OccurrenceConstraintViolation');
  for (const code of RPC_ERROR_CODES) assert.is(parseWireErrorCode(code), code);
  assert.is(parseWireErrorCode('formatviolation'), null);
  assert.is(parseWireErrorCode('Whatever'), null);
});

test('RpcError.fromWire keeps the wire code and maps unknown codes to GenericError', () => {
  const e = RpcError.fromWire('OccurenceConstraintViolation', 'missing idTag', { path: '/idTag' });
  assert.is(e.code, 'OccurrenceConstraintViolation');
  assert.is(e.wireCode, 'OccurenceConstraintViolation');
  assert.is(e.description, 'missing idTag');
  assert.equal(e.details, { path: '/idTag' });
  assert.is(e.message, 'OccurrenceConstraintViolation: missing idTag');
  const u = RpcError.fromWire('VendorSpecificError', '', {});
  assert.is(u.code, 'GenericError');
  assert.is(u.wireCode, 'VendorSpecificError');
});

test('CallFailure carries kind, code, action, id and issue', () => {
  const issue = { code: 'TypeConstraintViolation' as const, message: 'interval must be an integer', path: '/interval' };
  const f = new CallFailure('invalidResponse', 'BootNotification', { messageId: 'abc', issue });
  assert.is(f.kind, 'invalidResponse');
  assert.is(f.code, 'invalidResponse');
  assert.is(f.action, 'BootNotification');
  assert.is(f.messageId, 'abc');
  assert.equal(f.issue, issue);
  assert.is(f.message, 'BootNotification: the CALLRESULT payload is not valid for the action (interval must be an integer)');
  assert.ok(f instanceof Error);
});

test.run();
