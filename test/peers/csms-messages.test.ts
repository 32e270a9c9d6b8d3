// Tests of the test CSMS fixture itself — messages: strict-mode validation, recording of both
// directions, waitForCall, call() to the CS, sendRaw/rawReceived, silence(), handlers.
// The CS side is ocpp-rpc's RPCClient (strict mode off, so it can send invalid payloads) or plain ws.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CsmsCallError, neverAnswer, rpcError, TestCsms } from './csms.js';
import { closeRaw, connectRawCs, connectRpcCs } from './fake-cs.js';
import { isRpcError } from './rpc-types.js';

const BOOT_16 = { chargePointVendor: 'evsed-test', chargePointModel: 'fixture' };

async function rejection(work: Promise<unknown>): Promise<any> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

test('strict mode: invalid CS payloads get a CALLERROR, both are recorded, the CALL is marked', async () => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  const cs = await connectRpcCs(csms.url);
  try {
    // ocpp-rpc 2.2.1 answers a missing required field on 1.6 with the 2.0.1 spelling.
    const missing = await rejection(cs.call('BootNotification', { chargePointVendor: 'evsed-test' }));
    assert.ok(isRpcError(missing));
    assert.is(missing.rpcErrorCode, 'OccurrenceConstraintViolation');
    assert.is(missing.message, "data must have required property 'chargePointModel'");

    // 1.6 field limit (chargePointVendor ≤ 20): maxLength → FormationViolation on 1.6.
    const tooLong = await rejection(cs.call('BootNotification', { ...BOOT_16, chargePointVendor: 'x'.repeat(21) }));
    assert.is(tooLong.rpcErrorCode, 'FormationViolation');

    // Security-whitepaper messages are validated on 1.6 too.
    const security = await rejection(cs.call('SecurityEventNotification', { type: 'StartupOfTheDevice' }));
    assert.is(security.rpcErrorCode, 'OccurrenceConstraintViolation');
    assert.is(security.message, "data must have required property 'timestamp'");

    const unknown = await rejection(cs.call('TransactionEvent', {}));
    assert.is(unknown.rpcErrorCode, 'NotImplemented', '2.0.1-only action on a 1.6 connection');

    const calls = csms.calls();
    assert.equal(calls.map((m) => m.action), ['BootNotification', 'BootNotification', 'SecurityEventNotification', 'TransactionEvent']);
    assert.match(calls[0]?.invalid ?? '', /required property 'chargePointModel'/);
    assert.match(calls[2]?.invalid ?? '', /required property 'timestamp'/);
    assert.is(calls[3]?.invalid, undefined, 'NotImplemented is not a schema violation');
    assert.is(csms.violations().length, 3);

    const errors = csms.messages.filter((m) => m.type === 'CALLERROR');
    assert.equal(errors.map((m) => [m.direction, m.action, m.errorCode]), [
      ['csms→cs', 'BootNotification', 'OccurrenceConstraintViolation'],
      ['csms→cs', 'BootNotification', 'FormationViolation'],
      ['csms→cs', 'SecurityEventNotification', 'OccurrenceConstraintViolation'],
      ['csms→cs', 'TransactionEvent', 'NotImplemented'],
    ]);
    assert.is(errors[0]?.id, calls[0]?.id);
  } finally {
    await cs.close();
    await csms.stop();
  }
});

test('strict mode: 2.0.1 enum violation; a handler answer outside the schema becomes InternalError', async () => {
  const csms = await TestCsms.start({
    protocols: ['ocpp2.0.1'],
    handlers: { Heartbeat: () => ({ currentTime: 'yesterday' }) },
  });
  const cs = await connectRpcCs(csms.url, { protocols: ['ocpp2.0.1'] });
  try {
    const status = await rejection(cs.call('StatusNotification', {
      timestamp: new Date().toISOString(), connectorStatus: 'Charging', evseId: 1, connectorId: 1,
    }));
    assert.is(status.rpcErrorCode, 'FormatViolation');
    assert.is(status.message, 'data/connectorStatus must be equal to one of the allowed values');

    const heartbeat = await rejection(cs.call('Heartbeat', {}));
    assert.is(heartbeat.rpcErrorCode, 'InternalError');
    const sent = csms.messages.at(-1);
    assert.is(sent?.direction, 'csms→cs');
    assert.is(sent?.errorCode, 'InternalError');
    assert.match(sent?.invalid ?? '', /^handler answer refused by strict mode: .*currentTime/);
    assert.is(csms.violations().length, 1, 'only the CS StatusNotification is a CS violation');
  } finally {
    await cs.close();
    await csms.stop();
  }
});

test('recording: both directions in wire order, results carry the action they answer', async () => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  const cs = await connectRpcCs(csms.url);
  cs.handle('ChangeAvailability', () => ({ status: 'Scheduled' }));
  try {
    await cs.call('BootNotification', BOOT_16);
    await cs.call('Heartbeat', {});
    assert.equal(await csms.call('ChangeAvailability', { connectorId: 0, type: 'Inoperative' }), { status: 'Scheduled' });

    const summary = csms.messages.map((m) => `${m.seq} ${m.direction} ${m.type} ${m.action} ${m.protocol} ${m.identity}`);
    assert.equal(summary, [
      '0 cs→csms CALL BootNotification ocpp1.6 CP-1',
      '1 csms→cs CALLRESULT BootNotification ocpp1.6 CP-1',
      '2 cs→csms CALL Heartbeat ocpp1.6 CP-1',
      '3 csms→cs CALLRESULT Heartbeat ocpp1.6 CP-1',
      '4 csms→cs CALL ChangeAvailability ocpp1.6 CP-1',
      '5 cs→csms CALLRESULT ChangeAvailability ocpp1.6 CP-1',
    ]);
    const [bootCall, bootResult] = csms.messages;
    assert.is(bootResult?.id, bootCall?.id);
    assert.equal(bootCall?.payload, BOOT_16);
    assert.equal(JSON.parse(bootCall?.raw ?? ''), [2, bootCall?.id, 'BootNotification', BOOT_16]);
    assert.is(csms.messages[5]?.id, csms.messages[4]?.id);
    assert.equal(csms.messages[5]?.payload, { status: 'Scheduled' });
    assert.ok(csms.messages.every((m, i) => i === 0 || m.at >= (csms.messages[i - 1]?.at ?? 0)));
  } finally {
    await cs.close();
    await csms.stop();
  }
});

test('waitForCall: matches recorded calls from `since`, waits for new ones, times out with the trace', async () => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  const cs = await connectRpcCs(csms.url);
  try {
    await cs.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    const old = await csms.waitForCall('StatusNotification');
    assert.is(old.payload.status, 'Available');

    const mark = csms.mark();
    assert.is(mark, 2);
    const next = csms.waitForCall('StatusNotification', { since: mark, match: (p) => p.status === 'Preparing' });
    await cs.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Unavailable' });
    await cs.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    const found = await next;
    assert.is(found.seq, 4);
    assert.is(found.payload.status, 'Preparing');

    const any = await csms.waitFor((m) => m.type === 'CALLRESULT', { since: 5 });
    assert.is(any.seq, 5);

    const timeout = await rejection(csms.waitForCall('Heartbeat', { since: csms.mark(), timeoutMs: 40 }));
    assert.match(timeout.message, /^timed out after 40 ms: CS CALL Heartbeat \(since #6\); last messages:\n {2}\(no messages recorded\)$/);
    const withTail = await rejection(csms.waitForCall('Heartbeat', { since: 4, timeoutMs: 20 }));
    assert.match(withTail.message, /\n {2}\d\d:\d\d:\d\d\.\d{3} {2}CS → CSMS {2}CALL {8}StatusNotification/);
  } finally {
    await cs.close();
    await csms.stop();
  }
});

test('call(): result, the CS CALLERROR exactly, invalid CS result, invalid own payload, no CS', async () => {
  const csms = await TestCsms.start({ protocols: ['ocpp2.0.1'] });
  const cs = await connectRpcCs(csms.url, { protocols: ['ocpp2.0.1'] });
  try {
    cs.handle('GetVariables', ({ params }) => ({
      getVariableResult: params.getVariableData.map((d: object) => ({ ...d, attributeStatus: 'Accepted', attributeValue: '30' })),
    }));
    const getVariableData = [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }];
    const result = await csms.call('GetVariables', { getVariableData });
    assert.is(result.getVariableResult[0].attributeValue, '30');

    cs.handle('Reset', () => { throw rpcError('SecurityError', 'not now', { why: 'test' }); });
    const callError = await rejection(csms.call('Reset', { type: 'Immediate' }));
    assert.instance(callError, CsmsCallError);
    assert.is(callError.kind, 'CALLERROR');
    assert.is(callError.errorCode, 'SecurityError');
    assert.is(callError.errorDescription, 'not now');
    assert.equal(callError.errorDetails, { why: 'test' });
    assert.is(callError.message, 'Reset: CS answered CALLERROR SecurityError "not now"');

    cs.handle('ClearCache', () => ({ status: 'Maybe' }));
    const invalid = await rejection(csms.call('ClearCache', {}));
    assert.is(invalid.kind, 'INVALID_RESULT');
    assert.equal(invalid.result, { status: 'Maybe' });
    assert.match(csms.violations()[0]?.invalid ?? '', /allowed values/);

    const own = await rejection(csms.call('Reset', { type: 'Sometime' }));
    assert.is(own.kind, 'INVALID_REQUEST');
    assert.is(csms.messages.filter((m) => m.action === 'Reset' && m.type === 'CALL').length, 1, 'invalid CALL not sent');

    // A CS that never answers (until its connection goes away, so cs.close() can finish).
    cs.handle('UnlockConnector', ({ signal }) => new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('closed')));
    }));
    const slow = await rejection(csms.call('UnlockConnector', { evseId: 1, connectorId: 1 }, undefined, { timeoutMs: 50 }));
    assert.is(slow.kind, 'TIMEOUT');

    const nobody = await rejection(csms.call('Reset', { type: 'Immediate' }, 'CP-404'));
    assert.is(nobody.kind, 'CLOSED');
    assert.is(nobody.message, "Reset: no CS 'CP-404' connected");
  } finally {
    await cs.close();
    await csms.stop();
  }
});

test('sendRaw / rawReceived: exact bytes both ways; malformed frames recorded as INVALID', async () => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  const cs = await connectRawCs(csms.url, 'CP/7', ['ocpp1.6']);
  try {
    assert.is(csms.connections[0]?.identity, 'CP/7');
    assert.is(csms.connections[0]?.path, '/CP%2F7');

    const heartbeat = '[2, "hb-1", "Heartbeat", {}]';
    cs.ws.send(heartbeat);
    const reply = JSON.parse(await cs.next());
    assert.is(reply.length, 3);
    assert.is(reply[0], 3);
    assert.is(reply[1], 'hb-1');

    const reset = '[2,"x-1","Reset",{"type":"Hard"}]';
    csms.sendRaw(reset);
    assert.is(await cs.next(), reset);
    const answer = '[3,"x-1",{"status":"Accepted"}]';
    cs.ws.send(answer);
    const recordedAnswer = await csms.waitFor((m) => m.raw === answer);
    assert.is(recordedAnswer.type, 'CALLRESULT');
    assert.is(recordedAnswer.action, 'Reset');

    cs.ws.send('hello');
    const frameworkError = JSON.parse(await cs.next());
    assert.equal(frameworkError, [4, '-1', 'RpcFrameworkError', 'Message must be a JSON structure', {}]);

    assert.equal(csms.rawReceived('CP/7'), [heartbeat, answer, 'hello']);
    assert.equal(csms.rawReceived(), [heartbeat, answer, 'hello']);
    assert.equal(csms.rawReceived('CP-other'), []);
    const invalid = csms.messages.find((m) => m.raw === 'hello');
    assert.is(invalid?.type, 'INVALID');
    assert.is(invalid?.invalid, 'bad frame: Message must be a JSON structure');
    assert.equal(cs.received.slice(1, 2), [reset]);
  } finally {
    await closeRaw(cs.ws);
    await csms.stop();
  }
});

test('silence(): CALLs recorded but unanswered until silence(false)', async () => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  const cs = await connectRpcCs(csms.url);
  try {
    csms.silence(true);
    const hung = await rejection(cs.call('Heartbeat', {}, { callTimeoutMs: 100 }));
    assert.is(hung.message, 'Call timeout');
    assert.is(csms.calls('Heartbeat').length, 1);
    assert.is(csms.messages.length, 1, 'no answer sent');

    csms.silence(false);
    const answered = await cs.call('Heartbeat', {});
    assert.type(answered.currentTime, 'string');
    assert.equal(csms.messages.map((m) => m.type), ['CALL', 'CALL', 'CALLRESULT']);
  } finally {
    await cs.close();
    await csms.stop();
  }
});

test('handlers and defaults: tokens, transaction ids, fallback, setHandler, neverAnswer', async () => {
  const csms = await TestCsms.start({
    protocols: ['ocpp1.6'],
    tokens: { BLOCKED: 'Blocked', BROKE: 'NoCredit' },
    firstTransactionId: 500,
    handlers: { Authorize: (p) => (p.idTag === 'THIEF' ? (() => { throw rpcError('SecurityError', 'no'); })() : undefined) },
  });
  const cs = await connectRpcCs(csms.url);
  try {
    assert.equal(await cs.call('Authorize', { idTag: 'BLOCKED' }), { idTagInfo: { status: 'Blocked' } });
    assert.equal(await cs.call('Authorize', { idTag: 'ANYONE' }), { idTagInfo: { status: 'Accepted' } });
    assert.equal(await cs.call('Authorize', { idTag: 'BROKE' }), { idTagInfo: { status: 'Invalid' } }, '2.0.1-only status on 1.6');
    const thief = await rejection(cs.call('Authorize', { idTag: 'THIEF' }));
    assert.is(thief.rpcErrorCode, 'SecurityError');

    const start = { connectorId: 1, idTag: 'ANYONE', meterStart: 0, timestamp: new Date().toISOString() };
    assert.equal(await cs.call('StartTransaction', start), { transactionId: 500, idTagInfo: { status: 'Accepted' } });
    assert.equal(await cs.call('StartTransaction', { ...start, idTag: 'BLOCKED' }), { transactionId: 501, idTagInfo: { status: 'Blocked' } });
    const stop = { transactionId: 500, meterStop: 1200, timestamp: new Date().toISOString() };
    assert.equal(await cs.call('StopTransaction', stop), {});
    assert.equal(await cs.call('StopTransaction', { ...stop, idTag: 'BLOCKED' }), { idTagInfo: { status: 'Blocked' } });
    assert.equal(await cs.call('DataTransfer', { vendorId: 'acme' }), { status: 'UnknownVendorId' });

    csms.setToken('ANYONE', 'Expired');
    csms.setHandler('Heartbeat', (_p, client, ctx) => ({ currentTime: `${(ctx.fallback() as { currentTime: string }).currentTime.slice(0, 19)}Z`, ...(client.identity === 'CP-1' ? {} : { x: 1 }) }));
    assert.equal(await cs.call('Authorize', { idTag: 'ANYONE' }), { idTagInfo: { status: 'Expired' } });
    const hb = await cs.call('Heartbeat', {});
    assert.match(hb.currentTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    csms.setHandler('Vendor.Ping', () => ({}));
    const custom = await rejection(cs.call('Vendor.Ping', {}));
    assert.is(custom.rpcErrorCode, 'ProtocolError', 'strict mode has no schema for a non-OCPP action');
    csms.setHandler('Vendor.Ping', undefined);
    assert.is((await rejection(cs.call('Vendor.Ping', {}))).rpcErrorCode, 'NotImplemented');

    csms.setHandler('MeterValues', () => neverAnswer());
    const pending = await rejection(cs.call('MeterValues', { connectorId: 1, meterValue: [] }, { callTimeoutMs: 60 }));
    assert.is(pending.message, 'Call timeout');
    // The never-answering handler must not keep stop() from closing the connection.
  } finally {
    await cs.close();
    await csms.stop();
  }
});

test('2.0.1 defaults: TransactionEvent answers idTokenInfo only when an idToken is present', async () => {
  const csms = await TestCsms.start({ tokens: { BROKE: 'NoCredit' } });
  const cs = await connectRpcCs(csms.url, { protocols: ['ocpp2.0.1'] });
  try {
    const event = {
      eventType: 'Started', timestamp: new Date().toISOString(), triggerReason: 'Authorized', seqNo: 0,
      transactionInfo: { transactionId: 'tx-1' },
    };
    assert.equal(await cs.call('TransactionEvent', event), {});
    assert.equal(await cs.call('TransactionEvent', { ...event, seqNo: 1, eventType: 'Updated', idToken: { idToken: 'BROKE', type: 'ISO14443' } }),
      { idTokenInfo: { status: 'NoCredit' } });
    assert.equal(await cs.call('Authorize', { idToken: { idToken: 'OTHER', type: 'ISO14443' } }), { idTokenInfo: { status: 'Accepted' } });
  } finally {
    await cs.close();
    await csms.stop();
  }
});

test.run();
