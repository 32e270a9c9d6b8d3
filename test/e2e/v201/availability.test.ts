/**
 * OCPP 2.0.1 ChangeAvailability end to end (G03 EVSE / connector, G04 station; OCTT
 * TC_G_03…TC_G_21_CS; ocpp-rules 1h): answer first, then act; Scheduled while a transaction runs
 * (the change happens when it ends); no evse = the whole station; an unknown EVSE or connector is
 * Rejected; the set state persists across a restart.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TestCsms } from '../../peers/csms.js';
import { callsSince, sleep, status, waitState } from '../../support/station.js';
import { disposeRig, getVar, replyTo, restart, startCharging, startRig, statuses, txEvents, waitStatus, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('2.0.1 ChangeAvailability');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

type Evse = { id: number; connectorId?: number };

async function change(csms: TestCsms, operationalStatus: 'Operative' | 'Inoperative', evse?: Evse): Promise<string> {
  return (await csms.call('ChangeAvailability', { operationalStatus, ...(evse ? { evse } : {}) })).status;
}

const availability = async (csms: TestCsms, component: { name: string; evse?: Evse }) => (await getVar(csms, component, 'AvailabilityState')).attributeValue;

test('G04.FR.01 / G04.FR.05 / TC_G_05_CS / TC_G_06_CS - station Inoperative: Accepted, every connector Unavailable, no session; Operative: every connector Available again', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.is(await change(csms, 'Inoperative'), 'Accepted');
  const first = await waitStatus(csms, 1, 'Unavailable', mark);
  await waitStatus(csms, 2, 'Unavailable', mark);
  assert.ok(replyTo(csms, 'ChangeAvailability', mark)!.seq < first.seq, 'answer first, then the StatusNotification');
  assert.is(await availability(csms, { name: 'ChargingStation' }), 'Unavailable');
  assert.is((await status(evsed)).station.operative, false);
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'AV-0', connector: 1 })).action, 'refused');
  await evsed.ctl('sim.unplug', { connector: 1 });
  const back = csms.mark();
  assert.is(await change(csms, 'Operative'), 'Accepted');
  await waitStatus(csms, 1, 'Available', back);
  await waitStatus(csms, 2, 'Available', back);
  await sleep(300);
  assert.equal(statuses(csms, 1, mark), ['Unavailable', 'Available']);
  assert.equal(statuses(csms, 2, mark), ['Unavailable', 'Available']);
  assert.is(txEvents(csms, mark).length, 0);
  assert.is(await availability(csms, { name: 'ChargingStation' }), 'Available');
  assert.equal(csms.violations(), []);
});

test('G03.FR.01 / G03.FR.04 / TC_G_03_CS / TC_G_04_CS - EVSE Inoperative: Accepted, its connector Unavailable, the other EVSE untouched; Operative: back to its own status (Occupied with an EV)', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.is(await change(csms, 'Inoperative', { id: 2 }), 'Accepted');
  await waitStatus(csms, 2, 'Unavailable', mark);
  assert.is(await availability(csms, { name: 'EVSE', evse: { id: 2 } }), 'Unavailable');
  assert.is(await availability(csms, { name: 'EVSE', evse: { id: 1 } }), 'Available');
  await evsed.ctl('sim.plug', { connector: 2 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'AV-1', connector: 2 })).action, 'refused');
  const back = csms.mark();
  assert.is(await change(csms, 'Operative', { id: 2 }), 'Accepted');
  await waitStatus(csms, 2, 'Occupied', back);
  await sleep(300);
  assert.equal(statuses(csms, 2, mark), ['Unavailable', 'Occupied']);
  assert.equal(statuses(csms, 1, mark), []);
  assert.is(txEvents(csms, mark).length, 0);
  assert.equal(csms.violations(), []);
});

test('G03.FR.01 / TC_G_07_CS / TC_G_08_CS - connector Inoperative: Accepted, Unavailable; Operative: Available', async (c) => {
  const { csms } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.is(await change(csms, 'Inoperative', { id: 1, connectorId: 1 }), 'Accepted');
  const note = await waitStatus(csms, 1, 'Unavailable', mark);
  assert.equal(note.payload.evseId, 1);
  assert.equal(note.payload.connectorId, 1);
  assert.is(await availability(csms, { name: 'Connector', evse: { id: 1, connectorId: 1 } }), 'Unavailable');
  assert.is(await change(csms, 'Operative', { id: 1, connectorId: 1 }), 'Accepted');
  await waitStatus(csms, 1, 'Available', mark);
  await sleep(300);
  assert.equal(statuses(csms, 1, mark), ['Unavailable', 'Available']);
  assert.equal(statuses(csms, 2, mark), []);
});

test('G03.FR.03 / G04.FR.04 / TC_G_09_CS / TC_G_12_CS / TC_G_15_CS / TC_G_16_CS - already in the requested state: Accepted, nothing changes', async (c) => {
  const { csms } = (c.rig = await startRig());
  let mark = csms.mark();
  assert.is(await change(csms, 'Operative', { id: 1 }), 'Accepted');
  assert.is(await change(csms, 'Operative', { id: 2, connectorId: 1 }), 'Accepted');
  assert.is(await change(csms, 'Operative'), 'Accepted');
  await sleep(400);
  assert.equal(callsSince(csms, 'StatusNotification', mark), []);
  assert.is(await change(csms, 'Inoperative', { id: 2 }), 'Accepted');
  await waitStatus(csms, 2, 'Unavailable', mark);
  mark = csms.mark();
  assert.is(await change(csms, 'Inoperative', { id: 2 }), 'Accepted');
  assert.is(await change(csms, 'Inoperative', { id: 2, connectorId: 1 }), 'Accepted');
  await sleep(400);
  assert.not.ok(statuses(csms, 2, mark).some((s) => s !== 'Unavailable'), statuses(csms, 2, mark).join(', '));
  assert.is(await availability(csms, { name: 'EVSE', evse: { id: 2 } }), 'Unavailable');
});

test('G03.FR.05 / TC_G_11_CS / TC_G_17_CS - EVSE Inoperative during a transaction: Scheduled; the transaction goes on; Unavailable once it ends, and it stays so after unplugging', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  await startCharging(rig, 1, 'AV-2');
  const mark = csms.mark();
  assert.is(await change(csms, 'Inoperative', { id: 1 }), 'Scheduled');
  await sleep(800);
  assert.is((await status(evsed)).connectors[0]!.state, 'charging');
  assert.not.ok(txEvents(csms, mark).some((m) => m.payload.eventType === 'Ended'), 'ChangeAvailability must not end the transaction');
  assert.not.ok(statuses(csms, 1, mark).includes('Unavailable'), 'Unavailable reported while the transaction runs');
  await evsed.ctl('sim.swipe', { token: 'AV-2', connector: 1 });
  const ended = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Ended' });
  assert.is(ended.payload.transactionInfo.stoppedReason, 'Local');
  // Status and TransactionEvent may cross in either order (OCTT general tool rules).
  await waitStatus(csms, 1, 'Unavailable', mark);
  await evsed.ctl('sim.unplug', { connector: 1 });
  await sleep(400);
  assert.is(statuses(csms, 1, mark).at(-1), 'Unavailable');
  assert.is((await status(evsed)).connectors[0]!.ocppStatus, 'Unavailable');
  assert.equal(statuses(csms, 2, mark), []);
  assert.equal(csms.violations(), []);
});

test('G04.FR.06 / TC_G_14_CS - station Inoperative during a transaction: Scheduled; the idle EVSE at once, the busy one when its transaction ends', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  await startCharging(rig, 1, 'AV-3');
  const mark = csms.mark();
  assert.is(await change(csms, 'Inoperative'), 'Scheduled');
  await waitStatus(csms, 2, 'Unavailable', mark);
  await sleep(500);
  assert.is((await status(evsed)).connectors[0]!.state, 'charging');
  assert.not.ok(statuses(csms, 1, mark).includes('Unavailable'));
  assert.not.ok(txEvents(csms, mark).some((m) => m.payload.eventType === 'Ended'));
  await evsed.ctl('sim.swipe', { token: 'AV-3', connector: 1 });
  await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Ended' });
  await waitStatus(csms, 1, 'Unavailable', mark);
  assert.equal(csms.violations(), []);
});

test('G03 / G04 - unknown EVSE or connector: Rejected, nothing changes', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.is(await change(csms, 'Inoperative', { id: 3 }), 'Rejected');
  assert.is(await change(csms, 'Inoperative', { id: 99, connectorId: 1 }), 'Rejected');
  assert.is(await change(csms, 'Inoperative', { id: 1, connectorId: 2 }), 'Rejected');
  await sleep(300);
  assert.equal(callsSince(csms, 'StatusNotification', mark), []);
  assert.equal((await status(evsed)).connectors.map((x) => x.ocppStatus), ['Available', 'Available']);
});

test('G03.FR.08 / G04.FR.09 / TC_G_18_CS / TC_G_19_CS / TC_G_21_CS - availability persists across a restart (EVSE, then the whole station)', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  assert.is(await change(csms, 'Inoperative', { id: 2 }), 'Accepted');
  await waitStatus(csms, 2, 'Unavailable');
  let mark = csms.mark();
  let evsed = await restart(rig);
  let boot = await csms.waitForCall('BootNotification', { since: mark });
  await waitStatus(csms, 1, 'Available', boot.seq);
  await waitStatus(csms, 2, 'Unavailable', boot.seq);
  assert.equal((await status(evsed)).connectors.map((x) => x.ocppStatus), ['Available', 'Unavailable']);
  const event = await csms.waitForCall('SecurityEventNotification', { since: boot.seq });
  assert.ok(['StartupOfTheDevice', 'ResetOrReboot'].includes(event.payload.type));
  // The whole station, then a restart: still all Unavailable; EVSE 2's own setting is kept too.
  assert.is(await change(csms, 'Inoperative'), 'Accepted');
  await waitStatus(csms, 1, 'Unavailable', boot.seq);
  mark = csms.mark();
  evsed = await restart(rig);
  boot = await csms.waitForCall('BootNotification', { since: mark });
  await waitStatus(csms, 1, 'Unavailable', boot.seq);
  await waitStatus(csms, 2, 'Unavailable', boot.seq);
  assert.is((await status(evsed)).station.operative, false);
  mark = csms.mark();
  assert.is(await change(csms, 'Operative'), 'Accepted');
  await waitStatus(csms, 1, 'Available', mark);
  await sleep(300);
  assert.equal(statuses(csms, 2, mark), [], 'EVSE 2 stays Unavailable: it was set Inoperative on its own');
  assert.equal((await status(evsed)).connectors.map((x) => x.ocppStatus), ['Available', 'Unavailable']);
  assert.equal(csms.violations(), []);
});

test('G03 - a connector made Unavailable takes no remote start: RequestStartTransaction Rejected', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  assert.is(await change(csms, 'Inoperative', { id: 1 }), 'Accepted');
  await waitStatus(csms, 1, 'Unavailable');
  await evsed.ctl('sim.plug', { connector: 1 });
  const mark = csms.mark();
  const r = await csms.call('RequestStartTransaction', { idToken: { idToken: 'AV-R', type: 'Central' }, remoteStartId: 3, evseId: 1 });
  assert.is(r.status, 'Rejected');
  await sleep(400);
  assert.is(txEvents(csms, mark).length, 0);
  await waitState(evsed, 1, 'unavailable');
});

test.run();
