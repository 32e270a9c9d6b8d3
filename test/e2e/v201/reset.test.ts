/**
 * OCPP 2.0.1 Reset end to end (B11 without, B12 with transactions; OCTT TC_B_20…TC_B_28_CS;
 * ocpp-rules 1h): answered first; Immediate ends running transactions (ResetCommand /
 * ImmediateReset) and reboots with reason RemoteReset; OnIdle waits for the transactions and
 * reboots with ScheduledReset; an EVSE reset is Rejected; Unavailable and Reserved persist.
 * The reboot is in-process: the same OS process registers again on a new connection.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { callsSince, sleep, status } from '../../support/station.js';
import { disposeRig, startCharging, startRig, statuses, txEvents, waitRestart, waitStatus, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('2.0.1 Reset');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

test('B11.FR.01 / R-B1 - Reset Immediate without a transaction: Accepted; in-process reboot with BootNotification RemoteReset, every connector, SecurityEventNotification ResetOrReboot', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  const pid = evsed.pid;
  const mark = csms.mark();
  assert.equal(await csms.call('Reset', { type: 'Immediate' }), { status: 'Accepted' });
  const boot = await waitRestart(rig, mark);
  assert.is(boot.payload.reason, 'RemoteReset');
  await waitStatus(csms, 1, 'Available', boot.seq);
  await waitStatus(csms, 2, 'Available', boot.seq);
  const event = await csms.waitForCall('SecurityEventNotification', { since: boot.seq });
  assert.is(event.payload.type, 'ResetOrReboot');
  assert.is(evsed.pid, pid);
  assert.is(csms.connections.length, 2, 'the restarted station opened a new connection');
  assert.is(txEvents(csms).length, 0);
  assert.equal(csms.violations(), []);
});

test('B12.FR.02 / B12.FR.04 / TC_B_22_CS - Reset Immediate with a transaction: Accepted; TransactionEvent Ended (ResetCommand / ImmediateReset / EVConnected, no idToken) before the reboot; BootNotification RemoteReset', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  const started = await startCharging(rig, 1, 'RESET-1');
  const txId = started.payload.transactionInfo.transactionId;
  const mark = csms.mark();
  assert.equal(await csms.call('Reset', { type: 'Immediate' }), { status: 'Accepted' });
  const ended = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Ended' });
  assert.is(ended.payload.transactionInfo.transactionId, txId);
  assert.is(ended.payload.triggerReason, 'ResetCommand');
  assert.is(ended.payload.transactionInfo.stoppedReason, 'ImmediateReset');
  assert.is(ended.payload.transactionInfo.chargingState, 'EVConnected');
  assert.is(ended.payload.idToken, undefined);
  const boot = await waitRestart(rig, mark);
  assert.ok(ended.seq < boot.seq, 'the transaction ended before the reboot');
  assert.is(boot.payload.reason, 'RemoteReset');
  // The EV is still plugged in: Occupied, and no new transaction.
  await waitStatus(csms, 1, 'Occupied', boot.seq);
  await waitStatus(csms, 2, 'Available', boot.seq);
  await sleep(500);
  assert.equal(txEvents(csms, mark).map((m) => m.payload.eventType), ['Ended']);
  assert.equal(csms.violations(), []);
});

test('B12.FR.01 / B12.FR.03 / TC_B_21_CS - Reset OnIdle with a transaction: Scheduled; the transaction goes on; after it ends a reboot with reason ScheduledReset', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  await startCharging(rig, 2, 'RESET-2');
  const mark = csms.mark();
  assert.equal(await csms.call('Reset', { type: 'OnIdle' }), { status: 'Scheduled' });
  await sleep(1000);
  assert.is(callsSince(csms, 'BootNotification', mark).length, 0, 'rebooted while the transaction runs');
  assert.not.ok(txEvents(csms, mark).some((m) => m.payload.eventType === 'Ended'));
  assert.is((await status(evsed)).connectors[1]!.state, 'charging');
  await evsed.ctl('sim.swipe', { token: 'RESET-2', connector: 2 });
  const ended = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Ended' });
  assert.is(ended.payload.transactionInfo.stoppedReason, 'Local');
  const boot = await waitRestart(rig, mark);
  assert.ok(ended.seq < boot.seq);
  assert.is(boot.payload.reason, 'ScheduledReset');
  const event = await csms.waitForCall('SecurityEventNotification', { since: boot.seq });
  assert.is(event.payload.type, 'ResetOrReboot');
  assert.equal(csms.violations(), []);
});

test('B11.FR.09 / B12.FR.09 / TC_B_28_CS - Reset of one EVSE (not supported): Rejected, no reboot', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  const mark = csms.mark();
  const r = await csms.call('Reset', { type: 'Immediate', evseId: 1 });
  assert.is(r.status, 'Rejected');
  const r2 = await csms.call('Reset', { type: 'OnIdle', evseId: 2 });
  assert.is(r2.status, 'Rejected');
  await sleep(1500);
  assert.is(callsSince(csms, 'BootNotification', mark).length, 0);
  assert.is(csms.connections.length, 1);
});

test('B11.FR.02 / TC_B_20_CS / TC_B_23_CS - Reset OnIdle without a transaction: Accepted; reboot with reason RemoteReset; an EVSE made Inoperative stays Unavailable', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  assert.equal(await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2 } }), { status: 'Accepted' });
  await waitStatus(csms, 2, 'Unavailable');
  const mark = csms.mark();
  assert.equal(await csms.call('Reset', { type: 'OnIdle' }), { status: 'Accepted' });
  const boot = await waitRestart(rig, mark);
  assert.is(boot.payload.reason, 'RemoteReset');
  await waitStatus(csms, 1, 'Available', boot.seq);
  await waitStatus(csms, 2, 'Unavailable', boot.seq);
  await sleep(300);
  assert.equal(statuses(csms, 2, boot.seq), ['Unavailable']);
  assert.equal((await status(evsed)).connectors.map((x) => x.ocppStatus), ['Available', 'Unavailable']);
  assert.equal(csms.violations(), []);
});

test('B11.FR.05 / B01.FR.13 - a reservation stays across Reset Immediate: Reserved again after the reboot', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  const reserve = { id: 7, expiryDateTime: new Date(Date.now() + 120_000).toISOString(), idToken: { idToken: 'RES-RESET', type: 'ISO14443' }, evseId: 1 };
  assert.equal(await csms.call('ReserveNow', reserve), { status: 'Accepted' });
  await waitStatus(csms, 1, 'Reserved');
  const mark = csms.mark();
  assert.equal(await csms.call('Reset', { type: 'Immediate' }), { status: 'Accepted' });
  const boot = await waitRestart(rig, mark);
  await waitStatus(csms, 1, 'Reserved', boot.seq);
  await waitStatus(csms, 2, 'Available', boot.seq);
  assert.is((await status(evsed)).connectors[0]!.ocppStatus, 'Reserved');
  assert.equal(csms.calls('ReservationStatusUpdate'), []);
  assert.equal(csms.violations(), []);
});

test.run();
