/**
 * evsectl's technician commands against a running evsed on the simulated board: config, queue,
 * transactions, trace, hw meter/selftest/contactor/lock, bundle, watch — output and exit codes —
 * and the read-only socket for users outside the evsed group.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestCsms } from '../peers/csms.js';
import { EvsedProcess, eventually, runEvsectl as evsectl } from '../support/evsed.js';

const test = suite<{ csms: TestCsms; evsed: EvsedProcess; tmp: string }>('evsectl tools');

test.before(async (c) => {
  c.tmp = mkdtempSync(path.join(os.tmpdir(), 'evsectl-tools-'));
  c.csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  c.evsed = await new EvsedProcess({
    csmsUrl: c.csms.url,
    connectors: 2,
    timeScale: 60,
    settings: { MeterValueSampleInterval: 1 },
    extra: { evses: [1, 2].map((id) => ({ id, connectors: [{ id: 1, maxCurrentA: 32, phases: 3, hasLock: id === 1 }] })) },
  }).start();
  await c.csms.waitForCall('StatusNotification');
});
test.after(async (c) => {
  await c.evsed.dispose();
  await c.csms.stop();
  rmSync(c.tmp, { recursive: true, force: true });
});

const S = (c: { evsed: EvsedProcess }) => ['--socket', c.evsed.socket];

test('config list/get show 1.6 keys with their 2.0.1 variables; config set checks and logs an audit entry', async (c) => {
  const list = await evsectl([...S(c), 'config', 'list']);
  assert.is(list.code, 0);
  assert.match(list.out, /^HeartbeatInterval\s+300\s+RW\s+OCPPCommCtrlr\.HeartbeatInterval$/m);
  assert.match(list.out, /^NumberOfConnectors\s+2\s+RO/m);
  const get = JSON.parse((await evsectl([...S(c), '--json', 'config', 'get', 'MeterValueSampleInterval'])).out);
  assert.equal({ key: get.key, value: get.value, readonly: get.readonly }, { key: 'MeterValueSampleInterval', value: '1', readonly: false });
  const ok = await evsectl([...S(c), 'config', 'set', 'HeartbeatInterval', '120']);
  assert.is(ok.code, 0);
  assert.is(ok.out.trim(), 'HeartbeatInterval: Accepted');
  const bad = await evsectl([...S(c), 'config', 'set', 'HeartbeatInterval', 'soon']);
  assert.is(bad.code, 1);
  assert.match(bad.err, /HeartbeatInterval must be a whole number \[refused\]/);
  const ro = await evsectl([...S(c), 'config', 'set', 'NumberOfConnectors', '4']);
  assert.is(ro.code, 1);
  assert.match(ro.err, /read-only/);
  // Same checks through the 2.0.1 name.
  const v = await evsectl([...S(c), 'config', 'set', 'OCPPCommCtrlr.HeartbeatInterval', '90']);
  assert.is(v.code, 0);
  assert.is(JSON.parse((await evsectl([...S(c), '--json', 'config', 'get', 'HeartbeatInterval'])).out).value, '90');
  await eventually(
    () => c.evsed.logRecords().some((r) => r.msg === 'configuration change' && r.by === 'technician' && r.key === 'HeartbeatInterval' && r.value === '120'),
    2000,
    'audit log entry',
  );
});

test('hw meter reads every connector now; hw selftest passes on an idle connector with a clear table', async (c) => {
  const meter = await evsectl([...S(c), 'hw', 'meter']);
  assert.is(meter.code, 0);
  assert.match(meter.out, /^CONN\s+ENERGY\s+POWER/m);
  assert.is(meter.out.trim().split('\n').length, 3);
  const st = await evsectl([...S(c), 'hw', 'selftest', '1']);
  assert.is(st.code, 0, st.err);
  for (const step of ['pilot', 'contactorClose', 'contactorOpen', 'lock', 'unlock', 'rcd']) assert.match(st.out, new RegExp(`^${step}\\s+PASS`, 'm'));
  assert.match(st.out, /PASSED/);
  const noLock = JSON.parse((await evsectl([...S(c), '--json', 'hw', 'selftest', '2'])).out);
  assert.is(noLock.passed, true);
  assert.equal(noLock.steps.find((s: { step: string }) => s.step === 'lock'), { step: 'lock', result: 'skipped', detail: 'no lock on this connector' });
});

test('hw commands refuse a connector in use: selftest with an EV; contactor/lock during a transaction unless --force', async (c) => {
  await c.evsed.ctl('sim.plug', { connector: 1 });
  const st = await evsectl([...S(c), 'hw', 'selftest', '1']);
  assert.is(st.code, 1);
  assert.match(st.err, /not idle .*unplug the vehicle first \[refused\]/);
  await c.evsed.ctl('sim.swipe', { token: 'TOOLS-1', connector: 1 });
  await eventually(async () => (await c.evsed.ctl('status')).connectors[0].state === 'charging', 3000, 'charging');
  const open = await evsectl([...S(c), 'hw', 'lock', '1', 'unlock']);
  assert.is(open.code, 1);
  assert.match(open.err, /running session; add --force/);
  const forced = await evsectl([...S(c), 'hw', 'lock', '1', 'unlock', '--force']);
  assert.is(forced.code, 0);
  assert.match(forced.out, /connector 1: unlocked/);
  await c.evsed.ctl('sim.swipe', { token: 'TOOLS-1', connector: 1 });
  await c.evsed.ctl('sim.unplug', { connector: 1 });
});

test('limit set/clear: the local limit of an energy manager, applied at once; bad arguments are usage errors', async (c) => {
  const set = await evsectl([...S(c), 'limit', 'set', '2', '12.5']);
  assert.is(set.code, 0, set.err);
  assert.match(set.out, /connector 2: local limit 12\.5 A, applied now 12\.5 A/);
  const status = JSON.parse((await evsectl([...S(c), '--json', 'status'])).out);
  assert.is(status.connectors[1].limitA, 12.5);
  const station = await evsectl([...S(c), 'limit', 'set', '0', '20']);
  assert.is(station.code, 0, station.err);
  assert.match(station.out, /connector 0: local limit 20 A/);
  assert.is((await evsectl([...S(c), 'limit', 'clear', '0'])).code, 0);
  const cleared = await evsectl([...S(c), 'limit', 'clear', '2']);
  assert.is(cleared.code, 0);
  assert.match(cleared.out, /connector 2: local limit cleared, applied now 32 A/);
  const bad = await evsectl([...S(c), 'limit', 'set', '2', 'lots']);
  assert.is(bad.code, 2, bad.out + bad.err);
  const refused = await evsectl([...S(c), 'limit', 'set', '9', '10']);
  assert.is(refused.code, 1);
  assert.match(refused.err + refused.out, /no connector 9/);
  const ro = await evsectl(['--socket', `${c.evsed.socket}.ro`, 'limit', 'set', '1', '10']);
  assert.is(ro.code, 1);
  assert.match(ro.err + ro.out, /needs root or membership of the evsed group/);
});

test('queue, transactions and trace show what happened', async (c) => {
  const q = JSON.parse((await evsectl([...S(c), '--json', 'queue'])).out);
  assert.is(q.depth, 0);
  assert.equal(q.messages, []);
  const t = await evsectl([...S(c), 'transactions']);
  assert.is(t.code, 0);
  assert.match(t.out, /^\S+\s+1\s+TOOLS-1\s+stopped\s+[\d.]+ kWh\s+\S+\s+local/m);
  const tr = await evsectl([...S(c), 'trace', '5']);
  assert.is(tr.code, 0);
  assert.is(tr.out.trim().split('\n').length, 5);
  assert.match(tr.out, /CS → CSMS|CSMS → CS/);
});

test('bundle writes a tar.gz with version, redacted config, status, hardware, database summary, logs and frames', async (c) => {
  const file = path.join(c.tmp, 'support.tar.gz');
  const r = await evsectl([...S(c), 'bundle', file]);
  assert.is(r.code, 0, r.err);
  assert.ok(statSync(file).size > 200);
  const list = spawnSync('tar', ['-tzf', file], { encoding: 'utf8' });
  assert.is(list.status, 0, list.stderr);
  const names = list.stdout.trim().split('\n').map((n) => n.split('/').pop());
  assert.equal(names.sort(), ['config.json', 'database.json', 'frames.jsonl', 'hardware.json', 'logs.jsonl', 'status.json', 'version.txt']);
  const cfg = spawnSync('tar', ['-xzOf', file, '--wildcards', '*/config.json'], { encoding: 'utf8' });
  assert.is(JSON.parse(cfg.stdout).identity, 'CP-TEST-1');
  const hw = spawnSync('tar', ['-xzOf', file, '--wildcards', '*/hardware.json'], { encoding: 'utf8' });
  assert.is(JSON.parse(hw.stdout).driver, 'sim');
});

test('hw info: the driver and its devices, one row each; --json gives the same', async (c) => {
  const r = await evsectl([...S(c), 'hw', 'info']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^driver sim\n\nKIND +DEVICE +STATE +DETAIL +COUNTERS\nboard +sim board +running +\d connector\(s\), no physical devices/);
  const j = await evsectl([...S(c), '--json', 'hw', 'info']);
  assert.is(JSON.parse(j.out).devices[0].kind, 'board');
});

test('the read-only socket answers questions and refuses changes with a clear message', async (c) => {
  const ro = `${c.evsed.socket}.ro`;
  assert.ok(existsSync(ro));
  assert.is((statSync(c.evsed.socket).mode & 0o777).toString(8), '660');
  assert.is((statSync(ro).mode & 0o777).toString(8), '666');
  const status = await evsectl(['--socket', ro, 'status']);
  assert.is(status.code, 0);
  const set = await evsectl(['--socket', ro, 'config', 'set', 'HeartbeatInterval', '60']);
  assert.is(set.code, 1);
  assert.match(set.err, /needs root or membership of the evsed group \[notPermitted\]/);
  const plug = await evsectl(['--socket', ro, 'sim', 'plug', '2']);
  assert.is(plug.code, 1);
  assert.match(plug.err, /notPermitted/);
});

test('watch --json prints a status line per refresh until interrupted', async (c) => {
  const r = await evsectl([...S(c), '--json', 'watch', '--interval', '1'], 2500);
  const lines = r.out.trim().split('\n').filter(Boolean);
  assert.ok(lines.length >= 2, `${lines.length} refreshes`);
  assert.is(JSON.parse(lines[0]!).identity, 'CP-TEST-1');
});

test.run();
