/**
 * OCPP 2.0.1 remote control and data transfer end to end (F05 UnlockConnector, F06 TriggerMessage,
 * P01 DataTransfer; ocpp-rules 1h, R-J9, R-J10, R-J15): unlock answers per connector state, what
 * each trigger sends (after the answer has crossed the wire), and how requests of functional
 * blocks evsed does not implement, unknown actions and customData are answered.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CALL_FAILURE, type RecordedMessage, type TestCsms } from '../../peers/csms.js';
import { callsSince, sleep, status } from '../../support/station.js';
import { callError, disposeRig, inMs, replyTo, startCharging, startRig, txEvents, waitStatus, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('2.0.1 remote control');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

/** Send a TriggerMessage; returns its answer and the CALLRESULT frame (to order it against what follows). */
async function trigger(csms: TestCsms, requestedMessage: string, evse?: { id: number; connectorId?: number }): Promise<{ status: string; reply: RecordedMessage; since: number }> {
  const since = csms.mark();
  const answer = await csms.call('TriggerMessage', { requestedMessage, ...(evse ? { evse } : {}) });
  return { status: answer.status, reply: replyTo(csms, 'TriggerMessage', since)!, since };
}

test('F05.FR.02 / TC_F_05_CS - UnlockConnector while an authorized transaction runs: OngoingAuthorizedTransaction; the transaction goes on', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  await startCharging(rig, 1, 'UNLOCK-1');
  const mark = csms.mark();
  assert.equal(await csms.call('UnlockConnector', { evseId: 1, connectorId: 1 }), { status: 'OngoingAuthorizedTransaction' });
  await sleep(500);
  assert.not.ok(txEvents(csms, mark).some((m) => m.payload.eventType === 'Ended'), 'the transaction was stopped');
  const s = await status(evsed);
  assert.is(s.connectors[0]!.state, 'charging');
  assert.is(s.connectors[0]!.contactorClosed, true);
  assert.equal(csms.violations(), []);
});

test('F05.FR.03 / TC_F_10_CS - UnlockConnector of an unknown connector or EVSE: UnknownConnector', async (c) => {
  const { csms } = (c.rig = await startRig());
  assert.equal(await csms.call('UnlockConnector', { evseId: 1, connectorId: 999 }), { status: 'UnknownConnector' });
  assert.equal(await csms.call('UnlockConnector', { evseId: 9, connectorId: 1 }), { status: 'UnknownConnector' });
});

test('F05.FR.04 / F05.FR.06 / TC_F_06_CS / TC_F_07_CS - UnlockConnector of an idle connector with a lock: Unlocked, with or without a cable', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  assert.equal(await csms.call('UnlockConnector', { evseId: 1, connectorId: 1 }), { status: 'Unlocked' });
  await evsed.ctl('sim.plug', { connector: 1 });
  await waitStatus(csms, 1, 'Occupied');
  assert.equal(await csms.call('UnlockConnector', { evseId: 1, connectorId: 1 }), { status: 'Unlocked' });
  assert.equal(csms.violations(), []);
});

test('F06.FR.02 / F06.FR.04 / TC_F_23_CS / TC_F_24_CS - TriggerMessage StatusNotification for one connector: Accepted, then only that connector\'s status', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  await evsed.ctl('sim.plug', { connector: 1 });
  await waitStatus(csms, 1, 'Occupied');
  for (const [evseId, expected] of [[1, 'Occupied'], [2, 'Available']] as const) {
    const t = await trigger(csms, 'StatusNotification', { id: evseId, connectorId: 1 });
    assert.is(t.status, 'Accepted');
    const note = await waitStatus(csms, evseId, expected, t.since);
    assert.ok(t.reply.seq < note.seq, 'the answer crossed the wire before the StatusNotification');
    await sleep(300);
    assert.equal(callsSince(csms, 'StatusNotification', t.since).map((m) => [m.payload.evseId, m.payload.connectorStatus]), [[evseId, expected]]);
  }
  assert.equal(csms.violations(), []);
});

test('F06.FR.11 - TriggerMessage StatusNotification without evse: every connector', async (c) => {
  const { csms } = (c.rig = await startRig());
  const t = await trigger(csms, 'StatusNotification');
  assert.is(t.status, 'Accepted');
  await waitStatus(csms, 1, 'Available', t.since);
  await waitStatus(csms, 2, 'Available', t.since);
  await sleep(300);
  const notes = callsSince(csms, 'StatusNotification', t.since);
  assert.equal(notes.map((m) => m.payload.evseId).sort(), [1, 2]);
  assert.ok(notes.every((m) => m.seq > t.reply.seq));
});

test('F06.FR.04 / TC_F_20_CS - TriggerMessage Heartbeat: Accepted, then a Heartbeat', async (c) => {
  const { csms } = (c.rig = await startRig());
  const t = await trigger(csms, 'Heartbeat');
  assert.is(t.status, 'Accepted');
  const hb = await csms.waitForCall('Heartbeat', { since: t.since });
  assert.ok(t.reply.seq < hb.seq);
  assert.equal(hb.payload, {});
});

test('F06.FR.06 / TC_F_11_CS / TC_F_12_CS - TriggerMessage MeterValues: one EVSE or every EVSE, context Trigger, the aligned-data measurands', async (c) => {
  const { csms } = (c.rig = await startRig({ settings: { MeterValuesAlignedData: 'Energy.Active.Import.Register,Current.Offered' } }));
  const one = await trigger(csms, 'MeterValues', { id: 2 });
  assert.is(one.status, 'Accepted');
  const mv = await csms.waitForCall('MeterValues', { since: one.since });
  assert.ok(one.reply.seq < mv.seq);
  assert.is(mv.payload.evseId, 2);
  const sampled = mv.payload.meterValue[0].sampledValue as any[];
  assert.equal(sampled.map((s) => s.measurand), ['Energy.Active.Import.Register', 'Current.Offered']);
  assert.ok(sampled.every((s) => s.context === 'Trigger'));
  await sleep(300);
  assert.is(callsSince(csms, 'MeterValues', one.since).length, 1);
  const all = await trigger(csms, 'MeterValues');
  assert.is(all.status, 'Accepted');
  await csms.waitForCall('MeterValues', { since: all.since, match: (p) => p.evseId === 1 });
  await csms.waitForCall('MeterValues', { since: all.since, match: (p) => p.evseId === 2 });
  assert.ok(callsSince(csms, 'MeterValues', all.since).every((m) => m.payload.meterValue[0].sampledValue[0].context === 'Trigger'));
  assert.equal(csms.violations(), []);
});

test('F06.FR.07 / TC_F_13_CS - TriggerMessage TransactionEvent: Updated with triggerReason Trigger, chargingState Charging, meter values with context Trigger', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  const started = await startCharging(rig, 1, 'TRIGGER-1');
  const t = await trigger(csms, 'TransactionEvent', { id: 1 });
  assert.is(t.status, 'Accepted');
  const ev = await csms.waitForCall('TransactionEvent', { since: t.since, match: (p) => p.triggerReason === 'Trigger' });
  assert.ok(t.reply.seq < ev.seq);
  assert.is(ev.payload.eventType, 'Updated');
  assert.is(ev.payload.transactionInfo.transactionId, started.payload.transactionInfo.transactionId);
  assert.is(ev.payload.transactionInfo.chargingState, 'Charging');
  assert.ok(ev.payload.meterValue?.length > 0, 'meterValue present');
  assert.is(ev.payload.meterValue[0].sampledValue[0].context, 'Trigger');
  const all = txEvents(csms);
  assert.equal(all.map((m) => m.payload.seqNo), all.map((_, i) => i), 'seqNo continues');
  assert.equal(csms.violations(), []);
});

test('F06.FR.17 / TC_F_26_CS - TriggerMessage BootNotification after acceptance: Rejected, no BootNotification', async (c) => {
  const { csms } = (c.rig = await startRig());
  const t = await trigger(csms, 'BootNotification');
  assert.is(t.status, 'Rejected');
  await sleep(500);
  assert.is(callsSince(csms, 'BootNotification', t.since).length, 0);
});

test('F06.FR.15 / F06.FR.16 / TC_F_15_CS / TC_F_18_CS - TriggerMessage LogStatusNotification / FirmwareStatusNotification when idle: Accepted, status Idle', async (c) => {
  const { csms } = (c.rig = await startRig());
  for (const action of ['LogStatusNotification', 'FirmwareStatusNotification']) {
    const t = await trigger(csms, action);
    assert.is(t.status, 'Accepted', action);
    const sent = await csms.waitForCall(action, { since: t.since });
    assert.ok(t.reply.seq < sent.seq);
    assert.equal(sent.payload, { status: 'Idle' });
  }
  // TC_F_17_CS: an EVSE that is not relevant for the message is ignored.
  const t = await trigger(csms, 'FirmwareStatusNotification', { id: 1 });
  assert.is(t.status, 'Accepted');
  assert.equal((await csms.waitForCall('FirmwareStatusNotification', { since: t.since })).payload, { status: 'Idle' });
  assert.equal(csms.violations(), []);
});

test('F06.FR.08 / TC_F_27_CS - TriggerMessage of a message evsed does not implement: NotImplemented, nothing sent', async (c) => {
  const { csms } = (c.rig = await startRig());
  const mark = csms.mark();
  for (const m of ['SignChargingStationCertificate', 'SignV2GCertificate', 'SignCombinedCertificate', 'PublishFirmwareStatusNotification']) {
    assert.is((await trigger(csms, m)).status, 'NotImplemented', m);
  }
  await sleep(300);
  assert.equal(csms.calls().filter((m) => m.seq >= mark).map((m) => m.action), []);
});

test('P01 / R-J10 - DataTransfer for an unknown vendor: UnknownVendorId, not a CALLERROR', async (c) => {
  const { csms } = (c.rig = await startRig());
  assert.equal(await csms.call('DataTransfer', { vendorId: 'com.example.unknown', messageId: 'Hello', data: { a: 1 } }), { status: 'UnknownVendorId' });
  assert.equal(await csms.call('DataTransfer', { vendorId: 'com.example.unknown' }), { status: 'UnknownVendorId' });
});

test('R-J9 / R-J8 - requests of functional blocks evsed does not implement: CALLERROR NotSupported; the link stays up', async (c) => {
  const { csms } = (c.rig = await startRig());
  const requests: Array<[string, object]> = [
    ['UpdateFirmware', { requestId: 1, firmware: { location: 'https://fw.example.com/evsed.bin', retrieveDateTime: inMs(0) } }],
    ['GetLog', { logType: 'DiagnosticsLog', requestId: 2, log: { remoteLocation: 'https://logs.example.com/upload' } }],
    ['InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }],
    ['SetDisplayMessage', { message: { id: 1, priority: 'NormalCycle', message: { format: 'UTF8', content: 'Hello' } } }],
    ['SetVariableMonitoring', { setMonitoringData: [{ value: 1, type: 'Delta', severity: 5, component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } }] }],
  ];
  for (const [action, payload] of requests) {
    const err = await callError(csms.call(action, payload));
    assert.is(err.kind, CALL_FAILURE.callError, `${action}: ${err.message}`);
    assert.is(err.errorCode, 'NotSupported', action);
  }
  assert.is(csms.connections.length, 1);
  assert.ok(csms.client()?.isOpen, 'the link is still up');
  assert.is((await csms.call('GetVariables', { getVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'Identity' } }] })).getVariableResult[0].attributeValue, 'CP-TEST-1');
  assert.equal(csms.violations(), []);
});

test('R-J9 / R-J11 - an action unknown to OCPP 2.0.1: CALLERROR NotImplemented with the message id; the link stays up', async (c) => {
  const { csms } = (c.rig = await startRig());
  const mark = csms.mark();
  csms.sendRaw('[2,"raw-unknown-1","FlyToTheMoon",{}]');
  const answer = await csms.waitFor((m) => m.direction === 'cs→csms' && m.id === 'raw-unknown-1', { since: mark });
  assert.is(answer.type, 'CALLERROR');
  assert.is(answer.errorCode, 'NotImplemented');
  const frame = JSON.parse(answer.raw);
  assert.is(frame.length, 5);
  assert.is(frame[1], 'raw-unknown-1');
  await sleep(300);
  assert.is(csms.connections.length, 1);
  assert.ok(csms.client()?.isOpen);
  assert.equal(await csms.call('ClearCache', {}), { status: 'Accepted' });
  // ocpp-rpc flags the answer to a CALL it did not send itself (sendRaw); nothing else may be flagged.
  assert.equal(csms.violations().filter((m) => m.id !== 'raw-unknown-1'), []);
});

test('TC_P_03_CS / TC_P_04_CS / R-J15 - customData on a request (top level and nested) is accepted', async (c) => {
  const { csms } = (c.rig = await startRig());
  const r = await csms.call('GetVariables', {
    customData: { vendorId: 'x' },
    getVariableData: [{
      customData: { vendorId: 'x', note: 'nested' },
      component: { name: 'OCPPCommCtrlr', customData: { vendorId: 'x' } },
      variable: { name: 'HeartbeatInterval' },
    }],
  });
  assert.is(r.getVariableResult[0].attributeStatus, 'Accepted');
  assert.is(r.getVariableResult[0].attributeValue, '300');
  assert.equal(await csms.call('ClearCache', { customData: { vendorId: 'x' } }), { status: 'Accepted' });
  assert.equal(csms.violations(), []);
});

test.run();
