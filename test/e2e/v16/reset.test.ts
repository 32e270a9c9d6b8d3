/**
 * OCPP 1.6 Reset end to end (16 §5.14, errata 3.36 / 3.82, OCTT TC_013–016_CS): answered first,
 * running transactions stopped with SoftReset / HardReset while the connector shows Finishing,
 * then the station restarts inside the same process and registers again; availability set by
 * ChangeAvailability survives the reset.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { neverAnswer } from '../../peers/csms.js';
import { eventually } from '../../support/evsed.js';
import { answerTo, callsSince, status, waitState } from '../../support/station.js';
import { disposeRig, startRig, statuses, waitRestart, waitStatus, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('1.6 Reset');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

async function resetWithTransaction(c: { rig?: Rig }, type: 'Soft' | 'Hard', reason: string): Promise<void> {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  const pid = evsed.pid;
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'RESET-1', connector: 1 });
  const startTx = await csms.waitForCall('StartTransaction', { since });
  const txId = (await answerTo(csms, startTx)).payload.transactionId;
  await waitState(evsed, 1, 'charging');
  const mark = csms.mark();
  assert.equal(await csms.call('Reset', { type }), { status: 'Accepted' });
  const stop = await csms.waitForCall('StopTransaction', { since: mark });
  assert.is(stop.payload.transactionId, txId);
  assert.is(stop.payload.reason, reason);
  const boot = await waitRestart(rig, mark);
  // Before the restart the connector showed Finishing, never Unavailable (TC_016_CS; ocpp-rules 1d).
  const before = csms.calls('StatusNotification').filter((m) => m.seq >= mark && m.seq < boot.seq).map((m) => m.payload);
  const before1 = before.filter((p) => p.connectorId === 1).map((p) => p.status);
  assert.not.ok(before.some((p) => p.status === 'Unavailable'), `an Unavailable before the restart: ${JSON.stringify(before)}`);
  // Soft: stopped gracefully before the restart. Hard: the StopTransaction may also follow the new
  // registration (errata 3.82); when it went out before, so did Finishing ([PNA] TC_015_CS).
  if (type === 'Soft') assert.ok(stop.seq < boot.seq, 'StopTransaction after the new BootNotification');
  if (stop.seq < boot.seq) {
    assert.ok(before1.includes('Finishing'), `statuses of connector 1 before the BootNotification: ${before1.join(', ')}`);
  }
  // In-process restart: same OS process, a new registration, then every connector's status (errata 3.22).
  assert.is(evsed.pid, pid);
  assert.ok(evsed.running);
  for (const id of [0, 1, 2]) await waitStatus(csms, id, id === 1 ? 'Preparing' : 'Available', boot.seq);
  assert.is(csms.calls('StopTransaction').length, 1, 'the transaction was stopped once');
  assert.equal(csms.violations(), []);
}

test('16 §5.14 / errata 3.36 / TC_016_CS - Reset Soft with a transaction: Accepted, StopTransaction SoftReset, Finishing, BootNotification again', async (c) => {
  await resetWithTransaction(c, 'Soft', 'SoftReset');
});

test('16 §5.14 / errata 3.82 / TC_015_CS - Reset Hard with a transaction: Accepted, StopTransaction HardReset, Finishing, BootNotification again', async (c) => {
  await resetWithTransaction(c, 'Hard', 'HardReset');
});

test('16 §5.14 / errata 3.36 - Reset Soft when the StopTransaction is not answered: it stays queued and is delivered after the new BootNotification', async (c) => {
  const rig = (c.rig = await startRig({
    csms: {
      // The first connection never answers StopTransaction; after the restart it is answered.
      handlers: { StopTransaction: (_p: any, client: any) => (client.info.index === 0 ? neverAnswer() : undefined) },
    },
  }));
  const { csms, evsed } = rig;
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'RESET-Q', connector: 1 });
  const startTx = await csms.waitForCall('StartTransaction', { since });
  const txId = (await answerTo(csms, startTx)).payload.transactionId;
  await waitState(evsed, 1, 'charging');
  const mark = csms.mark();
  assert.equal(await csms.call('Reset', { type: 'Soft' }), { status: 'Accepted' });
  const first = await csms.waitForCall('StopTransaction', { since: mark });
  assert.is(first.payload.reason, 'SoftReset');
  const boot = await waitRestart(rig, mark, 15_000);
  const again = await csms.waitForCall('StopTransaction', { since: boot.seq });
  assert.equal(again.payload, first.payload, 'the queued StopTransaction, unchanged');
  assert.is(again.payload.transactionId, txId);
  const answer = await answerTo(csms, again);
  assert.is(answer.type, 'CALLRESULT');
  await eventually(async () => (await status(evsed)).queue.depth === 0, 3000, 'queue empty');
  assert.is(callsSince(csms, 'StopTransaction', mark).length, 2);
  assert.equal(csms.violations(), []);
});

for (const [type, tc] of [['Soft', 'TC_014_CS'], ['Hard', 'TC_013_CS']] as const) {
  test(`16 §5.14 / ${tc} - Reset ${type} without a transaction: Accepted, no StopTransaction, a new BootNotification and every status`, async (c) => {
    const { csms, evsed } = (c.rig = await startRig());
    const mark = csms.mark();
    assert.equal(await csms.call('Reset', { type }), { status: 'Accepted' });
    const boot = await waitRestart(c.rig, mark);
    for (const id of [0, 1, 2]) await waitStatus(csms, id, 'Available', boot.seq);
    assert.is(csms.calls('StopTransaction').length, 0);
    assert.is(csms.connections.length, 2, 'the restarted station opened a new connection');
    assert.ok(evsed.running);
  });
}

for (const type of ['Soft', 'Hard'] as const) {
  test(`16 §4.9, §5.2 / ocpp-rules 1h - a connector made Inoperative stays Unavailable across Reset ${type}`, async (c) => {
    const { csms, evsed } = (c.rig = await startRig());
    assert.equal(await csms.call('ChangeAvailability', { connectorId: 2, type: 'Inoperative' }), { status: 'Accepted' });
    await waitStatus(csms, 2, 'Unavailable');
    const mark = csms.mark();
    assert.equal(await csms.call('Reset', { type }), { status: 'Accepted' });
    const boot = await waitRestart(c.rig, mark);
    await waitStatus(csms, 1, 'Available', boot.seq);
    await waitStatus(csms, 2, 'Unavailable', boot.seq);
    await waitStatus(csms, 0, 'Available', boot.seq);
    assert.equal(statuses(csms, 2, boot.seq), ['Unavailable']);
    assert.is((await evsed.ctl('status')).connectors[1].ocppStatus, 'Unavailable');
    assert.equal(csms.violations(), []);
  });
}

test.run();
