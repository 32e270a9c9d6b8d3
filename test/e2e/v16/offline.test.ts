/**
 * OCPP 1.6 offline behaviour end to end (1.6 §3.7, R-O1 … R-O5): the CSMS goes away and comes
 * back, transactions start offline, messages fail and are retried — nothing is lost, nothing is
 * duplicated, order is kept.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rpcError, TestCsms, type RecordedMessage } from '../../peers/csms.js';
import { EvsedProcess, eventually } from '../../support/evsed.js';
import { answerTo, callsSince, sleep, status, txMessages, waitAccepted, waitState } from '../../support/station.js';

interface Ctx {
  csms: TestCsms;
  evsed: EvsedProcess;
}
const test = suite<{ ctx?: Ctx }>('1.6 offline');

const FAST_RECONNECT = { RetryBackOffWaitMinimum: 1, RetryBackOffRandomRange: 0, RetryBackOffRepeatTimes: 0 };

async function start(settings: Record<string, string | number | boolean> = {}, csmsOpts: Parameters<typeof TestCsms.start>[0] = {}): Promise<Ctx> {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'], ...csmsOpts });
  const evsed = new EvsedProcess({
    csmsUrl: csms.url,
    connectors: 1,
    timeScale: 60,
    settings: { MeterValueSampleInterval: 0, ...FAST_RECONNECT, ...settings },
  });
  try {
    await evsed.start();
    await waitAccepted(evsed);
  } catch (err) {
    // Leave nothing running behind a failed start, or the test file never exits.
    await evsed.dispose();
    await csms.stop();
    throw err;
  }
  return { csms, evsed };
}

test.after.each(async (c) => {
  if (!c.ctx) return;
  await c.ctx.evsed.dispose();
  await c.ctx.csms.stop();
  c.ctx = undefined;
});

/**
 * Every transaction message delivered once. The one message in flight when the link drops may be
 * sent again (its answer never came: at-least-once); that is at most one repeat per outage.
 */
function assertNoDuplicates(calls: RecordedMessage[], outages = 1): void {
  const seen = new Set<string>();
  let repeats = 0;
  for (const m of calls) {
    const key = `${m.action}:${JSON.stringify(m.payload)}`;
    if (seen.has(key)) repeats += 1;
    seen.add(key);
  }
  assert.ok(repeats <= outages, `${repeats} repeated messages for ${outages} outage(s)`);
}

test('R-O1/R-O3 - CSMS down mid-transaction: MeterValues and StopTransaction queued, replayed in order with the transactionId after the restart', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ MeterValueSampleInterval: 1 }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'OFF-1', connector: 1 });
  const startTx = await csms.waitForCall('StartTransaction', { since });
  const txId = (await answerTo(csms, startTx)).payload.transactionId;
  await eventually(() => callsSince(csms, 'MeterValues', since).length >= 1, 3000, 'a MeterValues online');
  await csms.goDown();
  await sleep(2500);
  await evsed.ctl('sim.swipe', { token: 'OFF-1', connector: 1 });
  await waitState(evsed, 1, 'finishing');
  const queued = (await status(evsed)).queue.depth;
  assert.ok(queued >= 3, `only ${queued} messages queued`);
  await csms.comeBack();
  const stop = await csms.waitForCall('StopTransaction', { since, timeoutMs: 8000 });
  assert.is(stop.payload.transactionId, txId);
  assert.is(stop.payload.reason, 'Local');
  await eventually(async () => (await status(evsed)).queue.depth === 0, 3000, 'queue empty');
  const tx = txMessages(csms, since);
  assert.is(tx[0]![0], 'StartTransaction');
  assert.is(tx.at(-1)![0], 'StopTransaction');
  const mv = callsSince(csms, 'MeterValues', since);
  assert.ok(mv.length >= 3);
  assert.ok(mv.every((m) => m.payload.transactionId === txId));
  const stamps = mv.map((m) => Date.parse(m.payload.meterValue[0].timestamp));
  assert.equal(stamps, [...stamps].sort((a, b) => a - b), 'MeterValues out of order');
  assertNoDuplicates(csms.calls().filter((m) => m.seq >= since));
  // No BootNotification again after a reconnect without a restart (R-B9).
  assert.is(csms.calls('BootNotification').length, 1);
  assert.equal(csms.violations(), []);
});

test('R-O3 / 16 §3.5.4 - transaction started offline (AllowOfflineTxForUnknownId): StartTransaction first after reconnect, later messages get its transactionId', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ MeterValueSampleInterval: 1, AllowOfflineTxForUnknownId: true, LocalAuthorizeOffline: true }));
  const since = csms.mark();
  await csms.goDown();
  await eventually(async () => !(await status(evsed)).csms.connected, 3000, 'offline');
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'UNKNOWN-7', connector: 1 })).action, 'started');
  await waitState(evsed, 1, 'charging');
  await sleep(2200);
  await evsed.ctl('sim.unplug', { connector: 1 });
  await waitState(evsed, 1, 'available');
  await csms.comeBack();
  const stop = await csms.waitForCall('StopTransaction', { since, timeoutMs: 8000 });
  const startTx = callsSince(csms, 'StartTransaction', since)[0]!;
  const txId = (await answerTo(csms, startTx)).payload.transactionId;
  assert.is(stop.payload.transactionId, txId);
  assert.is(stop.payload.reason, 'EVDisconnected');
  const order = txMessages(csms, since).map(([a]) => a);
  assert.is(order[0], 'StartTransaction');
  assert.is(order.at(-1), 'StopTransaction');
  assert.ok(callsSince(csms, 'MeterValues', since).every((m) => m.payload.transactionId === txId));
  // The start time is the real (offline) start, before the reconnect.
  assert.ok(Date.parse(startTx.payload.timestamp) < startTx.at - 1500);
});

test('16 §3.5.4 - offline without unknown-ID mode: an unknown card is refused; a card in the local list is accepted', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ AllowOfflineTxForUnknownId: false, LocalAuthorizeOffline: true }));
  assert.is(
    (await csms.call('SendLocalList', { listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: 'LISTED-1', idTagInfo: { status: 'Accepted' } }] })).status,
    'Accepted',
  );
  await csms.goDown();
  await eventually(async () => !(await status(evsed)).csms.connected, 3000, 'offline');
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'STRANGER', connector: 1 })).action, 'refused');
  assert.is((await evsed.ctl('sim.swipe', { token: 'LISTED-1', connector: 1 })).action, 'started');
  await waitState(evsed, 1, 'charging');
});

test('R-O2 / 16 §3.7.1 - CALLERROR on StartTransaction: resent after interval × attempts, then delivered', async (c) => {
  let refusals = 0;
  const { csms, evsed } = (c.ctx = await start({ TransactionMessageAttempts: 3, TransactionMessageRetryInterval: 1 }, {
    handlers: {
      StartTransaction: (_p: any, _c: unknown, ctx: any) => {
        refusals += 1;
        if (refusals <= 2) throw rpcError('InternalError', 'database busy');
        return ctx.fallback();
      },
    },
  }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'RETRY-1', connector: 1 });
  await eventually(() => callsSince(csms, 'StartTransaction', since).length === 3, 8000, 'third attempt');
  const at = callsSince(csms, 'StartTransaction', since).map((m) => m.at);
  const gap1 = at[1]! - at[0]!;
  const gap2 = at[2]! - at[1]!;
  assert.ok(gap1 >= 900 && gap1 < 1800, `first retry after ${gap1} ms (expected 1 × 1 s)`);
  assert.ok(gap2 >= 1900 && gap2 < 2800, `second retry after ${gap2} ms (expected 2 × 1 s)`);
  await answerTo(csms, callsSince(csms, 'StartTransaction', since)[2]!);
  await eventually(async () => (await status(evsed)).queue.depth === 0, 3000, 'delivered');
});

test('R-O3 / errata 3.18 - StartTransaction given up after its last attempt: later messages use transactionId -1', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ TransactionMessageAttempts: 2, TransactionMessageRetryInterval: 1 }, {
    handlers: { StartTransaction: () => { throw rpcError('InternalError', 'always failing'); } },
  }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'LOST-1', connector: 1 });
  await eventually(() => callsSince(csms, 'StartTransaction', since).length === 2, 5000, 'two attempts');
  await waitState(evsed, 1, 'charging');
  await evsed.ctl('sim.swipe', { token: 'LOST-1', connector: 1 });
  const stop = await csms.waitForCall('StopTransaction', { since, timeoutMs: 5000 });
  assert.is(stop.payload.transactionId, -1);
  await sleep(1500);
  assert.is(callsSince(csms, 'StartTransaction', since).length, 2, 'no third attempt');
});

test('R-O2 - time offline does not use up attempts (TransactionMessageAttempts=1): queued messages are delivered once the link is back', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ TransactionMessageAttempts: 1, AllowOfflineTxForUnknownId: true }));
  const since = csms.mark();
  await csms.goDown();
  await eventually(async () => !(await status(evsed)).csms.connected, 3000, 'offline');
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'PATIENT-1', connector: 1 })).action, 'started');
  await waitState(evsed, 1, 'charging');
  await evsed.ctl('sim.swipe', { token: 'PATIENT-1', connector: 1 });
  // Several reconnect attempts fail meanwhile (1 s back-off).
  await sleep(3500);
  assert.is((await status(evsed)).queue.depth, 2);
  await csms.comeBack();
  await csms.waitForCall('StopTransaction', { since, timeoutMs: 8000 });
  assert.equal(txMessages(csms, since).map(([a]) => a), ['StartTransaction', 'StopTransaction']);
  await eventually(async () => (await status(evsed)).queue.depth === 0, 3000, 'queue empty');
});

test('R-O5 / TC_037 - after an outage only the current status is reported, not the history', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ AllowOfflineTxForUnknownId: true }));
  await csms.goDown();
  await eventually(async () => !(await status(evsed)).csms.connected, 3000, 'offline');
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'ANY-1', connector: 1 });
  await waitState(evsed, 1, 'charging');
  const since = csms.mark();
  await csms.comeBack();
  await csms.waitForCall('StartTransaction', { since, timeoutMs: 8000 });
  await sleep(600);
  const notes = callsSince(csms, 'StatusNotification', since).filter((m) => m.payload.connectorId === 1);
  assert.equal(notes.map((m) => m.payload.status), ['Charging']);
});

test.run();
