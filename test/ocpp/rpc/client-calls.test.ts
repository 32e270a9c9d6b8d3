import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallFailure, RpcError } from '../../../src/ocpp/rpc/index.js';
import { makeClient, nextEvent, record, settle, sleep } from './fixtures/client.js';
import { connectedPair } from './fixtures/pair.js';

const calls = suite('client: own CALLs');

const boot16 = { chargePointVendor: 'evsed', chargePointModel: 'test' };
const bootAnswer = { status: 'Accepted', currentTime: '2025-01-01T00:00:00Z', interval: 300 };

function failure(r: { ok: boolean; error?: unknown }): CallFailure {
  assert.not.ok(r.ok, 'expected the call to fail');
  assert.instance(r.error, CallFailure);
  return r.error as CallFailure;
}

calls('R-J3 - a CALL goes out as [2,id,action,payload] and resolves with the validated CALLRESULT payload', async () => {
  const p = await connectedPair();
  try {
    const pending = p.client.call('BootNotification', boot16);
    const frame = await p.conn.next();
    assert.is(frame.length, 4);
    assert.is(frame[0], 2);
    assert.type(frame[1], 'string');
    assert.is((frame[1] as string).length, 36);
    assert.is(frame[2], 'BootNotification');
    assert.equal(frame[3], boot16);
    p.conn.send([3, frame[1], bootAnswer]);
    assert.equal(await pending, bootAnswer);
  } finally {
    await p.stop();
  }
});

calls('R-J5 / 201-J 4.1.1 - only one CALL in flight; a crossing incoming CALL is answered meanwhile', async () => {
  const p = await connectedPair();
  try {
    p.client.handle('Reset', () => ({ status: 'Accepted' }));
    const first = p.client.call('BootNotification', boot16);
    const second = p.client.call('Heartbeat', {});
    const c1 = await p.conn.next();
    assert.is(c1[2], 'BootNotification');
    // CSMS CALL crosses our outstanding one: it must be answered now.
    p.conn.send([2, 'csms-1', 'Reset', { type: 'Soft' }]);
    assert.equal(await p.conn.next(), [3, 'csms-1', { status: 'Accepted' }]);
    await sleep(50);
    assert.is(p.conn.received.length, 2, 'the second CALL must wait for the answer to the first');
    p.conn.send([3, c1[1], bootAnswer]);
    const c2 = await p.conn.next();
    assert.is(c2[2], 'Heartbeat');
    p.conn.send([3, c2[1], { currentTime: '2025-01-01T00:00:01Z' }]);
    assert.equal(await first, bootAnswer);
    assert.equal(await second, { currentTime: '2025-01-01T00:00:01Z' });
  } finally {
    await p.stop();
  }
});

calls('R-J5 - the reply to a received CALL is sent before the next own CALL', async () => {
  const p = await connectedPair();
  try {
    let ownCall: Promise<unknown> | null = null;
    p.client.handle('Reset', async () => {
      // The OCPP layer reacts to the request before answering it (e.g. a status change).
      ownCall = settle(p.client.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Unavailable' }));
      await sleep(30);
      return { status: 'Accepted' };
    });
    p.conn.send([2, 'csms-2', 'Reset', { type: 'Hard' }]);
    assert.equal(await p.conn.next(), [3, 'csms-2', { status: 'Accepted' }]);
    const c = await p.conn.next();
    assert.is(c[2], 'StatusNotification');
    p.conn.send([3, c[1], {}]);
    assert.ok(ownCall !== null);
    assert.equal(await ownCall, { ok: true, value: {} });
  } finally {
    await p.stop();
  }
});

calls('R-J6 - call timeout rejects "timeout", the next call proceeds, the late reply is ignored', async () => {
  const p = await connectedPair({ reconnectOnTimeout: false });
  const errors = record(p.client, 'protocolError');
  try {
    const first = settle(p.client.call('Heartbeat', {}, { timeoutMs: 60 }));
    const second = p.client.call('Heartbeat', {});
    const c1 = await p.conn.next();
    const f = failure(await first);
    assert.is(f.kind, 'timeout');
    assert.is(f.messageId, c1[1]);
    const c2 = await p.conn.next();
    assert.is(c2[2], 'Heartbeat');
    assert.is.not(c2[1], c1[1]);
    // Late answer to the timed-out CALL: logged and ignored, must not settle the second call.
    p.conn.send([3, c1[1], { currentTime: 'late' }]);
    await sleep(30);
    assert.equal(errors.map((e) => [e.reason, e.messageId, e.answer]), [['lateAnswer', c1[1], null]]);
    p.conn.send([3, c2[1], { currentTime: 'on time' }]);
    assert.equal(await second, { currentTime: 'on time' });
    assert.is(p.server.conns.length, 1, 'no reconnect when reconnectOnTimeout is false');
    assert.is(p.conn.received.length, 2, 'nothing was answered to the late reply');
  } finally {
    await p.stop();
  }
});

calls('R-J6 - with reconnectOnTimeout (default) a CALL timeout drops and re-opens the connection', async () => {
  const p = await connectedPair();
  try {
    const closed = nextEvent(p.client, 'close');
    const r = await settle(p.client.call('Heartbeat', {}, { timeoutMs: 50 }));
    assert.is(failure(r).kind, 'timeout');
    const ev = await closed;
    assert.is(ev.willReconnect, true);
    assert.is(ev.code, 1006);
    const again = await p.server.nextConn();
    await nextEvent(p.client, 'open');
    assert.is(again.protocol, 'ocpp1.6');
    assert.is(p.client.connected, true);
  } finally {
    await p.stop();
  }
});

calls('R-J7 - a CALLRESULT with an unknown id is logged and ignored, never answered', async () => {
  const p = await connectedPair();
  const errors = record(p.client, 'protocolError');
  try {
    p.conn.send([3, 'nobody-asked', { status: 'Accepted' }]);
    p.conn.send([4, 'nobody-asked-2', 'GenericError', '', {}]);
    const pending = p.client.call('Heartbeat', {});
    const c = await p.conn.next();
    assert.is(c[2], 'Heartbeat', 'first thing the server sees is our CALL, not a CALLERROR');
    p.conn.send([3, c[1], { currentTime: 'now' }]);
    assert.equal(await pending, { currentTime: 'now' });
    assert.equal(
      errors.map((e) => [e.reason, e.messageId, e.answer]),
      [
        ['unknownMessageId', 'nobody-asked', null],
        ['unknownMessageId', 'nobody-asked-2', null],
      ],
    );
  } finally {
    await p.stop();
  }
});

calls('R-J8 - CALLERROR received → RpcError with the parsed code, both spellings', async () => {
  const p = await connectedPair();
  try {
    const cases: Array<[string, string]> = [
      ['FormationViolation', 'FormatViolation'],
      ['FormatViolation', 'FormatViolation'],
      ['OccurenceConstraintViolation', 'OccurrenceConstraintViolation'],
      ['OccurrenceConstraintViolation', 'OccurrenceConstraintViolation'],
      ['SecurityError', 'SecurityError'],
      ['SomethingElse', 'GenericError'],
    ];
    for (const [wire, canonical] of cases) {
      const pending = settle(p.client.call('Heartbeat', {}));
      const c = await p.conn.next();
      p.conn.send([4, c[1], wire, 'because', { hint: 1 }]);
      const r = await pending;
      assert.not.ok(r.ok);
      const e = (r as { error: unknown }).error;
      assert.instance(e, RpcError);
      const err = e as RpcError;
      assert.is(err.code, canonical);
      assert.is(err.wireCode, wire);
      assert.is(err.description, 'because');
      assert.equal(err.details, { hint: 1 });
    }
  } finally {
    await p.stop();
  }
});

calls('R-J15 - invalid own request or unknown action → "invalidRequest", nothing sent', async () => {
  const p = await connectedPair();
  try {
    const unknown = failure(await settle(p.client.call('TransactionEvent', {})));
    assert.is(unknown.kind, 'invalidRequest');
    const csmsOnly = failure(await settle(p.client.call('Reset', { type: 'Hard' })));
    assert.is(csmsOnly.kind, 'invalidRequest');
    const bad = failure(await settle(p.client.call('BootNotification', { chargePointVendor: 'evsed' })));
    assert.is(bad.kind, 'invalidRequest');
    assert.equal(bad.issue, { code: 'OccurrenceConstraintViolation', message: 'missing property chargePointModel', path: '/chargePointModel' });
    const notObject = failure(await settle(p.client.call('Heartbeat', [] as unknown as object)));
    assert.is(notObject.kind, 'invalidRequest');
    await sleep(30);
    assert.is(p.conn.received.length, 0);
  } finally {
    await p.stop();
  }
});

calls('R-J15 - a CALLRESULT whose payload is invalid rejects "invalidResponse" and the next call proceeds', async () => {
  const p = await connectedPair();
  try {
    const first = settle(p.client.call('BootNotification', boot16));
    const c1 = await p.conn.next();
    p.conn.send([3, c1[1], { status: 'Accepted', currentTime: 'x', interval: '300' }]);
    const f = failure(await first);
    assert.is(f.kind, 'invalidResponse');
    assert.equal(f.issue, { code: 'TypeConstraintViolation', message: 'interval must be an integer', path: '/interval' });
    // A structurally malformed CALLRESULT for the in-flight id fails it at once as well.
    const second = settle(p.client.call('Heartbeat', {}));
    const c2 = await p.conn.next();
    p.conn.send([3, c2[1], null]);
    assert.is(failure(await second).kind, 'invalidResponse');
    const third = p.client.call('Heartbeat', {});
    const c3 = await p.conn.next();
    p.conn.send([3, c3[1], { currentTime: 't' }]);
    assert.equal(await third, { currentTime: 't' });
    assert.is(p.conn.received.length, 3, 'no CALLERROR was sent in answer to the bad CALLRESULTs');
  } finally {
    await p.stop();
  }
});

calls('calls while offline reject "offline" at once; after close() they reject "closed"', async () => {
  const client = makeClient('ws://127.0.0.1:9/ocpp');
  const t0 = Date.now();
  const r = failure(await settle(client.call('Heartbeat', {})));
  assert.is(r.kind, 'offline');
  assert.ok(Date.now() - t0 < 50);
  await client.close();
  assert.is(failure(await settle(client.call('Heartbeat', {}))).kind, 'closed');
});

calls('on disconnect every waiting and in-flight call rejects "offline"', async () => {
  const p = await connectedPair();
  try {
    const a = settle(p.client.call('Heartbeat', {}));
    const b = settle(p.client.call('Heartbeat', {}));
    await p.conn.next();
    p.conn.ws.terminate();
    assert.is(failure(await a).kind, 'offline');
    assert.is(failure(await b).kind, 'offline');
  } finally {
    await p.stop();
  }
});

calls('close() rejects waiting and in-flight calls with "closed"', async () => {
  const p = await connectedPair();
  try {
    const a = settle(p.client.call('Heartbeat', {}));
    const b = settle(p.client.call('Heartbeat', {}));
    await p.conn.next();
    await p.client.close();
    assert.is(failure(await a).kind, 'closed');
    assert.is(failure(await b).kind, 'closed');
  } finally {
    await p.stop();
  }
});

calls.run();
