/**
 * OCPP 1.6 Reservation profile end to end (16 §5.13, §5.4 CancelReservation, §3.11; OCTT
 * TC_046–053_CS; ocpp-rules 1h): ReserveNow answers per connector state, who may use a reserved
 * connector, the reservationId in StartTransaction, expiry, cancellation, loss of the reservation
 * on a fault or Unavailable, and connector-0 reservations.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TestCsms } from '../../peers/csms.js';
import { callsSince, sleep, status, waitState } from '../../support/station.js';
import { disposeRig, inMs, startRig, statuses, waitStatus, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('1.6 reservations');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

async function reserve(csms: TestCsms, reservationId: number, connectorId: number, idTag: string, ms = 60_000, parentIdTag?: string): Promise<string> {
  const payload = { connectorId, expiryDate: inMs(ms), idTag, reservationId, ...(parentIdTag ? { parentIdTag } : {}) };
  return (await csms.call('ReserveNow', payload)).status;
}

test('16 §5.13 / TC_046_CS - ReserveNow Accepted: Reserved; another card is refused there; the reserved card starts with reservationId in StartTransaction', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.is(await reserve(csms, 11, 1, 'RES-1'), 'Accepted');
  await waitStatus(csms, 1, 'Reserved', mark);
  // An EV plugged in does not end the reservation (Reserved → Preparing only with the reserved idTag, §4.9 G2).
  await evsed.ctl('sim.plug', { connector: 1 });
  const other = await evsed.ctl('sim.swipe', { token: 'OTHER-1', connector: 1 });
  assert.is(other.action, 'refused');
  await sleep(300);
  assert.is(callsSince(csms, 'StartTransaction', mark).length, 0);
  assert.equal(statuses(csms, 1, mark), ['Reserved']);
  assert.is((await evsed.ctl('sim.swipe', { token: 'RES-1', connector: 1 })).action, 'started');
  const startTx = await csms.waitForCall('StartTransaction', { since: mark });
  assert.is(startTx.payload.idTag, 'RES-1');
  assert.is(startTx.payload.reservationId, 11);
  assert.is(startTx.payload.connectorId, 1);
  await waitState(evsed, 1, 'charging');
  // The reservation ended when its transaction started.
  assert.equal(await csms.call('CancelReservation', { reservationId: 11 }), { status: 'Rejected' });
  assert.equal(csms.violations(), []);
});

test('16 §5.13 / TC_047_CS - the reservation expires: Available again, and any card may use the connector', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.is(await reserve(csms, 12, 2, 'RES-2', 1500), 'Accepted');
  const reserved = await waitStatus(csms, 2, 'Reserved', mark);
  const available = await waitStatus(csms, 2, 'Available', reserved.seq, 4000);
  const heldMs = available.at - reserved.at;
  assert.ok(heldMs >= 1100 && heldMs < 2800, `expired after ${heldMs} ms`);
  assert.equal(await csms.call('CancelReservation', { reservationId: 12 }), { status: 'Rejected' });
  await evsed.ctl('sim.plug', { connector: 2 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'ANYONE', connector: 2 })).action, 'started');
  const startTx = await csms.waitForCall('StartTransaction', { since: mark });
  assert.is(startTx.payload.reservationId, undefined);
});

test('16 §5.4 / TC_051_CS, TC_052_CS - CancelReservation: Accepted and Available; an unknown reservationId → Rejected', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.is(await reserve(csms, 13, 1, 'RES-3'), 'Accepted');
  await waitStatus(csms, 1, 'Reserved', mark);
  assert.equal(await csms.call('CancelReservation', { reservationId: 999 }), { status: 'Rejected' });
  assert.equal(await csms.call('CancelReservation', { reservationId: 13 }), { status: 'Accepted' });
  await waitStatus(csms, 1, 'Available', mark);
  assert.equal(await csms.call('CancelReservation', { reservationId: 13 }), { status: 'Rejected' });
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'OTHER-3', connector: 1 })).action, 'started');
});

test('16 §5.13, §5.11 / TC_050_CS - RemoteStartTransaction on a reserved connector: another idTag starts nothing; the reserved idTag starts with reservationId', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.is(await reserve(csms, 25, 2, 'RES-R'), 'Accepted');
  await waitStatus(csms, 2, 'Reserved', mark);
  await evsed.ctl('sim.plug', { connector: 2 });
  const foreign = await csms.call('RemoteStartTransaction', { connectorId: 2, idTag: 'NOT-RES' });
  assert.ok(['Accepted', 'Rejected'].includes(foreign.status));
  await sleep(500);
  assert.is(callsSince(csms, 'StartTransaction', mark).length, 0, 'a transaction started for another idTag on a reserved connector');
  assert.equal(statuses(csms, 2, mark), ['Reserved']);
  assert.equal(await csms.call('RemoteStartTransaction', { connectorId: 2, idTag: 'RES-R' }), { status: 'Accepted' });
  const startTx = await csms.waitForCall('StartTransaction', { since: mark });
  assert.is(startTx.payload.idTag, 'RES-R');
  assert.is(startTx.payload.reservationId, 25);
});

test('16 §5.13 / TC_048_2_CS - ReserveNow on a charging connector → Occupied; on one reserved by another reservation → Occupied; the same reservationId replaces', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'BUSY-1', connector: 1 });
  await csms.waitForCall('StartTransaction', { since });
  await waitState(evsed, 1, 'charging');
  assert.is(await reserve(csms, 14, 1, 'RES-4'), 'Occupied');
  assert.is(await reserve(csms, 15, 2, 'RES-5'), 'Accepted');
  assert.is(await reserve(csms, 16, 2, 'RES-6'), 'Occupied');
  // Same id again (other card, other expiry): replaces the reservation.
  assert.is(await reserve(csms, 15, 2, 'RES-5B', 120_000), 'Accepted');
  await evsed.ctl('sim.plug', { connector: 2 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'RES-5', connector: 2 })).action, 'refused');
  assert.is((await evsed.ctl('sim.swipe', { token: 'RES-5B', connector: 2 })).action, 'started');
  const startTx = await csms.waitForCall('StartTransaction', { since, match: (p) => p.connectorId === 2 });
  assert.is(startTx.payload.reservationId, 15);
});

test('16 §5.13 / TC_048_1_CS, TC_048_3_CS, TC_048_4_CS - ReserveNow on a faulted connector → Faulted; on an Inoperative one → Unavailable; unknown connector → Rejected', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  await evsed.ctl('sim.fault', { connector: 1, code: 'overTemperature' });
  await waitStatus(csms, 1, 'Faulted');
  assert.is(await reserve(csms, 17, 1, 'RES-7'), 'Faulted');
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 2, type: 'Inoperative' }), { status: 'Accepted' });
  await waitStatus(csms, 2, 'Unavailable');
  assert.is(await reserve(csms, 18, 2, 'RES-8'), 'Unavailable');
  assert.is(await reserve(csms, 19, 3, 'RES-9'), 'Rejected');
  await sleep(200);
  assert.not.ok(statuses(csms, 1).includes('Reserved') || statuses(csms, 2).includes('Reserved'));
});

test('16 §5.13 / ocpp-rules 1h - a reserved connector that becomes Faulted or Unavailable loses its reservation', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  let mark = csms.mark();
  assert.is(await reserve(csms, 20, 1, 'RES-10'), 'Accepted');
  await waitStatus(csms, 1, 'Reserved', mark);
  await evsed.ctl('sim.fault', { connector: 1, code: 'overTemperature' });
  const faulted = await waitStatus(csms, 1, 'Faulted', mark);
  assert.is(faulted.payload.errorCode, 'HighTemperature');
  await evsed.ctl('sim.clear', { connector: 1, code: 'overTemperature' });
  await waitStatus(csms, 1, 'Available', faulted.seq);
  assert.equal(await csms.call('CancelReservation', { reservationId: 20 }), { status: 'Rejected' }, 'the reservation is gone');
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'OTHER-10', connector: 1 })).action, 'started');

  mark = csms.mark();
  assert.is(await reserve(csms, 21, 2, 'RES-11'), 'Accepted');
  await waitStatus(csms, 2, 'Reserved', mark);
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 2, type: 'Inoperative' }), { status: 'Accepted' });
  await waitStatus(csms, 2, 'Unavailable', mark);
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 2, type: 'Operative' }), { status: 'Accepted' });
  await waitStatus(csms, 2, 'Available', mark);
  assert.equal(await csms.call('CancelReservation', { reservationId: 21 }), { status: 'Rejected' });
  assert.equal(statuses(csms, 2, mark), ['Reserved', 'Unavailable', 'Available']);
});

test('16 §5.13 / TC_053_CS - a card with the reservation\'s parentIdTag may use the reserved connector', async (c) => {
  const parents: Record<string, string> = { 'FLEET-CARD-2': 'FLEET-9', 'ELSEWHERE': 'OTHER-GROUP' };
  const { csms, evsed } = (c.rig = await startRig({
    csms: { handlers: { Authorize: (p: any) => ({ idTagInfo: { status: 'Accepted', ...(parents[p.idTag] ? { parentIdTag: parents[p.idTag] } : {}) } }) } },
  }));
  const mark = csms.mark();
  assert.is(await reserve(csms, 22, 1, 'FLEET-CARD-1', 60_000, 'FLEET-9'), 'Accepted');
  await waitStatus(csms, 1, 'Reserved', mark);
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'ELSEWHERE', connector: 1 })).action, 'refused');
  assert.is((await evsed.ctl('sim.swipe', { token: 'FLEET-CARD-2', connector: 1 })).action, 'started');
  const startTx = await csms.waitForCall('StartTransaction', { since: mark });
  assert.is(startTx.payload.idTag, 'FLEET-CARD-2');
  assert.is(startTx.payload.reservationId, 22);
});

test('16 §5.13 / TC_049_CS - connector 0 reservation (ReserveConnectorZeroSupported): one connector is kept free for the reserved card', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const all = await csms.call('GetConfiguration', { key: ['ReserveConnectorZeroSupported'] });
  assert.is(all.configurationKey[0].value, 'true');
  const mark = csms.mark();
  assert.is(await reserve(csms, 23, 0, 'RES-Z'), 'Accepted');
  // A first other card may still charge: a connector stays free.
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'OTHER-Z1', connector: 1 })).action, 'started');
  const first = await csms.waitForCall('StartTransaction', { since: mark });
  assert.is(first.payload.reservationId, undefined);
  await waitState(evsed, 1, 'charging');
  // A second other card would take the last free connector: refused.
  await evsed.ctl('sim.plug', { connector: 2 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'OTHER-Z2', connector: 2 })).action, 'refused');
  // Every connector is now occupied or held: another connector-0 reservation is Occupied.
  assert.is(await reserve(csms, 24, 0, 'RES-Y'), 'Occupied');
  // The reserved card takes it, with the reservationId.
  assert.is((await evsed.ctl('sim.swipe', { token: 'RES-Z', connector: 2 })).action, 'started');
  const second = await csms.waitForCall('StartTransaction', { since: mark, match: (p) => p.connectorId === 2 });
  assert.is(second.payload.idTag, 'RES-Z');
  assert.is(second.payload.reservationId, 23);
  assert.equal(await csms.call('CancelReservation', { reservationId: 23 }), { status: 'Rejected' });
  await waitState(evsed, 2, 'charging');
  assert.equal((await status(evsed)).connectors.map((x) => x.session?.token), ['OTHER-Z1', 'RES-Z']);
  assert.equal(csms.violations(), []);
});

test.run();
