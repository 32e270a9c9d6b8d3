/**
 * OCPP 1.6 ChangeAvailability end to end (16 §5.2, §4.9; OCTT TC_034_CS; ocpp-rules 1h): answer
 * first, then act; Scheduled while a transaction runs (the change happens when it ends);
 * connectorId 0 is the whole station; the set state persists across a restart.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { callsSince, sleep, status, waitState } from '../../support/station.js';
import { disposeRig, restart, startRig, statuses, waitStatus, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('1.6 ChangeAvailability');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

test('16 §5.2 - idle connector Inoperative: Accepted, StatusNotification Unavailable (connector 0 unchanged); Operative: Available', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 1, type: 'Inoperative' }), { status: 'Accepted' });
  const note = await waitStatus(csms, 1, 'Unavailable', mark);
  assert.is(note.payload.errorCode, 'NoError');
  await waitState(evsed, 1, 'unavailable');
  await sleep(300);
  assert.equal(statuses(csms, 1, mark), ['Unavailable']);
  assert.equal(statuses(csms, 0, mark), [], 'connector 0 stays Available while another connector is operative');
  assert.equal(statuses(csms, 2, mark), []);
  // An unavailable connector takes no session.
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'AV-1', connector: 1 })).action, 'refused');
  assert.is(callsSince(csms, 'StartTransaction', mark).length, 0);
  const back = csms.mark();
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 1, type: 'Operative' }), { status: 'Accepted' });
  // Back to what the connector is now: an EV is plugged in, so Preparing (16 §4.9 H2).
  await waitStatus(csms, 1, 'Preparing', back);
  await evsed.ctl('sim.unplug', { connector: 1 });
  await waitStatus(csms, 1, 'Available', back);
  assert.equal(csms.violations(), []);
});

test('16 §5.2 - already in the requested state: Accepted, no StatusNotification', async (c) => {
  const { csms } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 2, type: 'Operative' }), { status: 'Accepted' });
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 0, type: 'Operative' }), { status: 'Accepted' });
  await sleep(400);
  assert.equal(callsSince(csms, 'StatusNotification', mark), []);
});

test('16 §5.2 / §4.9 C8 - during a transaction: Scheduled, the transaction goes on, Unavailable once it ends', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'AV-2', connector: 1 });
  await csms.waitForCall('StartTransaction', { since });
  await waitState(evsed, 1, 'charging');
  const mark = csms.mark();
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 1, type: 'Inoperative' }), { status: 'Scheduled' });
  await sleep(800);
  assert.is((await status(evsed)).connectors[0]!.state, 'charging');
  assert.is(callsSince(csms, 'StopTransaction', mark).length, 0, 'ChangeAvailability must not stop the transaction');
  assert.not.ok(statuses(csms, 1, mark).includes('Unavailable'), 'Unavailable reported while the transaction runs');
  await evsed.ctl('sim.swipe', { token: 'AV-2', connector: 1 });
  const stop = await csms.waitForCall('StopTransaction', { since: mark });
  assert.is(stop.payload.reason, 'Local');
  const unavailable = await waitStatus(csms, 1, 'Unavailable', mark);
  assert.ok(unavailable.seq > mark);
  await waitState(evsed, 1, 'unavailable');
  // The scheduled state holds: it does not fall back to Available when the EV leaves.
  await evsed.ctl('sim.unplug', { connector: 1 });
  await sleep(400);
  assert.is(statuses(csms, 1, mark).at(-1), 'Unavailable');
  assert.equal(csms.violations(), []);
});

test('16 §5.2 - Operative before a Scheduled change took effect cancels it: the connector never becomes Unavailable', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'AV-4', connector: 1 });
  await csms.waitForCall('StartTransaction', { since });
  await waitState(evsed, 1, 'charging');
  const mark = csms.mark();
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 1, type: 'Inoperative' }), { status: 'Scheduled' });
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 1, type: 'Operative' }), { status: 'Accepted' });
  await evsed.ctl('sim.swipe', { token: 'AV-4', connector: 1 });
  await csms.waitForCall('StopTransaction', { since: mark });
  await waitStatus(csms, 1, 'Finishing', mark);
  await evsed.ctl('sim.unplug', { connector: 1 });
  await waitStatus(csms, 1, 'Available', mark);
  assert.not.ok(statuses(csms, 1, mark).includes('Unavailable'), statuses(csms, 1, mark).join(', '));
});

test('16 §5.2 - connectorId 0 Inoperative: every connector and connector 0 Unavailable; Operative: all Available again', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 0, type: 'Inoperative' }), { status: 'Accepted' });
  for (const id of [0, 1, 2]) await waitStatus(csms, id, 'Unavailable', mark);
  const s = await status(evsed);
  assert.equal(s.connectors.map((x) => x.ocppStatus), ['Unavailable', 'Unavailable']);
  assert.is(s.station.operative, false);
  const back = csms.mark();
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 0, type: 'Operative' }), { status: 'Accepted' });
  for (const id of [0, 1, 2]) await waitStatus(csms, id, 'Available', back);
  await sleep(300);
  for (const id of [0, 1, 2]) assert.equal(statuses(csms, id, mark), ['Unavailable', 'Available'], `connector ${id}`);
  assert.equal(csms.violations(), []);
});

test('16 §5.2 / ocpp-rules 1h - connectorId 0 Inoperative with a transaction on connector 1: Scheduled; connector 2 at once, connector 1 when the transaction ends', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'AV-3', connector: 1 });
  await csms.waitForCall('StartTransaction', { since });
  await waitState(evsed, 1, 'charging');
  const mark = csms.mark();
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 0, type: 'Inoperative' }), { status: 'Scheduled' });
  await waitStatus(csms, 2, 'Unavailable', mark);
  await sleep(500);
  assert.is((await status(evsed)).connectors[0]!.state, 'charging');
  assert.not.ok(statuses(csms, 1, mark).includes('Unavailable'));
  assert.is(callsSince(csms, 'StopTransaction', mark).length, 0);
  await evsed.ctl('sim.swipe', { token: 'AV-3', connector: 1 });
  await csms.waitForCall('StopTransaction', { since: mark });
  await waitStatus(csms, 1, 'Unavailable', mark);
  await waitStatus(csms, 0, 'Unavailable', mark);
  assert.equal(csms.violations(), []);
});

test('16 §5.2 - unknown connector: Rejected, nothing changes', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 3, type: 'Inoperative' }), { status: 'Rejected' });
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 99, type: 'Operative' }), { status: 'Rejected' });
  await sleep(300);
  assert.equal(callsSince(csms, 'StatusNotification', mark), []);
  assert.equal((await status(evsed)).connectors.map((x) => x.ocppStatus), ['Available', 'Available']);
});

test('16 §4.9, §5.2 / TC_034_CS - Unavailable persists across a restart (connector and whole station)', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 1, type: 'Inoperative' }), { status: 'Accepted' });
  await waitStatus(csms, 1, 'Unavailable');
  let mark = csms.mark();
  let evsed = await restart(rig);
  let boot = await csms.waitForCall('BootNotification', { since: mark });
  for (const [id, s] of [[0, 'Available'], [1, 'Unavailable'], [2, 'Available']] as const) await waitStatus(csms, id, s, boot.seq);
  assert.equal((await status(evsed)).connectors.map((x) => x.ocppStatus), ['Unavailable', 'Available']);
  // The whole station, then a restart: still all Unavailable.
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 0, type: 'Inoperative' }), { status: 'Accepted' });
  await waitStatus(csms, 2, 'Unavailable', boot.seq);
  mark = csms.mark();
  evsed = await restart(rig);
  boot = await csms.waitForCall('BootNotification', { since: mark });
  for (const id of [0, 1, 2]) await waitStatus(csms, id, 'Unavailable', boot.seq);
  // Station Operative again: connector 2 comes back; connector 1 keeps its own Inoperative.
  mark = csms.mark();
  assert.equal(await csms.call('ChangeAvailability', { connectorId: 0, type: 'Operative' }), { status: 'Accepted' });
  await waitStatus(csms, 2, 'Available', mark);
  await waitStatus(csms, 0, 'Available', mark);
  await sleep(300);
  assert.equal(statuses(csms, 1, mark), []);
  assert.equal((await status(evsed)).connectors.map((x) => x.ocppStatus), ['Unavailable', 'Available']);
  assert.equal(csms.violations(), []);
});

test.run();
