/**
 * OCPP 2.0.1 offline behaviour and power loss end to end (E04, E11–E13, R-O9 … R-O13): the CSMS goes
 * away, transactions run and start offline, messages fail and are retried, evsed is killed with
 * SIGKILL — TransactionEvents are delivered once, in order, with continuous seqNo and offline=true
 * on what happened or waited offline.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rpcError, TestCsms, type RecordedMessage } from '../../peers/csms.js';
import { EvsedProcess, eventually, type EvsedOptions } from '../../support/evsed.js';
import { callsSince, sleep, status, waitAccepted, waitState } from '../../support/station.js';

const test = suite<{ csms?: TestCsms; procs: EvsedProcess[]; dir?: string }>('2.0.1 offline', { procs: [] });

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

async function launch(c: { procs: EvsedProcess[]; dir?: string }, opts: Omit<EvsedOptions, 'protocols'>): Promise<EvsedProcess> {
  const p = new EvsedProcess({ protocols: ['ocpp2.0.1'], timeScale: 60, ...opts, ...(c.dir ? { dataDir: c.dir } : {}) });
  c.dir = p.dataDir;
  c.procs.push(p);
  await p.start();
  return p;
}

const events = (csms: TestCsms, since: number): RecordedMessage[] => callsSince(csms, 'TransactionEvent', since);

/**
 * A message in flight when the link drops is sent again (at-least-once: its answer never came).
 * Such a retransmission has the same seqNo and content (plus offline=true); drop it before
 * checking — at most one per outage.
 */
function withoutRetransmissions(list: RecordedMessage[], outages = 1): RecordedMessage[] {
  const out: RecordedMessage[] = [];
  let repeats = 0;
  for (const m of list) {
    const prev = out.find((x) => x.payload.seqNo === m.payload.seqNo);
    if (prev) {
      const { offline: _a, ...a } = prev.payload;
      const { offline: _b, ...b } = m.payload;
      assert.equal(b, a, `seqNo ${m.payload.seqNo} sent twice with different content`);
      repeats += 1;
      continue;
    }
    out.push(m);
  }
  assert.ok(repeats <= outages, `${repeats} retransmissions for ${outages} outage(s)`);
  return out;
}

function assertOneTransactionInOrder(all: RecordedMessage[], outages = 1): string {
  const list = withoutRetransmissions(all, outages);
  const id = list[0]!.payload.transactionInfo.transactionId as string;
  assert.ok(list.every((m) => m.payload.transactionInfo.transactionId === id), 'one transaction');
  assert.equal(list.map((m) => m.payload.seqNo), list.map((_, i) => i), 'seqNo 0, 1, 2 … without gap or repeat');
  assert.is(list[0]!.payload.eventType, 'Started');
  assert.is(list.filter((m) => m.payload.eventType === 'Started').length, 1);
  assert.is(list.filter((m) => m.payload.eventType === 'Ended').length, 1);
  assert.is(list.at(-1)!.payload.eventType, 'Ended');
  return id;
}

test('E04.FR.01-03 / E11.FR.07 - CSMS down mid-transaction: events queued, replayed in order after it is back, offline=true on those', async (c) => {
  const csms = (c.csms = await TestCsms.start({ protocols: ['ocpp2.0.1'] }));
  const evsed = await launch(c, { csmsUrl: csms.url, settings: SETTINGS });
  await waitAccepted(evsed);
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'OFF-1', connector: 1 });
  await csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Started' });
  const online = events(csms, since).length;
  await csms.goDown();
  await eventually(async () => !(await status(evsed)).csms.connected, 3000, 'offline');
  const downAt = Date.now();
  await sleep(2200);
  await evsed.ctl('sim.swipe', { token: 'OFF-1', connector: 1 });
  const backAt = Date.now();
  await csms.comeBack();
  await csms.waitForCall('TransactionEvent', { since, timeoutMs: 8000, match: (p) => p.eventType === 'Ended' });
  const list = withoutRetransmissions(events(csms, since));
  assertOneTransactionInOrder(list);
  // Everything that happened while the station knew the link was down was sent later, and says
  // so. (An Updated event right after Started may still go out online, before the outage is seen:
  // only the events stamped inside the known outage are checked here.)
  const replayed = list.filter((m) => {
    const t = Date.parse(m.payload.timestamp);
    return t >= downAt && t < backAt;
  });
  assert.ok(replayed.length >= 3, `${replayed.length} events replayed`);
  assert.ok(replayed.every((m) => m.payload.offline === true), 'every replayed event carries offline=true');
  assert.ok(list.slice(0, online).every((m) => m.payload.offline === undefined), 'online events do not');
  assert.is(csms.calls('BootNotification').length, 1);
  assert.equal(csms.violations(), []);
});

test('E04 / C15 - transaction started offline with an unknown token (OfflineTxForUnknownIdEnabled): Started offline=true delivered first', async (c) => {
  const csms = (c.csms = await TestCsms.start({ protocols: ['ocpp2.0.1'] }));
  const evsed = await launch(c, { csmsUrl: csms.url, settings: SETTINGS });
  await waitAccepted(evsed);
  const since = csms.mark();
  await csms.goDown();
  await eventually(async () => !(await status(evsed)).csms.connected, 3000, 'offline');
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'NEW-1', connector: 1 })).action, 'started');
  await waitState(evsed, 1, 'charging');
  await sleep(1500);
  await evsed.ctl('sim.unplug', { connector: 1 });
  await csms.comeBack();
  await csms.waitForCall('TransactionEvent', { since, timeoutMs: 8000, match: (p) => p.eventType === 'Ended' });
  const list = events(csms, since);
  assertOneTransactionInOrder(list);
  assert.ok(list.every((m) => m.payload.offline === true));
  assert.ok(Date.parse(list[0]!.payload.timestamp) < list[0]!.at - 1000, 'Started carries the time it happened');
});

test('E13.FR.01-03 - a CALLERROR on TransactionEvent: resent after MessageAttemptInterval × attempts', async (c) => {
  let refusals = 0;
  const csms = (c.csms = await TestCsms.start({
    protocols: ['ocpp2.0.1'],
    handlers: {
      TransactionEvent: (p: any) => {
        if (p.eventType === 'Started' && refusals++ < 2) throw rpcError('InternalError', 'busy');
        return {};
      },
    },
  }));
  const evsed = await launch(c, { csmsUrl: csms.url, settings: { ...SETTINGS, MeterValueSampleInterval: 0, TransactionMessageAttempts: 3, TransactionMessageRetryInterval: 1 } });
  await waitAccepted(evsed);
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'RETRY-1', connector: 1 });
  await eventually(() => events(csms, since).filter((m) => m.payload.eventType === 'Started').length === 3, 8000, 'three attempts');
  const at = events(csms, since).filter((m) => m.payload.eventType === 'Started').map((m) => m.at);
  assert.ok(at[1]! - at[0]! >= 900 && at[1]! - at[0]! < 1800, `first retry after ${at[1]! - at[0]!} ms`);
  assert.ok(at[2]! - at[1]! >= 1900 && at[2]! - at[1]! < 2800, `second retry after ${at[2]! - at[1]!} ms`);
  // The same event each time (same seqNo): a retry is not a new event.
  assert.equal(events(csms, since).filter((m) => m.payload.eventType === 'Started').map((m) => m.payload.seqNo), [0, 0, 0]);
});

test('R-O6 - killed mid-transaction, EV still connected: resumed; seqNo continues; one Started, one Ended', async (c) => {
  const csms = (c.csms = await TestCsms.start({ protocols: ['ocpp2.0.1'] }));
  const first = await launch(c, { csmsUrl: csms.url, settings: SETTINGS });
  await waitAccepted(first);
  const since = csms.mark();
  await first.ctl('sim.plug', { connector: 1 });
  await first.ctl('sim.swipe', { token: 'KILL-1', connector: 1 });
  await eventually(() => events(csms, since).length >= 3, 4000, 'some events');
  await first.kill9();
  const second = await launch(c, { csmsUrl: csms.url, settings: SETTINGS });
  await waitAccepted(second);
  await waitState(second, 1, 'charging');
  await sleep(1200);
  await second.ctl('sim.swipe', { token: 'KILL-1', connector: 1 });
  await csms.waitForCall('TransactionEvent', { since, timeoutMs: 5000, match: (p) => p.eventType === 'Ended' });
  const list = events(csms, since);
  assertOneTransactionInOrder(list);
  assert.is(list.at(-1)!.payload.transactionInfo.stoppedReason, 'Local');
  assert.equal(csms.violations(), []);
});

test('R-O6 - killed mid-transaction, EV gone meanwhile: Ended with stoppedReason PowerLoss after the restart', async (c) => {
  const csms = (c.csms = await TestCsms.start({ protocols: ['ocpp2.0.1'] }));
  const first = await launch(c, { csmsUrl: csms.url, settings: SETTINGS });
  await waitAccepted(first);
  const since = csms.mark();
  await first.ctl('sim.plug', { connector: 1 });
  await first.ctl('sim.swipe', { token: 'KILL-2', connector: 1 });
  await eventually(() => events(csms, since).length >= 3, 4000, 'some events');
  const killedAt = Date.now();
  await first.kill9();
  const stateFile = path.join(c.dir!, 'sim-board.json');
  const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
  saved.connectors[0].ev = null;
  writeFileSync(stateFile, JSON.stringify(saved));
  const second = await launch(c, { csmsUrl: csms.url, settings: SETTINGS });
  await waitAccepted(second);
  const ended = await csms.waitForCall('TransactionEvent', { since, timeoutMs: 5000, match: (p) => p.eventType === 'Ended' });
  assert.is(ended.payload.transactionInfo.stoppedReason, 'PowerLoss');
  assert.ok(Date.parse(ended.payload.timestamp) <= killedAt);
  assertOneTransactionInOrder(events(csms, since));
});

test('R-O6 - CSMS down and evsed killed at once: everything is delivered once, in order, after both are back', async (c) => {
  const csms = (c.csms = await TestCsms.start({ protocols: ['ocpp2.0.1'] }));
  const first = await launch(c, { csmsUrl: csms.url, settings: SETTINGS });
  await waitAccepted(first);
  const since = csms.mark();
  await csms.goDown();
  await eventually(async () => !(await status(first)).csms.connected, 3000, 'offline');
  await first.ctl('sim.plug', { connector: 1 });
  await first.ctl('sim.swipe', { token: 'BOTH-1', connector: 1 });
  await sleep(2500);
  await first.kill9();
  const second = await launch(c, { csmsUrl: csms.url, settings: SETTINGS });
  await waitState(second, 1, 'charging');
  await sleep(1200);
  await second.ctl('sim.swipe', { token: 'BOTH-1', connector: 1 });
  await csms.comeBack();
  await csms.waitForCall('TransactionEvent', { since, timeoutMs: 10_000, match: (p) => p.eventType === 'Ended' });
  const list = events(csms, since);
  assertOneTransactionInOrder(list);
  assert.ok(list.every((m) => m.payload.offline === true));
  // Nothing but the registration went out before the new BootNotification was accepted (B01.FR.08).
  const boot = csms.calls('BootNotification').at(-1)!;
  assert.ok(list[0]!.seq > boot.seq);
});

test.run();
