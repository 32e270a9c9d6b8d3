/**
 * OCPP 2.0.1 provisioning end to end (functional block B, registration part; ocpp-rules 1b,
 * R-O13): BootNotification and its reason, the start-up security event, what the station does
 * while Pending and while Rejected, and the connector statuses after an outage shorter or longer
 * than OfflineThreshold. Reset (B11/B12) is in reset.test.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '../../support/evsed.js';
import { sleep, status, waitAccepted } from '../../support/station.js';
import { callError, disposeRig, startRig, statuses, txEvents, waitStatus, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('2.0.1 provisioning');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

const HEARTBEAT = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };

test('B01.FR.01 / B01.FR.09 - BootNotification first, reason PowerUp; after Accepted every connector, then SecurityEventNotification StartupOfTheDevice', async (c) => {
  const { csms } = (c.rig = await startRig());
  const first = csms.messages.find((m) => m.direction === 'cs→csms' && m.type === 'CALL')!;
  assert.is(first.action, 'BootNotification');
  assert.equal(first.payload, {
    reason: 'PowerUp',
    chargingStation: { vendorName: 'evsed-test', model: 'sim-board', serialNumber: 'SN-TEST-0001', firmwareVersion: '0.0.0-test' },
  });
  const accepted = csms.messages.find((m) => m.type === 'CALLRESULT' && m.action === 'BootNotification')!;
  const events = csms.calls('SecurityEventNotification');
  assert.is(events.length, 1);
  assert.is(events[0]!.payload.type, 'StartupOfTheDevice');
  assert.ok(events[0]!.seq > accepted.seq, 'the security event follows the acceptance');
  assert.equal(notesOf(c.rig), [[1, 'Available'], [2, 'Available']]);
  assert.ok(csms.calls('StatusNotification').every((m) => m.seq > accepted.seq));
  assert.equal(csms.violations(), []);
});

function notesOf(rig: Rig): Array<[number, string]> {
  return rig.csms.calls('StatusNotification').map((m) => [m.payload.evseId, m.payload.connectorStatus] as [number, string]);
}

test('B02.FR.01 / B02.FR.05 - Pending: GetVariables, SetVariables, GetBaseReport answered; RequestStartTransaction Rejected; no StatusNotification or Heartbeat until Accepted', async (c) => {
  const rig = (c.rig = await startRig({ csms: { boot: { status: 'Pending', interval: 30 } }, settings: { HeartbeatInterval: 1 }, registered: false }));
  const { csms, evsed } = rig;
  await csms.waitForCall('BootNotification');
  await eventually(async () => (await status(evsed)).csms.registration === 'pending', 5000, 'pending');
  const got = await csms.call('GetVariables', { getVariableData: [HEARTBEAT] });
  assert.equal(got.getVariableResult, [{ attributeStatus: 'Accepted', attributeType: 'Actual', attributeValue: '1', ...HEARTBEAT }]);
  const set = await csms.call('SetVariables', { setVariableData: [{ ...HEARTBEAT, attributeValue: '2' }] });
  assert.equal(set.setVariableResult, [{ attributeStatus: 'Accepted', attributeType: 'Actual', ...HEARTBEAT }]);
  assert.equal(await csms.call('GetBaseReport', { requestId: 5, reportBase: 'SummaryInventory' }), { status: 'Accepted' });
  const report = await csms.waitForCall('NotifyReport', { match: (p) => p.requestId === 5 });
  assert.is(report.payload.tbc, false);
  const start = await csms.call('RequestStartTransaction', { idToken: { idToken: 'PENDING-1', type: 'Central' }, remoteStartId: 1, evseId: 1 });
  assert.is(start.status, 'Rejected');
  // Heartbeats would be due every 1–2 s if the station sent them while Pending.
  await sleep(2500);
  assert.equal(csms.calls().map((m) => m.action).filter((a) => a !== 'BootNotification'), ['NotifyReport'], 'only the requested report went out while Pending');
  assert.is(txEvents(csms).length, 0);
  // Accepted (via TriggerMessage, B02.FR.04/08): now the connectors are reported.
  csms.setBoot({ status: 'Accepted', interval: 300 });
  const mark = csms.mark();
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'BootNotification' }), { status: 'Accepted' });
  const boot = await csms.waitForCall('BootNotification', { since: mark });
  assert.is(boot.payload.reason, 'Triggered');
  await waitAccepted(evsed);
  await waitStatus(csms, 1, 'Available', boot.seq);
  await waitStatus(csms, 2, 'Available', boot.seq);
  assert.equal(csms.violations(), []);
});

test('B03.FR.08 / TC_B_30_CS - Rejected: CSMS requests get CALLERROR SecurityError; nothing but BootNotification is sent', async (c) => {
  const rig = (c.rig = await startRig({ csms: { boot: { status: 'Rejected', interval: 30 } }, settings: { HeartbeatInterval: 1 }, registered: false }));
  const { csms, evsed } = rig;
  await csms.waitForCall('BootNotification');
  await eventually(async () => (await status(evsed)).csms.registration === 'rejected', 5000, 'rejected');
  for (const [action, payload] of [
    ['GetVariables', { getVariableData: [HEARTBEAT] }],
    ['RequestStartTransaction', { idToken: { idToken: 'REJ-1', type: 'Central' }, remoteStartId: 2 }],
    ['Reset', { type: 'Immediate' }],
  ] as const) {
    const err = await callError(csms.call(action, payload));
    assert.is(err.errorCode, 'SecurityError', `${action}: ${err.message}`);
  }
  await sleep(1500);
  assert.equal(csms.calls().map((m) => m.action), ['BootNotification']);
  assert.is(csms.connections.length, 1);
  assert.equal(csms.violations(), []);
});

test('B04.FR.02 / TC_B_52_CS - offline shorter than OfflineThreshold: only the connector that changed is reported; no new BootNotification', async (c) => {
  const rig = (c.rig = await startRig({ settings: { OfflineThreshold: 3 } }));
  const { csms, evsed } = rig;
  await csms.goDown();
  await eventually(async () => !(await status(evsed)).csms.connected, 3000, 'offline');
  await evsed.ctl('sim.plug', { connector: 1 });
  const back = csms.mark();
  await csms.comeBack();
  await waitStatus(csms, 1, 'Occupied', back);
  await sleep(800);
  assert.equal(statuses(csms, 1, back), ['Occupied']);
  assert.equal(statuses(csms, 2, back), [], 'EVSE 2 did not change and must not be reported');
  assert.is(csms.calls('BootNotification').length, 1);
  assert.equal(csms.violations(), []);
});

test('B04.FR.01 / TC_B_51_CS - offline longer than OfflineThreshold: every connector is reported', async (c) => {
  const rig = (c.rig = await startRig({ settings: { OfflineThreshold: 3 } }));
  const { csms, evsed } = rig;
  await csms.goDown();
  await eventually(async () => !(await status(evsed)).csms.connected, 3000, 'offline');
  await evsed.ctl('sim.plug', { connector: 1 });
  await sleep(4000);
  const back = csms.mark();
  await csms.comeBack();
  await waitStatus(csms, 1, 'Occupied', back);
  await waitStatus(csms, 2, 'Available', back);
  await sleep(500);
  assert.equal(statuses(csms, 1, back), ['Occupied']);
  assert.equal(statuses(csms, 2, back), ['Available']);
  assert.is(csms.calls('BootNotification').length, 1);
  assert.equal(csms.violations(), []);
});

test('A04 / B01 - powered up, Pending, then registered through a triggered BootNotification: the security event says StartupOfTheDevice (the station never rebooted)', async (c) => {
  const rig = (c.rig = await startRig({ csms: { boot: { status: 'Pending', interval: 30 } }, registered: false }));
  const { csms, evsed } = rig;
  await csms.waitForCall('BootNotification');
  await eventually(async () => (await status(evsed)).csms.registration === 'pending', 5000, 'pending');
  csms.setBoot({ status: 'Accepted', interval: 300 });
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'BootNotification' }), { status: 'Accepted' });
  await waitAccepted(evsed);
  const event = await csms.waitForCall('SecurityEventNotification');
  assert.equal(csms.calls('BootNotification').map((m) => m.payload.reason), ['PowerUp', 'Triggered']);
  assert.is(event.payload.type, 'StartupOfTheDevice', `techInfo: ${event.payload.techInfo}`);
});

test.run();
