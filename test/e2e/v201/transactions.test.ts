/**
 * OCPP 2.0.1 transactions end to end (functional blocks E and J) against the ocpp-rpc strict CSMS
 * speaking ocpp2.0.1: TxStartPoint / TxStopPoint, trigger reasons, charging states, seqNo, idToken,
 * meter values, remote start and stop.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TestCsms, type RecordedMessage } from '../../peers/csms.js';
import { EvsedProcess, eventually } from '../../support/evsed.js';
import { callsSince, sleep, status, waitAccepted, waitState } from '../../support/station.js';

interface Ctx {
  csms: TestCsms;
  evsed: EvsedProcess;
}
const test = suite<{ ctx?: Ctx }>('2.0.1 transactions');

async function start(settings: Record<string, string | number | boolean> = {}, csmsOpts: Parameters<typeof TestCsms.start>[0] = {}): Promise<Ctx> {
  const csms = await TestCsms.start({ protocols: ['ocpp2.0.1'], ...csmsOpts });
  const evsed = new EvsedProcess({
    csmsUrl: csms.url,
    protocols: ['ocpp2.0.1'],
    connectors: 2,
    timeScale: 60,
    settings: { MeterValueSampleInterval: 0, ...settings },
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

const events = (csms: TestCsms, since: number): RecordedMessage[] => callsSince(csms, 'TransactionEvent', since);
const summary = (list: RecordedMessage[]) => list.map((m) => `${m.payload.eventType}/${m.payload.triggerReason}`);

test('E01/E02 - default points (PowerPathClosed / EVConnected,Authorized): plug, authorize → Started; seqNo 0,1,2…; unplug → Ended EVCommunicationLost', async (c) => {
  const { csms, evsed } = (c.ctx = await start());
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await sleep(300);
  assert.is(events(csms, since).length, 0, 'no transaction before authorization');
  await evsed.ctl('sim.swipe', { token: 'TOKEN-A', connector: 1 });
  const started = await csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Started' });
  assert.is(started.payload.triggerReason, 'Authorized');
  assert.equal(started.payload.idToken, { idToken: 'TOKEN-A', type: 'ISO14443' });
  assert.equal(started.payload.evse, { id: 1, connectorId: 1 });
  assert.is(started.payload.seqNo, 0);
  assert.match(started.payload.transactionInfo.transactionId, /^[0-9a-f-]{36}$/);
  await waitState(evsed, 1, 'charging');
  await evsed.ctl('sim.unplug', { connector: 1 });
  const ended = await csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Ended' });
  assert.is(ended.payload.triggerReason, 'EVCommunicationLost');
  assert.is(ended.payload.transactionInfo.stoppedReason, 'EVDisconnected');
  const all = events(csms, since);
  assert.equal(all.map((m) => m.payload.seqNo), all.map((_, i) => i), 'seqNo continuous from 0');
  assert.ok(all.every((m) => m.payload.transactionInfo.transactionId === started.payload.transactionInfo.transactionId));
  assert.ok(summary(all).includes('Updated/ChargingStateChanged'));
  assert.equal(csms.violations(), []);
});

test('E01 / TxStartPoint=EVConnected - the transaction starts at plug-in without a token; authorization comes as Updated/Authorized with the idToken', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ TxStartPoint: 'EVConnected' }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 2 });
  const started = await csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Started' });
  assert.is(started.payload.triggerReason, 'CablePluggedIn');
  assert.is(started.payload.idToken, undefined);
  assert.is(started.payload.transactionInfo.chargingState, 'EVConnected');
  await evsed.ctl('sim.swipe', { token: 'TOKEN-B', connector: 2 });
  const auth = await csms.waitForCall('TransactionEvent', { since, match: (p) => p.triggerReason === 'Authorized' });
  assert.is(auth.payload.eventType, 'Updated');
  assert.equal(auth.payload.idToken, { idToken: 'TOKEN-B', type: 'ISO14443' });
});

test('E06 / TxStopPoint=EVConnected - stopping with the card ends the authorization (Updated StopAuthorized); the transaction ends at unplug', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ TxStopPoint: 'EVConnected' }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'TOKEN-C', connector: 1 });
  await waitState(evsed, 1, 'charging');
  await evsed.ctl('sim.swipe', { token: 'TOKEN-C', connector: 1 });
  const stopAuth = await csms.waitForCall('TransactionEvent', { since, match: (p) => p.triggerReason === 'StopAuthorized' });
  assert.is(stopAuth.payload.eventType, 'Updated');
  await sleep(300);
  assert.not.ok(events(csms, since).some((m) => m.payload.eventType === 'Ended'));
  await evsed.ctl('sim.unplug', { connector: 1 });
  const ended = await csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Ended' });
  assert.is(ended.payload.transactionInfo.stoppedReason, 'Local');
});

test('E07 - stop with the same card: Ended with triggerReason StopAuthorized, stoppedReason Local, idToken', async (c) => {
  const { csms, evsed } = (c.ctx = await start());
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'TOKEN-D', connector: 1 });
  await waitState(evsed, 1, 'charging');
  await evsed.ctl('sim.swipe', { token: 'TOKEN-D', connector: 1 });
  const ended = await csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Ended' });
  assert.is(ended.payload.triggerReason, 'StopAuthorized');
  assert.is(ended.payload.transactionInfo.stoppedReason, 'Local');
  assert.equal(ended.payload.idToken, { idToken: 'TOKEN-D', type: 'ISO14443' });
  await waitState(evsed, 1, 'finishing');
});

test('F01/F03 - RequestStartTransaction (remoteStartId, triggerReason RemoteStart) and RequestStopTransaction (Ended Remote/RemoteStop)', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ AuthorizeRemoteTxRequests: false }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 2 });
  const r = await csms.call('RequestStartTransaction', { idToken: { idToken: 'APP-1', type: 'Central' }, remoteStartId: 77, evseId: 2 });
  assert.is(r.status, 'Accepted');
  const started = await csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Started' });
  assert.is(started.payload.triggerReason, 'RemoteStart');
  assert.is(started.payload.transactionInfo.remoteStartId, 77);
  assert.equal(started.payload.idToken, { idToken: 'APP-1', type: 'Central' });
  assert.is(callsSince(csms, 'Authorize', since).length, 0);
  const txId = started.payload.transactionInfo.transactionId;
  assert.is((await csms.call('RequestStopTransaction', { transactionId: 'no-such-transaction' })).status, 'Rejected');
  assert.is((await csms.call('RequestStopTransaction', { transactionId: txId })).status, 'Accepted');
  const ended = await csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Ended' });
  assert.is(ended.payload.triggerReason, 'RemoteStop');
  assert.is(ended.payload.transactionInfo.stoppedReason, 'Remote');
  // Unknown EVSE → Rejected.
  assert.is((await csms.call('RequestStartTransaction', { idToken: { idToken: 'APP-1', type: 'Central' }, remoteStartId: 78, evseId: 9 })).status, 'Rejected');
});

test('J02 / E02 - sampled meter values in Updated (MeterValuePeriodic) with units; TxEndedMeasurands in Ended', async (c) => {
  const { csms, evsed } = (c.ctx = await start({
    MeterValueSampleInterval: 1,
    MeterValuesSampledData: 'Energy.Active.Import.Register,Power.Active.Import,Current.Import',
    StopTxnSampledData: 'Energy.Active.Import.Register',
  }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'TOKEN-E', connector: 1 });
  await waitState(evsed, 1, 'charging');
  await eventually(() => events(csms, since).filter((m) => m.payload.triggerReason === 'MeterValuePeriodic').length >= 2, 4000, 'periodic values');
  const periodic = events(csms, since).find((m) => m.payload.triggerReason === 'MeterValuePeriodic')!;
  const sv = periodic.payload.meterValue[0].sampledValue as any[];
  assert.equal(sv.find((v) => v.measurand === 'Energy.Active.Import.Register').unitOfMeasure, { unit: 'Wh' });
  assert.equal(sv.filter((v) => v.measurand === 'Current.Import').map((v) => v.phase), ['L1', 'L2', 'L3']);
  assert.ok(sv.every((v) => v.context === 'Sample.Periodic' && typeof v.value === 'number'));
  await evsed.ctl('sim.swipe', { token: 'TOKEN-E', connector: 1 });
  const ended = await csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Ended' });
  const mv = ended.payload.meterValue as any[];
  assert.is(mv[0].sampledValue[0].context, 'Transaction.Begin');
  assert.is(mv.at(-1).sampledValue[0].context, 'Transaction.End');
});

test('E05 / R-O4 - idTokenInfo Invalid in the TransactionEvent response with StopTxOnInvalidId: Ended Deauthorized / DeAuthorized', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ StopTransactionOnInvalidId: true }, {
    handlers: {
      TransactionEvent: (p: any) => (p.eventType === 'Started' && p.idToken ? { idTokenInfo: { status: 'Invalid' } } : {}),
    },
  }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'TOKEN-F', connector: 1 });
  const ended = await csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Ended' });
  assert.is(ended.payload.triggerReason, 'Deauthorized');
  assert.is(ended.payload.transactionInfo.stoppedReason, 'DeAuthorized');
  assert.is((await status(evsed)).connectors[0]!.contactorClosed, false);
});

test('E14 - GetTransactionStatus: ongoing, unknown id, without id', async (c) => {
  const { csms, evsed } = (c.ctx = await start());
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'TOKEN-G', connector: 1 });
  const started = await csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Started' });
  await sleep(200);
  const id = started.payload.transactionInfo.transactionId;
  assert.equal(await csms.call('GetTransactionStatus', { transactionId: id }), { ongoingIndicator: true, messagesInQueue: false });
  assert.equal(await csms.call('GetTransactionStatus', { transactionId: 'unknown' }), { ongoingIndicator: false, messagesInQueue: false });
  assert.equal(await csms.call('GetTransactionStatus', {}), { messagesInQueue: false });
});

test.run();
