/**
 * Power loss mid-transaction (evsed killed with SIGKILL, then started again on the same data
 * directory), OCPP 1.6 — the policy README documents:
 *   - the hardware still shows the EV connected → the transaction is resumed (no new
 *     StartTransaction; it goes on and is stopped once, with its original transactionId);
 *   - the EV left meanwhile → StopTransaction with reason PowerLoss, the last persisted meter
 *     reading and its time.
 * Also: the CSMS down and evsed killed at the same time. Nothing lost, nothing duplicated.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { TestCsms } from '../../peers/csms.js';
import { EvsedProcess, eventually, type EvsedOptions } from '../../support/evsed.js';
import { answerTo, callsSince, sleep, status, txMessages, waitAccepted, waitState } from '../../support/station.js';

const test = suite<{ csms?: TestCsms; procs: EvsedProcess[]; dir?: string }>('1.6 power loss', { procs: [] });

const SETTINGS = {
  MeterValueSampleInterval: 1,
  RetryBackOffWaitMinimum: 1,
  RetryBackOffRandomRange: 0,
  RetryBackOffRepeatTimes: 0,
  AllowOfflineTxForUnknownId: true,
};

test.after.each(async (c) => {
  for (const p of c.procs.splice(0)) await p.kill9();
  if (c.dir) rmSync(c.dir, { recursive: true, force: true });
  c.dir = undefined;
  await c.csms?.stop();
  c.csms = undefined;
});

async function launch(c: { procs: EvsedProcess[]; dir?: string }, opts: EvsedOptions): Promise<EvsedProcess> {
  const p = new EvsedProcess({ ...opts, ...(c.dir ? { dataDir: c.dir } : {}) });
  c.dir = p.dataDir;
  c.procs.push(p);
  await p.start();
  return p;
}

test('R-O6 - killed mid-transaction, EV still connected: resumed, no new StartTransaction, one StopTransaction with the original id', async (c) => {
  const csms = (c.csms = await TestCsms.start({ protocols: ['ocpp1.6'] }));
  const opts = { csmsUrl: csms.url, timeScale: 60, settings: SETTINGS };
  const first = await launch(c, opts);
  await waitAccepted(first);
  const since = csms.mark();
  await first.ctl('sim.plug', { connector: 1 });
  await first.ctl('sim.swipe', { token: 'KILL-1', connector: 1 });
  const startTx = await csms.waitForCall('StartTransaction', { since });
  const txId = (await answerTo(csms, startTx)).payload.transactionId;
  await waitState(first, 1, 'charging');
  await sleep(1500);
  const before = (await status(first)).connectors[0]!.energyWh;
  await first.kill9();
  const second = await launch(c, opts);
  await waitAccepted(second);
  await waitState(second, 1, 'charging');
  const s = await status(second);
  assert.is(s.connectors[0]!.session?.token, 'KILL-1');
  assert.is(s.connectors[0]!.session?.transactionId, String(txId));
  assert.ok(s.connectors[0]!.energyWh >= before - 500, 'meter register kept across the restart');
  await sleep(1200);
  await second.ctl('sim.swipe', { token: 'KILL-1', connector: 1 });
  const stop = await csms.waitForCall('StopTransaction', { since, timeoutMs: 5000 });
  assert.is(stop.payload.transactionId, txId);
  assert.is(stop.payload.reason, 'Local');
  assert.is(callsSince(csms, 'StartTransaction', since).length, 1);
  assert.is(callsSince(csms, 'StopTransaction', since).length, 1);
  assert.is(callsSince(csms, 'BootNotification').length, 2);
  assert.ok(callsSince(csms, 'MeterValues', since).every((m) => m.payload.transactionId === txId));
  assert.equal(csms.violations(), []);
});

test('R-O6 - killed mid-transaction, EV gone meanwhile: StopTransaction reason PowerLoss with the last persisted reading', async (c) => {
  const csms = (c.csms = await TestCsms.start({ protocols: ['ocpp1.6'] }));
  const opts = { csmsUrl: csms.url, timeScale: 60, settings: SETTINGS };
  const first = await launch(c, opts);
  await waitAccepted(first);
  const since = csms.mark();
  await first.ctl('sim.plug', { connector: 1 });
  await first.ctl('sim.swipe', { token: 'KILL-2', connector: 1 });
  const startTx = await csms.waitForCall('StartTransaction', { since });
  const txId = (await answerTo(csms, startTx)).payload.transactionId;
  await eventually(() => callsSince(csms, 'MeterValues', since).length >= 2, 4000, 'samples');
  const lastSample = callsSince(csms, 'MeterValues', since).at(-1)!;
  const killedAt = Date.now();
  await first.kill9();
  // The car drove away while evsed was down: the board no longer has an EV.
  const stateFile = path.join(c.dir!, 'sim-board.json');
  const saved = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(stateFile, 'utf8')));
  saved.connectors[0].ev = null;
  await import('node:fs').then((fs) => fs.writeFileSync(stateFile, JSON.stringify(saved)));
  const second = await launch(c, opts);
  await waitAccepted(second);
  const stop = await csms.waitForCall('StopTransaction', { since, timeoutMs: 5000 });
  assert.is(stop.payload.transactionId, txId);
  assert.is(stop.payload.reason, 'PowerLoss');
  const lastWh = Number(lastSample.payload.meterValue[0].sampledValue.find((v: any) => v.measurand === 'Energy.Active.Import.Register').value);
  assert.ok(stop.payload.meterStop >= lastWh, `meterStop ${stop.payload.meterStop} < last sample ${lastWh}`);
  assert.ok(Date.parse(stop.payload.timestamp) <= killedAt, 'stop time is the last persisted reading, before the power cut');
  await waitState(second, 1, 'available');
  assert.is(callsSince(csms, 'StopTransaction', since).length, 1);
});

test('R-O6 - CSMS down and evsed killed at once: everything queued before the kill is delivered once, in order, after both are back', async (c) => {
  const csms = (c.csms = await TestCsms.start({ protocols: ['ocpp1.6'] }));
  const opts = { csmsUrl: csms.url, timeScale: 60, settings: SETTINGS };
  const first = await launch(c, opts);
  await waitAccepted(first);
  const since = csms.mark();
  await csms.goDown();
  await eventually(async () => !(await status(first)).csms.connected, 3000, 'offline');
  await first.ctl('sim.plug', { connector: 1 });
  assert.is((await first.ctl('sim.swipe', { token: 'BOTH-1', connector: 1 })).action, 'started');
  await sleep(2500);
  const queued = (await status(first)).queue.depth;
  assert.ok(queued >= 3, `${queued} queued`);
  await first.kill9();
  const second = await launch(c, opts);
  await waitState(second, 1, 'charging');
  await sleep(1200);
  await second.ctl('sim.swipe', { token: 'BOTH-1', connector: 1 });
  await csms.comeBack();
  const stop = await csms.waitForCall('StopTransaction', { since, timeoutMs: 10_000 });
  const startTx = callsSince(csms, 'StartTransaction', since);
  assert.is(startTx.length, 1);
  const txId = (await answerTo(csms, startTx[0]!)).payload.transactionId;
  assert.is(stop.payload.transactionId, txId);
  const order = txMessages(csms, since).map(([a]) => a);
  assert.is(order[0], 'StartTransaction');
  assert.is(order.at(-1), 'StopTransaction');
  assert.ok(order.filter((a) => a === 'MeterValues').length >= queued - 1);
  const stamps = callsSince(csms, 'MeterValues', since).map((m) => Date.parse(m.payload.meterValue[0].timestamp));
  assert.equal(stamps, [...stamps].sort((a, b) => a - b));
  assert.is(new Set(stamps).size, stamps.length, 'a MeterValues was sent twice');
  // Nothing was sent before the new BootNotification was accepted (R-B2).
  const boot2 = csms.calls('BootNotification')[1]!;
  assert.ok(startTx[0]!.seq > boot2.seq);
});

test.run();
