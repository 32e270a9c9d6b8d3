/**
 * evsectl against a running evsed on the simulated board: output, --json, and the documented exit
 * codes (0 ok, 1 refused, 2 usage, 3 unreachable).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import os from 'node:os';
import { TestCsms } from '../peers/csms.js';
import { EvsedProcess, eventually, runEvsectl as evsectl } from '../support/evsed.js';

const test = suite<{ csms: TestCsms; evsed: EvsedProcess }>('evsectl');

test.before(async (c) => {
  c.csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  c.evsed = await new EvsedProcess({ csmsUrl: c.csms.url, connectors: 2 }).start();
  await c.csms.waitForCall('StatusNotification');
});
test.after(async (c) => {
  await c.evsed.dispose();
  await c.csms.stop();
});

test('status: human table with every connector, exit 0', async (c) => {
  await eventually(async () => (await evsectl(['--socket', c.evsed.socket, 'status'])).out.includes('registration accepted'), 3000, 'accepted');
  const r = (await evsectl(['--socket', c.evsed.socket, 'status']));
  assert.is(r.code, 0);
  assert.match(r.out, /Station\s+CP-TEST-1/);
  assert.match(r.out, /connected · ocpp1\.6 · registration accepted/);
  const rows = r.out.split('\n').filter((l) => /^\d\s+\d\/1\s/.test(l));
  assert.is(rows.length, 2);
  assert.match(rows[0]!, /^1\s+1\/1\s+available\s+Available\s+A\s/);
});

test('status --json: the documented fields', async (c) => {
  const r = (await evsectl(['--socket', c.evsed.socket, '--json', 'status']));
  assert.is(r.code, 0);
  const s = JSON.parse(r.out);
  assert.is(s.identity, 'CP-TEST-1');
  assert.is(s.csms.protocol, 'ocpp1.6');
  assert.is(s.connectors.length, 2);
  assert.equal(Object.keys(s.connectors[0]).sort(), [
    'connectorId', 'contactorClosed', 'energyWh', 'errorCode', 'evseId', 'faults', 'id', 'limitA', 'ocppStatus',
    'offerA', 'operative', 'pilot', 'powerW', 'session', 'socPercent', 'state',
  ]);
  assert.is(s.queue.depth, 0);
});

test('sim commands drive the board; a refused command exits 1 with the reason', async (c) => {
  assert.is((await evsectl(['--socket', c.evsed.socket, 'sim', 'plug', '2'])).code, 0);
  const again = (await evsectl(['--socket', c.evsed.socket, 'sim', 'plug', '2']));
  assert.is(again.code, 1);
  assert.match(again.err, /\[refused\]/);
  const swipe = (await evsectl(['--socket', c.evsed.socket, 'sim', 'swipe', 'TAG-7', '2']));
  assert.is(swipe.code, 0);
  assert.match(swipe.out, /connector 2: started/);
  await eventually(async () => JSON.parse((await evsectl(['--socket', c.evsed.socket, '--json', 'status'])).out).connectors[1].state === 'charging', 3000, 'charging');
  assert.is((await evsectl(['--socket', c.evsed.socket, 'sim', 'ev', '2', 'pause'])).code, 0);
  await eventually(async () => JSON.parse((await evsectl(['--socket', c.evsed.socket, '--json', 'status'])).out).connectors[1].state === 'pausedByEv', 3000, 'paused');
  assert.is((await evsectl(['--socket', c.evsed.socket, 'sim', 'fault', '2', 'overTemperature'])).code, 0);
  await eventually(async () => JSON.parse((await evsectl(['--socket', c.evsed.socket, '--json', 'status'])).out).connectors[1].ocppStatus === 'Faulted', 3000, 'faulted');
  const json = JSON.parse((await evsectl(['--socket', c.evsed.socket, '--json', 'status'])).out);
  assert.is(json.connectors[1].errorCode, 'HighTemperature');
  assert.is(json.connectors[1].contactorClosed, false);
  assert.is((await evsectl(['--socket', c.evsed.socket, 'sim', 'clear', '2'])).code, 0);
  assert.is((await evsectl(['--socket', c.evsed.socket, 'sim', 'unplug', '2'])).code, 0);
});

test('bad arguments are refused by the daemon with badArgs (exit 1): unknown connector, unknown fault', async (c) => {
  const r1 = (await evsectl(['--socket', c.evsed.socket, 'sim', 'plug', '9']));
  assert.is(r1.code, 1);
  assert.match(r1.err, /no connector 9 \[badArgs\]/);
  const r2 = (await evsectl(['--socket', c.evsed.socket, 'sim', 'fault', '1', 'gremlins']));
  assert.is(r2.code, 1);
  assert.match(r2.err, /unknown fault code "gremlins"/);
});

test('usage errors exit 2 without contacting the daemon', async () => {
  for (const args of [[], ['frobnicate'], ['sim', 'plug'], ['sim', 'plug', 'one'], ['sim', 'ev', '1', 'dance'], ['--bogus', 'status']]) {
    const r = (await evsectl(['--socket', '/nonexistent/socket', ...args]));
    assert.is(r.code, 2, `evsectl ${args.join(' ')} → ${r.code}`);
    assert.match(r.err, /usage: evsectl/);
  }
});

test('daemon unreachable exits 3 with a clear message', async () => {
  const r = (await evsectl(['--socket', path.join(os.tmpdir(), 'no-such-evsed.sock'), 'status']));
  assert.is(r.code, 3);
  assert.match(r.err, /cannot reach evsed at .*no such socket/);
});

test('--config FILE finds the socket from the configuration', async (c) => {
  const r = (await evsectl(['--config', c.evsed.configPath, '--json', 'status']));
  assert.is(r.code, 0);
  assert.is(JSON.parse(r.out).identity, 'CP-TEST-1');
});

test.run();
