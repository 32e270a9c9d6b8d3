import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectError, type PayloadValidator } from '../../../src/ocpp/rpc/index.js';
import { makeClient, nextEvent, record, sleep } from './fixtures/client.js';
import { connectedPair } from './fixtures/pair.js';
import { startServer, withTimeout } from './fixtures/server.js';
import { v16 } from './fixtures/validators.js';

const conn = suite('client: connection lifecycle');

/** Resolves once `pred()` holds, polling every 5 ms (rejects after timeoutMs). */
async function until(pred: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  await withTimeout(
    (async () => {
      while (!pred()) await sleep(5);
    })(),
    timeoutMs,
    what,
  );
}

conn('R-J2 - offers protocols in order of preference and runs the one the server picked (second choice)', async () => {
  const p = await connectedPair(
    { protocols: ['ocpp2.0.1', 'ocpp1.6'] },
    { pickProtocol: (offered) => (offered.has('ocpp1.6') ? 'ocpp1.6' : false) },
  );
  try {
    const offered = String(p.server.upgrades[0]?.headers['sec-websocket-protocol']).split(/\s*,\s*/);
    assert.equal(offered, ['ocpp2.0.1', 'ocpp1.6']);
    assert.is(p.conn.protocol, 'ocpp1.6');
    assert.is(p.client.protocol, 'ocpp1.6');
    assert.is(p.client.connected, true);
    // The 1.6 validator is in use: a 1.6-only action is accepted.
    const pending = p.client.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    const c = await p.conn.next();
    p.conn.send([3, c[1], {}]);
    assert.equal(await pending, {});
  } finally {
    await p.stop();
  }
});

conn('R-J2 / 201-J 3.2 - server picks no subprotocol → refused, reported and retried with back-off', async () => {
  const server = await startServer({ pickProtocol: () => false });
  const client = makeClient(server.url, { protocols: ['ocpp2.0.1', 'ocpp1.6'] });
  const failures = record(client, 'connectFailed');
  const opens = record(client, 'open');
  try {
    client.connect();
    await until(() => failures.length >= 3, 'three refused attempts');
    for (const f of failures.slice(0, 3)) {
      assert.instance(f.error, ConnectError);
      assert.is(f.error.code, 'subprotocol');
      assert.is(f.error.message, 'the server did not pick one of the offered subprotocols: server picked none of ocpp2.0.1, ocpp1.6');
      assert.is(f.httpStatus, undefined);
    }
    assert.equal(failures.slice(0, 3).map((f) => f.delayMs), [10, 20, 40]);
    assert.is(opens.length, 0);
    assert.is(client.connected, false);
    assert.ok(server.upgrades.length >= 3);
  } finally {
    await client.close();
    await server.close();
  }
});

conn('R-J2 - server picks a subprotocol that was not offered → refused', async () => {
  const server = await startServer({ pickProtocol: () => 'ocpp2.1' });
  const client = makeClient(server.url, { protocols: ['ocpp1.6'] });
  try {
    const failed = nextEvent(client, 'connectFailed');
    client.connect();
    const f = await failed;
    assert.is(f.error.code, 'subprotocol');
    assert.is(f.error.message, 'the server did not pick one of the offered subprotocols: server picked "ocpp2.1", which was not offered');
    assert.is(client.protocol, null);
  } finally {
    await client.close();
    await server.close();
  }
});

conn('R-J1 / 1g - identity percent-encoded in the URL; profile 1 sends exactly Basic base64(identity:password)', async () => {
  const identity = 'CS 01/ü';
  const password = 'correct horse battery';
  const p = await connectedPair({ identity, securityProfile: 1, password });
  try {
    const req = p.server.upgrades[0];
    assert.is(req?.url, '/ocpp/CS%2001%2F%C3%BC');
    assert.is(req?.headers.authorization, `Basic ${Buffer.from(`${identity}:${password}`, 'utf8').toString('base64')}`);
    assert.is(req?.headers.authorization, 'Basic Q1MgMDEvw7w6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5');
  } finally {
    await p.stop();
  }
});

conn('1g - profile 0 sends no Authorization header', async () => {
  const p = await connectedPair({ securityProfile: 0, password: 'ignored-password' });
  try {
    assert.is(p.server.upgrades[0]?.headers.authorization, undefined);
  } finally {
    await p.stop();
  }
});

conn('R-O14 - nobody listening (ECONNREFUSED) → connectFailed "network", retried with back-off', async () => {
  const server = await startServer();
  const url = server.url;
  await server.close();
  const client = makeClient(url);
  const failures = record(client, 'connectFailed');
  try {
    client.connect();
    await until(() => failures.length >= 3, 'three failed attempts');
    assert.equal(failures.slice(0, 3).map((f) => [f.error.code, f.delayMs]), [
      ['network', 10],
      ['network', 20],
      ['network', 40],
    ]);
    assert.match(failures[0]?.error.message ?? '', /ECONNREFUSED/);
    assert.is(client.connectionState === 'waiting' || client.connectionState === 'connecting', true);
  } finally {
    await client.close();
  }
});

conn('R-J2 / J16-E 3.4 - HTTP 401 and 404 on the upgrade → connectFailed with httpStatus, retried with back-off', async () => {
  const statuses = [401, 404, 404, 503];
  let n = 0;
  const server = await startServer({ refuse: () => statuses[n++] ?? null });
  const client = makeClient(server.url);
  const failures = record(client, 'connectFailed');
  const closes = record(client, 'close');
  try {
    const opened = nextEvent(client, 'open');
    const t0 = Date.now();
    client.connect();
    await opened;
    const elapsedMs = Date.now() - t0;
    assert.equal(failures.map((f) => f.httpStatus), [401, 404, 404, 503]);
    assert.equal(failures.map((f) => f.error.code), ['httpStatus', 'httpStatus', 'httpStatus', 'httpStatus']);
    assert.is(failures[0]?.error.message, 'the server refused the WebSocket upgrade with an HTTP status: HTTP 401');
    // min 10 ms, random 0, repeat 2 → 10, 20, 40, 40 ms.
    assert.equal(failures.map((f) => f.delayMs), [10, 20, 40, 40]);
    assert.ok(elapsedMs >= 110, `waited ${elapsedMs} ms`);
    assert.is(server.upgrades.length, 5);
    // A successful connection resets the back-off: the next drop waits the minimum again.
    const conn1 = server.conns[0];
    assert.ok(conn1);
    const closed = nextEvent(client, 'close');
    conn1.ws.close(1001, 'going away');
    const ev = await closed;
    assert.equal(ev, { code: 1001, reason: 'going away', willReconnect: true, delayMs: 10 });
    await nextEvent(client, 'open');
    assert.is(closes.length, 1);
  } finally {
    await client.close();
    await server.close();
  }
});

conn('R-O14 - reconnects after the server closes, with a new connection', async () => {
  const p = await connectedPair();
  try {
    const closed = nextEvent(p.client, 'close');
    p.conn.ws.close(1012, 'restart');
    assert.equal(await closed, { code: 1012, reason: 'restart', willReconnect: true, delayMs: 10 });
    assert.is(p.client.connected, false);
    const second = await p.server.nextConn();
    assert.equal(await nextEvent(p.client, 'open'), { protocol: 'ocpp1.6' });
    assert.is(p.server.conns.length, 2);
    const pending = p.client.call('Heartbeat', {});
    const c = await second.next();
    second.send([3, c[1], { currentTime: 'x' }]);
    assert.equal(await pending, { currentTime: 'x' });
  } finally {
    await p.stop();
  }
});

conn('close() sends close 1000, resolves when closed and stops reconnecting', async () => {
  const p = await connectedPair();
  const closes = record(p.client, 'close');
  try {
    await p.client.close();
    assert.equal(await p.conn.closed, { code: 1000, reason: '' });
    assert.is(p.client.connectionState, 'closed');
    assert.equal(closes, [{ code: 1000, reason: '', willReconnect: false, delayMs: null }]);
    await sleep(60);
    assert.is(p.server.upgrades.length, 1, 'no reconnect after close()');
    await p.client.close();
  } finally {
    await p.stop();
  }
});

conn('close() while waiting to retry cancels the retry', async () => {
  const server = await startServer({ refuse: () => 503 });
  const client = makeClient(server.url, { backoff: { waitMinimumS: 0.05, randomRangeS: 0, repeatTimes: 0 } });
  try {
    const failed = nextEvent(client, 'connectFailed');
    client.connect();
    await failed;
    await client.close();
    await sleep(100);
    assert.is(server.upgrades.length, 1);
  } finally {
    await server.close();
  }
});

conn('R-J13 - a message above maxPayloadBytes: ws closes with 1009, the client reconnects', async () => {
  const p = await connectedPair({ maxPayloadBytes: 1024 });
  try {
    const closed = nextEvent(p.client, 'close');
    p.conn.send([2, 'big', 'Reset', { type: 'x'.repeat(2000) }]);
    // ws sends close 1009 and stops reading, so locally the code is 1006 (no close frame read).
    assert.is((await p.conn.closed).code, 1009);
    const ev = await closed;
    assert.is(ev.code, 1006);
    assert.is(ev.willReconnect, true);
    await p.server.nextConn();
    await nextEvent(p.client, 'open');
    assert.is(p.client.connected, true);
  } finally {
    await p.stop();
  }
});

conn('1g / TC_A_09_CS - updateOptions(password) + reconnect(): next upgrade carries the new password at once', async () => {
  const p = await connectedPair({ securityProfile: 1, password: 'a'.repeat(16), backoff: { waitMinimumS: 5, randomRangeS: 0, repeatTimes: 0 } });
  try {
    const closed = nextEvent(p.client, 'close');
    p.client.updateOptions({ password: 'b'.repeat(16) });
    p.client.reconnect();
    const ev = await closed;
    assert.is(ev.delayMs, 0);
    await p.server.nextConn();
    await nextEvent(p.client, 'open');
    assert.is(p.server.upgrades[1]?.headers.authorization, `Basic ${Buffer.from(`CS001:${'b'.repeat(16)}`).toString('base64')}`);
  } finally {
    await p.stop();
  }
});

conn('updateOptions refuses invalid values and keeps the old ones', async () => {
  const client = makeClient('ws://127.0.0.1:9/ocpp');
  assert.throws(() => client.updateOptions({ callTimeoutMs: -5 }), /callTimeoutMs/);
  assert.throws(() => client.updateOptions({ securityProfile: 1 }), /password/);
  await client.close();
});

conn('no validator for the negotiated subprotocol → connectFailed "schemas", retried', async () => {
  const server = await startServer();
  let asked = 0;
  const client = makeClient(server.url, {
    schemasFor: (protocol): Promise<PayloadValidator> => {
      asked++;
      return asked === 1 ? Promise.reject(new Error(`nothing for ${protocol}`)) : Promise.resolve(v16);
    },
  });
  try {
    const failed = nextEvent(client, 'connectFailed');
    const opened = nextEvent(client, 'open');
    client.connect();
    const f = await failed;
    assert.is(f.error.code, 'schemas');
    assert.is((await server.conns[0]?.closed)?.code, 1011);
    await opened;
    assert.is(asked, 2);
  } finally {
    await client.close();
    await server.close();
  }
});

conn('frames received before the validator is ready are handled once it is', async () => {
  const server = await startServer();
  let release: (v: PayloadValidator) => void = () => undefined;
  const client = makeClient(server.url, { schemasFor: () => new Promise<PayloadValidator>((resolve) => (release = resolve)) });
  try {
    client.handle('ClearCache', () => ({ status: 'Accepted' }));
    client.connect();
    const c = await server.nextConn();
    c.send([2, 'early', 'ClearCache', {}]);
    await sleep(30);
    assert.is(c.received.length, 0);
    release(v16);
    assert.equal(await c.next(), [3, 'early', { status: 'Accepted' }]);
  } finally {
    await client.close();
    await server.close();
  }
});

conn("'frame' events report every text frame in and out", async () => {
  const p = await connectedPair();
  const frames = record(p.client, 'frame');
  try {
    p.client.handle('ClearCache', () => ({ status: 'Accepted' }));
    p.conn.send('[2,"f1","ClearCache",{}]');
    await p.conn.next();
    assert.equal(frames.map((f) => [f.direction, f.text]), [
      ['in', '[2,"f1","ClearCache",{}]'],
      ['out', '[3,"f1",{"status":"Accepted"}]'],
    ]);
    assert.type(frames[0]?.at, 'number');
  } finally {
    await p.stop();
  }
});

conn.run();
