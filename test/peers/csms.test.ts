// Tests of the test CSMS fixture itself — connections: boot answers, protocol negotiation,
// basic auth, refusing upgrades, restart on the same port, waitForClient / disconnect.
// The CS side is ocpp-rpc's RPCClient or plain ws, never evsed.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestCsms } from './csms.js';
import { basicAuth, connectRpcCs, upgradeStatus } from './fake-cs.js';

const BOOT_16 = { chargePointVendor: 'evsed-test', chargePointModel: 'fixture' };
const BOOT_201 = { reason: 'PowerUp', chargingStation: { model: 'fixture', vendorName: 'evsed-test' } };

function assertRecentIso(value: unknown): void {
  assert.type(value, 'string');
  const ms = Date.parse(value as string);
  assert.ok(Math.abs(Date.now() - ms) < 5000, `currentTime ${String(value)} is not now`);
}

test('B01 boot (1.6): answers the configured status and interval, setBoot changes it mid-test', async () => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'], boot: { status: 'Pending', interval: 10 } });
  const cs = await connectRpcCs(csms.url);
  try {
    const first = await cs.call('BootNotification', BOOT_16);
    assert.equal(Object.keys(first).sort(), ['currentTime', 'interval', 'status']);
    assert.is(first.status, 'Pending');
    assert.is(first.interval, 10);
    assertRecentIso(first.currentTime);

    csms.setBoot({ status: 'Accepted', interval: 60 });
    const second = await cs.call('BootNotification', BOOT_16);
    assert.is(second.status, 'Accepted');
    assert.is(second.interval, 60);
    assert.is(csms.calls('BootNotification').length, 2);
  } finally {
    await cs.close();
    await csms.stop();
  }
});

test('B01 boot (2.0.1): default Accepted/300; a boot function sees payload and client', async () => {
  const csms = await TestCsms.start(); // offers ocpp2.0.1 first
  const cs = await connectRpcCs(csms.url, { protocols: ['ocpp1.6', 'ocpp2.0.1'] });
  try {
    assert.is(cs.protocol, 'ocpp2.0.1', 'server preference order decides');
    const first = await cs.call('BootNotification', BOOT_201);
    assert.is(first.status, 'Accepted');
    assert.is(first.interval, 300);
    assertRecentIso(first.currentTime);

    const seen: string[] = [];
    csms.setBoot((payload, client) => {
      seen.push(`${payload.reason} ${client.identity} ${client.protocol}`);
      return { status: 'Rejected', interval: 7, currentTime: new Date().toISOString() };
    });
    const second = await cs.call('BootNotification', { ...BOOT_201, reason: 'Watchdog' });
    assert.is(second.status, 'Rejected');
    assert.is(second.interval, 7);
    assert.equal(seen, ['Watchdog CP-1 ocpp2.0.1']);
    assert.is(csms.connections[0]?.protocol, 'ocpp2.0.1');
    assert.equal(csms.connections[0]?.offeredProtocols, ['ocpp1.6', 'ocpp2.0.1']);
  } finally {
    await cs.close();
    await csms.stop();
  }
});

test('R-J2 no mutual subprotocol: handshake without the header, no connection recorded', async () => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  try {
    let failure: unknown;
    try {
      const cs = await connectRpcCs(csms.url, { protocols: ['ocpp2.0.1'] });
      await cs.close();
    } catch (error) {
      failure = error;
    }
    assert.instance(failure, Error);
    assert.is((failure as Error).message, 'Server sent no subprotocol');
    assert.is(csms.upgrades.length, 1);
    assert.is(csms.upgrades[0]?.httpStatus, 101);
    assert.is(csms.upgrades[0]?.protocol, null);
    assert.is(csms.connections.length, 0);
  } finally {
    await csms.stop();
  }
});

test('security profile 1: right password accepted, wrong or missing refused with 401', async () => {
  const csms = await TestCsms.start({ passwords: { 'CP-1': 'correct horse' } });
  try {
    assert.is(await upgradeStatus(csms.url, 'CP-1', { authorization: basicAuth('CP-1', 'wrong') }), 401);
    assert.is(await upgradeStatus(csms.url, 'CP-1'), 401);
    assert.is(await upgradeStatus(csms.url, 'CP-2', { authorization: basicAuth('CP-2', 'correct horse') }), 401);
    // Username must be the identity.
    assert.is(await upgradeStatus(csms.url, 'CP-1', { authorization: basicAuth('CP-9', 'correct horse') }), 401);

    let refused: unknown;
    try {
      await connectRpcCs(csms.url, { password: 'nope' });
    } catch (error) {
      refused = error;
    }
    assert.is((refused as { code?: number }).code, 401);

    const cs = await connectRpcCs(csms.url, { password: 'correct horse' });
    const info = csms.connections[0];
    assert.is(info?.password, 'correct horse');
    assert.is(info?.headers.authorization, basicAuth('CP-1', 'correct horse'));
    await cs.close();

    csms.setPassword('CP-1', 'new password');
    assert.is(await upgradeStatus(csms.url, 'CP-1', { authorization: basicAuth('CP-1', 'correct horse') }), 401);
    assert.is(await upgradeStatus(csms.url, 'CP-1', { authorization: basicAuth('CP-1', 'new password') }), 101);
    assert.equal(csms.upgrades.map((u) => u.httpStatus), [401, 401, 401, 401, 401, 101, 401, 101]);
  } finally {
    await csms.stop();
  }
});

test('refuseConnections answers upgrades with the HTTP status until null', async () => {
  const csms = await TestCsms.start();
  try {
    csms.refuseConnections({ httpStatus: 404 });
    assert.is(await upgradeStatus(csms.url, 'CP-1'), 404);
    csms.refuseConnections({ httpStatus: 503 });
    assert.is(await upgradeStatus(csms.url, 'CP-1'), 503);
    csms.refuseConnections(null);
    assert.is(await upgradeStatus(csms.url, 'CP-1'), 101);
    assert.equal(csms.upgrades.map((u) => u.httpStatus), [404, 503, 101]);
    assert.equal(csms.upgrades.map((u) => u.identity), ['CP-1', 'CP-1', 'CP-1']);
  } finally {
    await csms.stop();
  }
});

test('restart comes back on the same port; open connections see 1001, abrupt restart 1006', async () => {
  const csms = await TestCsms.start();
  try {
    const port = csms.port;
    assert.ok(port > 0);
    const cs1 = await connectRpcCs(csms.url);
    const cs1Closed = new Promise<number>((resolve) => cs1.once('close', (e: { code: number }) => resolve(e.code)));

    const restarting = csms.restart({ downMs: 300 });
    await cs1Closed.then((code) => assert.is(code, 1001));
    // While down, nobody is listening.
    let downError: unknown;
    try {
      await connectRpcCs(csms.url);
    } catch (error) {
      downError = error;
    }
    assert.is((downError as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    await restarting;

    assert.is(csms.port, port);
    const cs2 = await connectRpcCs(csms.url);
    assert.is(csms.client()?.info.index, 1);
    assert.is(csms.connections[0]?.closeCode, 1001);

    await csms.restart({ abrupt: true });
    assert.is(csms.connections[1]?.closeCode, 1006);
    assert.is(csms.client(), undefined);
    await cs2.close();
    const cs3 = await connectRpcCs(csms.url);
    assert.is(csms.port, port);
    await cs3.close();
  } finally {
    await csms.stop();
  }
});

test('waitForClient waits by identity; disconnect closes with the given code', async () => {
  const csms = await TestCsms.start();
  try {
    const waiting = csms.waitForClient('CP-2', 2000);
    const cs1 = await connectRpcCs(csms.url, { identity: 'CP-1' });
    const cs2 = await connectRpcCs(csms.url, { identity: 'CP-2' });
    const handle = await waiting;
    assert.is(handle.identity, 'CP-2');
    assert.is(csms.client()?.identity, 'CP-2', 'latest connection when no identity');
    assert.is(csms.client('CP-1')?.identity, 'CP-1');

    const cs2Closed = new Promise<number>((resolve) => cs2.once('close', (e: { code: number }) => resolve(e.code)));
    await csms.disconnect('CP-2', 4000);
    assert.is(await cs2Closed, 4000);
    assert.is(csms.connections[1]?.closeCode, 4000);
    assert.is(csms.client('CP-2'), undefined);
    assert.is(handle.isOpen, false);

    await csms.disconnect('CP-1', 1006);
    assert.is(csms.connections[0]?.closeCode, 1006);
    await cs1.close();

    let timedOut: unknown;
    try {
      await csms.waitForClient('CP-3', 50);
    } catch (error) {
      timedOut = error;
    }
    assert.match((timedOut as Error).message, /^timed out after 50 ms: no CS 'CP-3' connected/);
  } finally {
    await csms.stop();
  }
});

test('stop() rejects pending waits and closes every connection with 1001', async () => {
  const csms = await TestCsms.start();
  const cs = await connectRpcCs(csms.url);
  const closed = new Promise<number>((resolve) => cs.once('close', (e: { code: number }) => resolve(e.code)));
  const pending = csms.waitForCall('Heartbeat', { timeoutMs: 10_000 }).then(() => 'resolved', (e: Error) => e.message);
  await csms.stop();
  assert.is(await pending, 'TestCsms stopped');
  assert.is(await closed, 1001);
  assert.is(csms.connections[0]?.closeCode, 1001);
});

test.run();
