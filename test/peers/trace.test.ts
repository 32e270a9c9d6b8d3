// formatMessage: exact column layout, trimming to the width, colours only when asked.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatEvent, formatMessage, formatTime } from './trace.js';
import type { RecordedMessage } from './types.js';

const AT = new Date(2025, 0, 2, 3, 4, 5, 6).getTime(); // local time 03:04:05.006

function message(over: Partial<RecordedMessage>): RecordedMessage {
  return {
    seq: 0, at: AT, identity: 'CP-1', connection: 0, direction: 'cs→csms', type: 'CALL', id: 'a1',
    action: 'StatusNotification', payload: { connectorId: 1, status: 'Available' }, protocol: 'ocpp1.6', raw: '',
    ...over,
  };
}

test('formatTime is local hh:mm:ss.mmm', () => {
  assert.is(formatTime(AT), '03:04:05.006');
});

test('a CALL line: aligned columns, compact JSON', () => {
  assert.is(
    formatMessage(message({}), { color: false, width: 200 }),
    '03:04:05.006  CS → CSMS  CALL        StatusNotification            {"connectorId":1,"status":"Available"}',
  );
});

test('results align with calls; CALLERROR shows code, description and non-empty details', () => {
  const result = formatMessage(message({ direction: 'csms→cs', type: 'CALLRESULT', payload: {} }), { color: false, width: 200 });
  assert.is(result, '03:04:05.006  CSMS → CS  CALLRESULT  StatusNotification            {}');
  const error = formatMessage(message({
    direction: 'csms→cs', type: 'CALLERROR', payload: {}, errorCode: 'FormationViolation', errorDescription: 'bad',
  }), { color: false, width: 200 });
  assert.is(error, '03:04:05.006  CSMS → CS  CALLERROR   StatusNotification            FormationViolation "bad"');
  const withDetails = formatMessage(message({ type: 'CALLERROR', payload: { k: 1 }, errorCode: 'GenericError', errorDescription: '' }), { color: false, width: 200 });
  assert.ok(withDetails.endsWith('GenericError "" {"k":1}'));
});

test('trimmed to the width with an ellipsis; invalid messages are flagged; identity column optional', () => {
  const long = formatMessage(message({ payload: { text: 'x'.repeat(300) } }), { color: false, width: 100 });
  assert.is(long.length, 100);
  assert.ok(long.endsWith('…'));
  const flagged = formatMessage(message({ invalid: 'TypeConstraintViolation: data/connectorId must be integer' }), { color: false, width: 200 });
  assert.ok(flagged.includes('StatusNotification            ✗ TypeConstraintViolation: data/connectorId must be integer  {"connectorId":1'));
  const invalid = formatMessage(message({ type: 'INVALID', action: '', raw: 'hello' }), { color: false, width: 200 });
  assert.is(invalid, '03:04:05.006  CS → CSMS  INVALID     ?                             hello');
  assert.ok(formatMessage(message({}), { color: false, width: 200, identity: true }).startsWith('03:04:05.006  CP-1  CS → CSMS  CALL'));
});

test('colours only when asked; the visible text is unchanged', () => {
  const plain = formatMessage(message({}), { color: false, width: 200 });
  const coloured = formatMessage(message({}), { color: true, width: 200 });
  assert.ok(coloured.includes('\x1b[36mCS → CSMS\x1b[0m'));
  assert.is(coloured.replace(/\x1b\[\d+m/g, ''), plain);
  assert.not.ok(plain.includes('\x1b['));
  assert.is(formatEvent(AT, 'CP-1 connected', { color: false, width: 200 }), '03:04:05.006  ── CP-1 connected');
});

test.run();
