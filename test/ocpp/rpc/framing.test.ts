import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  answerToProblem,
  parseFrame,
  serializeCall,
  serializeCallError,
  serializeCallResult,
  type FrameProblem,
  type ParsedFrame,
} from '../../../src/ocpp/rpc/index.js';
import { BINARY_FRAME, truncate } from '../../../src/ocpp/rpc/framing.js';

function problemOf(p: ParsedFrame): FrameProblem {
  if (p.ok) throw new Error(`expected a problem, got ${JSON.stringify(p.frame)}`);
  return p.problem;
}

test('R-J3 - CALL, CALLRESULT and CALLERROR parse into their frames', () => {
  assert.equal(parseFrame('[2,"19223201","BootNotification",{"reason":"PowerUp"}]'), {
    ok: true,
    frame: { type: 2, messageId: '19223201', action: 'BootNotification', payload: { reason: 'PowerUp' } },
  });
  assert.equal(parseFrame('[3,"19223201",{"status":"Accepted"}]'), {
    ok: true,
    frame: { type: 3, messageId: '19223201', payload: { status: 'Accepted' } },
  });
  assert.equal(parseFrame('[4,"162376037","NotSupported","SetDisplayMessageRequest not implemented",{}]'), {
    ok: true,
    frame: {
      type: 4,
      messageId: '162376037',
      errorCode: 'NotSupported',
      errorDescription: 'SetDisplayMessageRequest not implemented',
      errorDetails: {},
    },
  });
});

test('R-J3 - serialization: empty payload {}, CALLERROR description "" and details {} when absent', () => {
  assert.is(serializeCall('a1', 'Heartbeat', {}), '[2,"a1","Heartbeat",{}]');
  assert.is(serializeCallResult('a1', {}), '[3,"a1",{}]');
  assert.is(serializeCallError('a1', 'NotSupported', undefined, undefined, 'ocpp2.0.1'), '[4,"a1","NotSupported","",{}]');
  assert.is(serializeCallError('a1', 'GenericError', 'x', { n: 1 }, 'ocpp2.0.1'), '[4,"a1","GenericError","x",{"n":1}]');
});

test('R-J8 - CALLERROR uses the spelling of the negotiated version', () => {
  assert.is(serializeCallError('a', 'FormatViolation', '', {}, 'ocpp1.6'), '[4,"a","FormationViolation","",{}]');
  assert.is(serializeCallError('a', 'FormatViolation', '', {}, 'ocpp2.0.1'), '[4,"a","FormatViolation","",{}]');
  assert.is(
    serializeCallError('a', 'OccurrenceConstraintViolation', '', {}, 'ocpp1.6'),
    '[4,"a","OccurenceConstraintViolation","",{}]',
  );
});

test('201-J 4.2.3 - CALLERROR description is cut to 255 characters without splitting a surrogate pair', () => {
  const long = 'é'.repeat(300);
  const parsed = JSON.parse(serializeCallError('a', 'InternalError', long, {}, 'ocpp2.0.1')) as unknown[];
  assert.is(parsed[3], 'é'.repeat(255));
  const emoji = '😀'.repeat(200);
  const cut = truncate(emoji, 255);
  assert.is(Array.from(cut).length, 200);
  assert.is(truncate('😀'.repeat(300), 255), '😀'.repeat(255));
  assert.is(truncate('short', 255), 'short');
});

test('R-J9 - not JSON, not an array, unreadable id → "-1" RpcFrameworkError (1.6 FormationViolation)', () => {
  const cases: Array<[string, string]> = [
    ['{not json', 'message is not valid JSON'],
    ['{"a":1}', 'message is not a JSON array'],
    ['"text"', 'message is not a JSON array'],
    ['[2,17,"Reset",{}]', 'message id must be a string of 1 to 36 characters'],
    ['[2,"","Reset",{}]', 'message id must be a string of 1 to 36 characters'],
    [`[2,"${'x'.repeat(37)}","Reset",{}]`, 'message id must be a string of 1 to 36 characters'],
    ['[3,null,{}]', 'message id must be a string of 1 to 36 characters'],
  ];
  for (const [text, description] of cases) {
    const p = problemOf(parseFrame(text));
    assert.is(p.messageId, '-1', text);
    assert.is(p.code, 'RpcFrameworkError', text);
    assert.is(p.description, description, text);
    assert.is(answerToProblem(p, 'ocpp2.0.1'), `[4,"-1","RpcFrameworkError","${description}",{}]`);
    assert.is(answerToProblem(p, 'ocpp1.6'), `[4,"-1","FormationViolation","${description}",{}]`);
  }
});

test('201-J 4.2.3 - the answer never embeds the received text', () => {
  const evil = '[2,"id", "Reset", {"a": "\\u0000</script>"} oops';
  const p = problemOf(parseFrame(evil));
  const answer = answerToProblem(p, 'ocpp2.0.1') ?? '';
  assert.not.ok(answer.includes('script'));
  assert.not.ok(answer.includes('oops'));
  JSON.parse(answer);
});

test('message type not an integer → RpcFrameworkError with the readable id, answered in both versions', () => {
  const p = problemOf(parseFrame('["2","abc","Reset",{}]'));
  assert.is(p.reason, 'badMessageTypeId');
  assert.is(answerToProblem(p, 'ocpp2.0.1'), '[4,"abc","RpcFrameworkError","message type number is missing or not an integer",{}]');
  assert.is(answerToProblem(p, 'ocpp1.6'), '[4,"abc","FormationViolation","message type number is missing or not an integer",{}]');
  const q = problemOf(parseFrame('[]'));
  assert.is(q.messageId, '-1');
});

test('R-J12 - unknown message type: 2.0.1 answers MessageTypeNotSupported, 1.6 and 2.1 ignore', () => {
  const p = problemOf(parseFrame('[7,"m7",{}]'));
  assert.is(p.reason, 'unknownMessageType');
  assert.is(p.messageTypeId, 7);
  assert.is(answerToProblem(p, 'ocpp2.0.1'), '[4,"m7","MessageTypeNotSupported","message type number 7 is not supported",{}]');
  assert.is(answerToProblem(p, 'ocpp1.6'), null);
  assert.is(answerToProblem(p, 'ocpp2.1'), null);
  const q = problemOf(parseFrame('[5,42]'));
  assert.is(answerToProblem(q, 'ocpp2.0.1'), '[4,"-1","MessageTypeNotSupported","message type number 5 is not supported",{}]');
});

test('R-J9 - malformed CALL with a readable id → FormatViolation with that id', () => {
  const cases: Array<[string, string, string]> = [
    ['[2,"c1","Reset"]', 'badArity', 'CALL must have 4 elements, got 3'],
    ['[2,"c2","Reset",{},{}]', 'badArity', 'CALL must have 4 elements, got 5'],
    ['[2,"c3",5,{}]', 'badAction', 'CALL action must be a non-empty string'],
    ['[2,"c4","",{}]', 'badAction', 'CALL action must be a non-empty string'],
    ['[2,"c5","Reset",[]]', 'badPayload', 'CALL payload must be a JSON object'],
    ['[2,"c6","Reset",null]', 'badPayload', 'CALL payload must be a JSON object'],
    ['[2,"c7","Reset","{}"]', 'badPayload', 'CALL payload must be a JSON object'],
  ];
  for (const [text, reason, description] of cases) {
    const p = problemOf(parseFrame(text));
    const id = (JSON.parse(text) as unknown[])[1] as string;
    assert.is(p.reason, reason, text);
    assert.is(answerToProblem(p, 'ocpp2.0.1'), `[4,"${id}","FormatViolation","${description}",{}]`);
    assert.is(answerToProblem(p, 'ocpp1.6'), `[4,"${id}","FormationViolation","${description}",{}]`);
  }
});

test('R-J7 - a malformed CALLRESULT / CALLERROR with a readable id is never answered', () => {
  for (const text of ['[3,"r1"]', '[3,"r1",null]', '[3,"r1",[]]', '[4,"e1","GenericError",""]', '[4,"e1",7,"",{}]', '[4,"e1","X",null,{}]', '[4,"e1","X","",[]]']) {
    const p = problemOf(parseFrame(text));
    assert.is(answerToProblem(p, 'ocpp2.0.1'), null, text);
    assert.is(answerToProblem(p, 'ocpp1.6'), null, text);
  }
});

test('binary frames are refused like unreadable frames', () => {
  const p = problemOf(BINARY_FRAME);
  assert.is(answerToProblem(p, 'ocpp2.0.1'), '[4,"-1","RpcFrameworkError","binary WebSocket frames are not used by OCPP-J",{}]');
});

test.run();
