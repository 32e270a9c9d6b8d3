/**
 * OCPP 2.0.1 reservations end to end (functional block H, B01.FR.13; OCTT TC_H_01…TC_H_24_CS;
 * ocpp-rules 1h): ReserveNow answers per EVSE state, who may use a reserved EVSE, the
 * reservationId in the transaction, expiry and removal with ReservationStatusUpdate,
 * CancelReservation, reservations without an EVSE, and a reservation across a restart.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TestCsms } from '../../peers/csms.js';
import { callsSince, sleep, status, waitState } from '../../support/station.js';
import { disposeRig, getVar, inMs, restart, setVar, startCharging, startRig, statuses, txEvents, waitStatus, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('2.0.1 reservations');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

async function reserve(csms: TestCsms, id: number, evseId: number | undefined, token: string, ms = 60_000, extra: Record<string, unknown> = {}): Promise<string> {
  const payload = {
    id,
    expiryDateTime: inMs(ms),
    idToken: { idToken: token, type: 'ISO14443' },
    ...(evseId !== undefined ? { evseId } : {}),
    ...extra,
  };
  return (await csms.call('ReserveNow', payload)).status;
}

const updates = (csms: TestCsms, since = 0) => callsSince(csms, 'ReservationStatusUpdate', since).map((m) => m.payload);

test('H01 / H03 / TC_H_01_CS - ReserveNow for an EVSE: Accepted and Reserved; another card is refused there; the reserved card starts and the Started event carries reservationId', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  const mark = csms.mark();
  assert.is(await reserve(csms, 11, 1, 'RES-1'), 'Accepted');
  await waitStatus(csms, 1, 'Reserved', mark);
  assert.is((await getVar(csms, { name: 'EVSE', evse: { id: 1 } }, 'AvailabilityState')).attributeValue, 'Reserved');
  // G01.FR.09: an EV plugged into a reserved connector changes nothing until the reserved card comes.
  await evsed.ctl('sim.plug', { connector: 1 });
  const other = await evsed.ctl('sim.swipe', { token: 'OTHER-1', connector: 1 });
  assert.is(other.action, 'refused');
  await sleep(300);
  assert.is(txEvents(csms, mark).length, 0);
  assert.equal(statuses(csms, 1, mark), ['Reserved']);
  assert.is((await evsed.ctl('sim.swipe', { token: 'RES-1', connector: 1 })).action, 'started');
  const started = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Started' });
  assert.is(started.payload.reservationId, 11);
  assert.equal(started.payload.idToken, { idToken: 'RES-1', type: 'ISO14443' });
  assert.equal(started.payload.evse, { id: 1, connectorId: 1 });
  await waitState(evsed, 1, 'charging');
  await waitStatus(csms, 1, 'Occupied', mark);
  // The reservation ended when its transaction started; that is not reported as Expired/Removed.
  assert.equal(await csms.call('CancelReservation', { reservationId: 11 }), { status: 'Rejected' });
  assert.equal(updates(csms, mark), []);
  assert.is(txEvents(csms, mark).filter((m) => m.payload.reservationId !== undefined).length, 1, 'reservationId only once');
  assert.equal(csms.violations(), []);
});

test('H03 / TC_H_02_CS (main B) - RequestStartTransaction for another token on a reserved EVSE: Rejected, nothing starts', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  const mark = csms.mark();
  assert.is(await reserve(csms, 12, 2, 'RES-2'), 'Accepted');
  await waitStatus(csms, 2, 'Reserved', mark);
  await evsed.ctl('sim.plug', { connector: 2 });
  const r = await csms.call('RequestStartTransaction', { idToken: { idToken: 'NOT-RES', type: 'Central' }, remoteStartId: 5, evseId: 2 });
  assert.is(r.status, 'Rejected');
  await sleep(500);
  assert.is(txEvents(csms, mark).length, 0, 'a transaction started for another token on a reserved EVSE');
  assert.equal(statuses(csms, 2, mark), ['Reserved']);
  // The reserved token may start remotely.
  const own = await csms.call('RequestStartTransaction', { idToken: { idToken: 'RES-2', type: 'ISO14443' }, remoteStartId: 6, evseId: 2 });
  assert.is(own.status, 'Accepted');
  const started = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Started' });
  assert.is(started.payload.reservationId, 12);
  assert.is(started.payload.transactionInfo.remoteStartId, 6);
  assert.equal(csms.violations(), []);
});

test('H04 / TC_H_07_CS - the reservation expires: ReservationStatusUpdate Expired and StatusNotification Available; any card may charge', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  const mark = csms.mark();
  assert.is(await reserve(csms, 13, 2, 'RES-3', 1500), 'Accepted');
  const reserved = await waitStatus(csms, 2, 'Reserved', mark);
  const update = await csms.waitForCall('ReservationStatusUpdate', { since: mark, timeoutMs: 4000 });
  assert.equal(update.payload, { reservationId: 13, reservationUpdateStatus: 'Expired' });
  const available = await waitStatus(csms, 2, 'Available', reserved.seq, 4000);
  const heldMs = available.at - reserved.at;
  assert.ok(heldMs >= 1100 && heldMs < 2800, `expired after ${heldMs} ms`);
  assert.equal(await csms.call('CancelReservation', { reservationId: 13 }), { status: 'Rejected' });
  const started = await startCharging(rig, 2, 'ANYONE-3');
  assert.is(started.payload.reservationId, undefined);
  assert.equal(csms.violations(), []);
});

test('H01.FR.17 / TC_H_21_CS - a reserved EVSE that faults or is made Inoperative: ReservationStatusUpdate Removed; the reservation is gone', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  let mark = csms.mark();
  assert.is(await reserve(csms, 14, 1, 'RES-4'), 'Accepted');
  await waitStatus(csms, 1, 'Reserved', mark);
  await evsed.ctl('sim.fault', { connector: 1, code: 'overTemperature' });
  await waitStatus(csms, 1, 'Faulted', mark);
  const removed = await csms.waitForCall('ReservationStatusUpdate', { since: mark });
  assert.equal(removed.payload, { reservationId: 14, reservationUpdateStatus: 'Removed' });
  await evsed.ctl('sim.clear', { connector: 1, code: 'overTemperature' });
  await waitStatus(csms, 1, 'Available', mark);
  assert.equal(await csms.call('CancelReservation', { reservationId: 14 }), { status: 'Rejected' });
  assert.equal(statuses(csms, 1, mark), ['Reserved', 'Faulted', 'Available']);

  mark = csms.mark();
  assert.is(await reserve(csms, 15, 2, 'RES-5'), 'Accepted');
  await waitStatus(csms, 2, 'Reserved', mark);
  assert.equal(await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2 } }), { status: 'Accepted' });
  await waitStatus(csms, 2, 'Unavailable', mark);
  const removed2 = await csms.waitForCall('ReservationStatusUpdate', { since: mark });
  assert.equal(removed2.payload, { reservationId: 15, reservationUpdateStatus: 'Removed' });
  assert.equal(await csms.call('ChangeAvailability', { operationalStatus: 'Operative', evse: { id: 2 } }), { status: 'Accepted' });
  await waitStatus(csms, 2, 'Available', mark);
  assert.equal(statuses(csms, 2, mark), ['Reserved', 'Unavailable', 'Available']);
  assert.equal(await csms.call('CancelReservation', { reservationId: 15 }), { status: 'Rejected' });
  assert.equal(csms.violations(), []);
});

test('H02.FR.01 / H02.FR.02 / TC_H_17_CS / TC_H_18_CS - CancelReservation: Accepted and Available; unknown reservationId → Rejected', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  const mark = csms.mark();
  assert.is(await reserve(csms, 16, 1, 'RES-6'), 'Accepted');
  await waitStatus(csms, 1, 'Reserved', mark);
  assert.equal(await csms.call('CancelReservation', { reservationId: 999 }), { status: 'Rejected' });
  assert.equal(await csms.call('CancelReservation', { reservationId: 16 }), { status: 'Accepted' });
  await waitStatus(csms, 1, 'Available', mark);
  assert.equal(await csms.call('CancelReservation', { reservationId: 16 }), { status: 'Rejected' });
  await sleep(200);
  assert.equal(updates(csms, mark), [], 'a cancelled reservation is not reported as Expired/Removed');
  await startCharging(rig, 1, 'OTHER-6');
  assert.equal(csms.violations(), []);
});

test('H01.FR.11 / H01.FR.13 / H01.FR.14 / TC_H_03_CS / TC_H_04_CS / TC_H_06_CS - ReserveNow answers: Occupied (charging, or reserved by another), Faulted, Unavailable; unknown EVSE Rejected; the same id replaces (TC_H_23_CS)', async (c) => {
  const rig = (c.rig = await startRig({ evses: 3 }));
  const { csms, evsed } = rig;
  await startCharging(rig, 1, 'BUSY-1');
  assert.is(await reserve(csms, 21, 1, 'RES-21'), 'Occupied');
  assert.is(await reserve(csms, 22, 2, 'RES-22'), 'Accepted');
  assert.is(await reserve(csms, 23, 2, 'RES-23'), 'Occupied');
  // The same id again (another token): replaces the reservation.
  assert.is(await reserve(csms, 22, 2, 'RES-22B', 120_000), 'Accepted');
  await evsed.ctl('sim.fault', { connector: 3, code: 'overTemperature' });
  await waitStatus(csms, 3, 'Faulted');
  assert.is(await reserve(csms, 24, 3, 'RES-24'), 'Faulted');
  await evsed.ctl('sim.clear', { connector: 3, code: 'overTemperature' });
  await waitStatus(csms, 3, 'Available', csms.calls('StatusNotification').filter((m) => m.payload.evseId === 3 && m.payload.connectorStatus === 'Faulted').at(-1)!.seq);
  assert.equal(await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 3 } }), { status: 'Accepted' });
  await waitStatus(csms, 3, 'Unavailable');
  assert.is(await reserve(csms, 25, 3, 'RES-25'), 'Unavailable');
  assert.is(await reserve(csms, 26, 9, 'RES-26'), 'Rejected');
  const mark = csms.mark();
  await evsed.ctl('sim.plug', { connector: 2 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'RES-22', connector: 2 })).action, 'refused', 'the replaced token still holds the EVSE');
  assert.is((await evsed.ctl('sim.swipe', { token: 'RES-22B', connector: 2 })).action, 'started');
  const started = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Started' && p.evse?.id === 2 });
  assert.is(started.payload.reservationId, 22);
  assert.equal(csms.violations(), []);
});

test('H01.FR.04 / H01.FR.07 / TC_H_08_CS - ReserveNow without evseId (ReservationCtrlr.NonEvseSpecific): Accepted; one EVSE is kept for the reserved card, which starts with reservationId', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  assert.is((await getVar(csms, 'ReservationCtrlr', 'NonEvseSpecific')).attributeValue, 'true');
  const mark = csms.mark();
  assert.is(await reserve(csms, 31, undefined, 'RES-ANY'), 'Accepted');
  // A first other card may charge: an EVSE stays free.
  await startCharging(rig, 1, 'OTHER-31');
  const first = txEvents(csms, mark).find((m) => m.payload.eventType === 'Started')!;
  assert.is(first.payload.reservationId, undefined);
  // A second other card would take the last free EVSE: refused.
  await evsed.ctl('sim.plug', { connector: 2 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'OTHER-32', connector: 2 })).action, 'refused');
  // Nothing is left for another unspecified reservation.
  assert.is(await reserve(csms, 32, undefined, 'RES-ANY-2'), 'Occupied');
  assert.is((await evsed.ctl('sim.swipe', { token: 'RES-ANY', connector: 2 })).action, 'started');
  const second = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Started' && p.evse?.id === 2 });
  assert.is(second.payload.reservationId, 31);
  assert.equal(await csms.call('CancelReservation', { reservationId: 31 }), { status: 'Rejected' });
  assert.equal(csms.violations(), []);
});

test('H01.FR.01 / TC_H_22_CS - reservations disabled (ReservationCtrlr.Enabled false): ReserveNow Rejected', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  assert.is((await setVar(csms, 'ReservationCtrlr', 'Enabled', 'false')).attributeStatus, 'Accepted');
  const mark = csms.mark();
  assert.is(await reserve(csms, 41, 1, 'RES-41'), 'Rejected');
  assert.is(await reserve(csms, 42, undefined, 'RES-42'), 'Rejected');
  await sleep(300);
  assert.equal(callsSince(csms, 'StatusNotification', mark), []);
});

test('B01.FR.13 - a reservation persists across a restart: Reserved again after the boot; the reserved card still starts with reservationId', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  assert.is(await reserve(csms, 51, 2, 'RES-51', 120_000), 'Accepted');
  await waitStatus(csms, 2, 'Reserved');
  const mark = csms.mark();
  const evsed = await restart(rig);
  const boot = await csms.waitForCall('BootNotification', { since: mark });
  await waitStatus(csms, 2, 'Reserved', boot.seq);
  await waitStatus(csms, 1, 'Available', boot.seq);
  assert.is((await status(evsed)).connectors[1]!.ocppStatus, 'Reserved');
  await evsed.ctl('sim.plug', { connector: 2 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'SOMEONE', connector: 2 })).action, 'refused');
  assert.is((await evsed.ctl('sim.swipe', { token: 'RES-51', connector: 2 })).action, 'started');
  const started = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Started' });
  assert.is(started.payload.reservationId, 51);
  assert.equal(csms.violations(), []);
});

test.run();
