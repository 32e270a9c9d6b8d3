/**
 * OCPP 1.6 TriggerMessage end to end (16 §5.17, errata 3.35, OCTT TC_054/055_CS; ocpp-rules 1h):
 * the TriggerMessage answer crosses the wire before the triggered message; connectorId rules;
 * what each triggerable message carries.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RecordedMessage, TestCsms } from '../../peers/csms.js';
import { answerTo, callsSince, sleep, waitState } from '../../support/station.js';
import { disposeRig, replyTo, startRig, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('1.6 TriggerMessage');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

/** Trigger, expect Accepted, and return the seq of evsed's answer (to compare with what follows). */
async function trigger(csms: TestCsms, payload: object): Promise<{ mark: number; answer: RecordedMessage }> {
  const mark = csms.mark();
  assert.equal(await csms.call('TriggerMessage', payload), { status: 'Accepted' }, JSON.stringify(payload));
  const answer = replyTo(csms, 'TriggerMessage', mark);
  assert.ok(answer && answer.type === 'CALLRESULT');
  return { mark, answer: answer! };
}

test('16 §5.17 / TC_054_CS - StatusNotification for one connector: answer first, then the (unchanged) status, once', async (c) => {
  const { csms } = (c.rig = await startRig());
  await sleep(300);
  const { mark, answer } = await trigger(csms, { requestedMessage: 'StatusNotification', connectorId: 2 });
  const note = await csms.waitForCall('StatusNotification', { since: mark });
  assert.ok(answer.seq < note.seq, 'the StatusNotification went out before the TriggerMessage answer');
  assert.is(note.payload.connectorId, 2);
  assert.is(note.payload.status, 'Available');
  assert.is(note.payload.errorCode, 'NoError');
  await sleep(400);
  assert.is(callsSince(csms, 'StatusNotification', mark).length, 1);
  assert.equal(csms.violations(), []);
});

test('16 §5.17 - StatusNotification without connectorId: every connector, connector 0 included; with connectorId 0: connector 0 only', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  await evsed.ctl('sim.plug', { connector: 2 });
  await waitState(evsed, 2, 'preparing.evConnected');
  await sleep(300);
  let { mark, answer } = await trigger(csms, { requestedMessage: 'StatusNotification' });
  await sleep(500);
  let sent = callsSince(csms, 'StatusNotification', mark);
  assert.equal(sent.map((m) => [m.payload.connectorId, m.payload.status]).sort(), [[0, 'Available'], [1, 'Available'], [2, 'Preparing']]);
  assert.ok(sent.every((m) => m.seq > answer.seq));
  ({ mark, answer } = await trigger(csms, { requestedMessage: 'StatusNotification', connectorId: 0 }));
  await sleep(400);
  sent = callsSince(csms, 'StatusNotification', mark);
  assert.equal(sent.map((m) => [m.payload.connectorId, m.payload.status]), [[0, 'Available']]);
  assert.ok(sent[0]!.seq > answer.seq);
});

test('16 §5.17 / TC_054_CS - Heartbeat: answer first, then a Heartbeat', async (c) => {
  const { csms } = (c.rig = await startRig());
  const { mark, answer } = await trigger(csms, { requestedMessage: 'Heartbeat' });
  const hb = await csms.waitForCall('Heartbeat', { since: mark });
  assert.ok(answer.seq < hb.seq);
  assert.equal(hb.payload, {});
  // connectorId is not relevant for a Heartbeat: ignored, still sent (16 §5.17).
  const again = await trigger(csms, { requestedMessage: 'Heartbeat', connectorId: 1 });
  await csms.waitForCall('Heartbeat', { since: again.mark });
});

test('16 §5.17 - MeterValues: context Trigger, no transactionId when idle, the transactionId while a transaction runs', async (c) => {
  const { csms, evsed } = (c.rig = await startRig({ settings: { MeterValuesSampledData: 'Energy.Active.Import.Register,Power.Active.Import' } }));
  let { mark, answer } = await trigger(csms, { requestedMessage: 'MeterValues', connectorId: 1 });
  let mv = await csms.waitForCall('MeterValues', { since: mark });
  assert.ok(answer.seq < mv.seq);
  assert.is(mv.payload.connectorId, 1);
  assert.is(mv.payload.transactionId, undefined);
  let sv = mv.payload.meterValue[0].sampledValue as any[];
  assert.equal(sv.map((v) => v.measurand), ['Energy.Active.Import.Register', 'Power.Active.Import']);
  assert.ok(sv.every((v) => v.context === 'Trigger'), JSON.stringify(sv));

  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'TRIG-1', connector: 1 });
  const startTx = await csms.waitForCall('StartTransaction', { since });
  const txId = (await answerTo(csms, startTx)).payload.transactionId;
  await waitState(evsed, 1, 'charging');
  await sleep(500);
  ({ mark, answer } = await trigger(csms, { requestedMessage: 'MeterValues', connectorId: 1 }));
  mv = await csms.waitForCall('MeterValues', { since: mark });
  assert.ok(answer.seq < mv.seq);
  assert.is(mv.payload.transactionId, txId);
  sv = mv.payload.meterValue[0].sampledValue as any[];
  assert.ok(sv.every((v) => v.context === 'Trigger'));
  assert.ok(Number(sv.find((v) => v.measurand === 'Power.Active.Import').value) > 0, 'latest values, taken now');
  assert.equal(csms.violations(), []);
});

test('16 §5.17 - MeterValues without connectorId: one per connector', async (c) => {
  const { csms } = (c.rig = await startRig());
  const { mark } = await trigger(csms, { requestedMessage: 'MeterValues' });
  await csms.waitForCall('MeterValues', { since: mark, match: (p) => p.connectorId === 2 });
  await sleep(300);
  assert.equal(callsSince(csms, 'MeterValues', mark).map((m) => m.payload.connectorId).sort(), [1, 2]);
});

test('R-B7 / errata 3.35 - BootNotification after the station was Accepted: Rejected, no BootNotification sent', async (c) => {
  const { csms } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'BootNotification' }), { status: 'Rejected' });
  await sleep(500);
  assert.is(callsSince(csms, 'BootNotification', mark).length, 0);
});

test('16 §5.17 / ocpp-rules 1h - DiagnosticsStatusNotification and FirmwareStatusNotification when nothing runs: Idle', async (c) => {
  const { csms } = (c.rig = await startRig());
  let { mark, answer } = await trigger(csms, { requestedMessage: 'DiagnosticsStatusNotification' });
  const diag = await csms.waitForCall('DiagnosticsStatusNotification', { since: mark });
  assert.ok(answer.seq < diag.seq);
  assert.equal(diag.payload, { status: 'Idle' });
  ({ mark, answer } = await trigger(csms, { requestedMessage: 'FirmwareStatusNotification' }));
  const fw = await csms.waitForCall('FirmwareStatusNotification', { since: mark });
  assert.ok(answer.seq < fw.seq);
  assert.equal(fw.payload, { status: 'Idle' });
  assert.equal(csms.violations(), []);
});

test('16 §5.17 / TC_055_CS - unknown connectorId: Rejected, nothing sent', async (c) => {
  const { csms } = (c.rig = await startRig());
  const mark = csms.mark();
  for (const requestedMessage of ['StatusNotification', 'MeterValues']) {
    assert.equal(await csms.call('TriggerMessage', { requestedMessage, connectorId: 3 }), { status: 'Rejected' }, requestedMessage);
  }
  await sleep(400);
  assert.equal(csms.calls().filter((m) => m.seq >= mark), []);
});

test.run();
