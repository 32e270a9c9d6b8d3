/**
 * OCPP 1.6 transactions end to end: evsed on the simulated board against the ocpp-rpc strict CSMS.
 * Starting and stopping sessions every way 1.6 knows, stop reasons, and metering.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TestCsms } from '../../peers/csms.js';
import { EvsedProcess, eventually } from '../../support/evsed.js';
import { answerTo, callsSince, sleep, status, waitAccepted, waitState } from '../../support/station.js';

interface Ctx {
  csms: TestCsms;
  evsed: EvsedProcess;
}
const test = suite<{ ctx?: Ctx }>('1.6 transactions');

async function start(settings: Record<string, string | number | boolean> = {}, csmsOpts: Parameters<typeof TestCsms.start>[0] = {}): Promise<Ctx> {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'], ...csmsOpts });
  const evsed = new EvsedProcess({
    csmsUrl: csms.url,
    connectors: 2,
    timeScale: 60,
    settings: { MeterValueSampleInterval: 0, ...settings },
    extra: { evses: [1, 2].map((id) => ({ id, connectors: [{ id: 1, maxCurrentA: 32, phases: 3, hasLock: true }] })) },
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

test('16 §4.3/§4.8 - plug then swipe: Authorize, StartTransaction, same card stops it (reason Local)', async (c) => {
  const { csms, evsed } = (c.ctx = await start());
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'CARD-A', connector: 1 })).action, 'started');
  const startTx = await csms.waitForCall('StartTransaction', { since });
  assert.is(startTx.payload.connectorId, 1);
  assert.is(startTx.payload.idTag, 'CARD-A');
  assert.is(startTx.payload.meterStart, 0);
  await waitState(evsed, 1, 'charging');
  await sleep(700);
  assert.is((await evsed.ctl('sim.swipe', { token: 'CARD-A', connector: 1 })).action, 'stopped');
  const stop = await csms.waitForCall('StopTransaction', { since });
  const answer = await answerTo(csms, startTx);
  assert.is(stop.payload.transactionId, answer.payload.transactionId);
  assert.is(stop.payload.reason, 'Local');
  assert.ok(stop.payload.meterStop > 100, `meterStop ${stop.payload.meterStop}`);
  await waitState(evsed, 1, 'finishing');
  assert.equal(callsSince(csms, 'Authorize', since).length, 1, 'stop with the same card needs no Authorize');
  assert.equal(csms.violations(), []);
});

test('16 §4.3 - swipe then plug: the transaction starts when the EV connects', async (c) => {
  const { csms, evsed } = (c.ctx = await start());
  const since = csms.mark();
  assert.is((await evsed.ctl('sim.swipe', { token: 'CARD-B', connector: 2 })).action, 'started');
  await waitState(evsed, 2, 'preparing.authorized');
  await sleep(300);
  assert.is(callsSince(csms, 'StartTransaction', since).length, 0);
  await evsed.ctl('sim.plug', { connector: 2 });
  const startTx = await csms.waitForCall('StartTransaction', { since });
  assert.is(startTx.payload.connectorId, 2);
  await waitState(evsed, 2, 'charging');
});

test('16 §4.10 - unplug with StopTransactionOnEVSideDisconnect=true stops with EVDisconnected and unlocks', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ StopTransactionOnEVSideDisconnect: true, UnlockConnectorOnEVSideDisconnect: true }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'CARD-C', connector: 1 });
  await waitState(evsed, 1, 'charging');
  await evsed.ctl('sim.unplug', { connector: 1 });
  const stop = await csms.waitForCall('StopTransaction', { since });
  assert.is(stop.payload.reason, 'EVDisconnected');
  await waitState(evsed, 1, 'available');
});

test('16 §4.10 - unplug with StopTransactionOnEVSideDisconnect=false: SuspendedEV, transaction goes on; re-plug resumes', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ StopTransactionOnEVSideDisconnect: false }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'CARD-D', connector: 1 });
  await waitState(evsed, 1, 'charging');
  await evsed.ctl('sim.unplug', { connector: 1 });
  await waitState(evsed, 1, 'evDisconnected');
  const note = await csms.waitFor((m) => m.seq >= since && m.action === 'StatusNotification' && m.type === 'CALL' && m.payload.status === 'SuspendedEV' && m.payload.info === 'EV side disconnected');
  assert.is(note.payload.errorCode, 'NoError');
  await sleep(300);
  assert.is(callsSince(csms, 'StopTransaction', since).length, 0);
  await evsed.ctl('sim.plug', { connector: 1 });
  await waitState(evsed, 1, 'charging');
  assert.is(callsSince(csms, 'StartTransaction', since).length, 1);
});

test('16 §4.1 / TC_068_CS - a card of the same parentIdTag stops the session', async (c) => {
  const parents: Record<string, string> = { 'CARD-E1': 'FLEET-1', 'CARD-E2': 'FLEET-1', 'CARD-X': 'OTHER' };
  const { csms, evsed } = (c.ctx = await start({}, {
    handlers: {
      Authorize: (p: any) => ({ idTagInfo: { status: 'Accepted', parentIdTag: parents[p.idTag] } }),
      StartTransaction: (p: any, _c: unknown, ctx: any) => {
        const r = ctx.fallback();
        return { ...r, idTagInfo: { status: 'Accepted', parentIdTag: parents[p.idTag] } };
      },
    },
  }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'CARD-E1', connector: 1 });
  await waitState(evsed, 1, 'charging');
  const other = await evsed.ctl('sim.swipe', { token: 'CARD-X', connector: 1 });
  assert.is(other.action, 'refused');
  const mate = await evsed.ctl('sim.swipe', { token: 'CARD-E2', connector: 1 });
  assert.is(mate.action, 'stopped');
  const stop = await csms.waitForCall('StopTransaction', { since });
  assert.is(stop.payload.reason, 'Local');
});

test('16 §5.11/§5.12 - RemoteStartTransaction (no Authorize when AuthorizeRemoteTxRequests=false), RemoteStopTransaction (reason Remote)', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ AuthorizeRemoteTxRequests: false }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 2 });
  const r = await csms.call('RemoteStartTransaction', { connectorId: 2, idTag: 'REMOTE-1' });
  assert.is(r.status, 'Accepted');
  const startTx = await csms.waitForCall('StartTransaction', { since });
  assert.is(startTx.payload.idTag, 'REMOTE-1');
  assert.is(callsSince(csms, 'Authorize', since).length, 0);
  const txId = (await answerTo(csms, startTx)).payload.transactionId;
  assert.is((await csms.call('RemoteStopTransaction', { transactionId: txId + 1000 })).status, 'Rejected');
  assert.is((await csms.call('RemoteStopTransaction', { transactionId: txId })).status, 'Accepted');
  const stop = await csms.waitForCall('StopTransaction', { since });
  assert.is(stop.payload.reason, 'Remote');
  assert.is(stop.payload.transactionId, txId);
});

test('16 §5.11 - RemoteStart with AuthorizeRemoteTxRequests=true authorizes first; refused card starts nothing', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ AuthorizeRemoteTxRequests: true }, { tokens: { 'BAD-1': 'Blocked' } }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await csms.call('RemoteStartTransaction', { connectorId: 1, idTag: 'BAD-1' })).status, 'Accepted');
  await csms.waitForCall('Authorize', { since });
  await sleep(400);
  assert.is(callsSince(csms, 'StartTransaction', since).length, 0);
  assert.is((await csms.call('RemoteStartTransaction', { connectorId: 1, idTag: 'GOOD-1' })).status, 'Accepted');
  await csms.waitForCall('StartTransaction', { since });
  const auths = callsSince(csms, 'Authorize', since).map((m) => m.payload.idTag);
  assert.equal(auths, ['BAD-1', 'GOOD-1']);
  // A TxProfile other than TxProfile purpose is refused; an unknown connector too.
  assert.is((await csms.call('RemoteStartTransaction', { connectorId: 9, idTag: 'GOOD-1' })).status, 'Rejected');
});

test('R-O4 / 16 §3.5.4 - StartTransaction.conf Invalid with StopTransactionOnInvalidId=true: stopped with DeAuthorized, cable stays locked', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ StopTransactionOnInvalidId: true }, {
    handlers: { StartTransaction: (_p: any, _c: unknown, ctx: any) => ({ ...ctx.fallback(), idTagInfo: { status: 'Invalid' } }) },
  }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'CARD-F', connector: 1 });
  const stop = await csms.waitForCall('StopTransaction', { since });
  assert.is(stop.payload.reason, 'DeAuthorized');
  await waitState(evsed, 1, 'finishing');
  const s = await status(evsed);
  assert.is(s.connectors[0]!.contactorClosed, false);
  // The card's owner comes back: the cable is released.
  assert.is((await evsed.ctl('sim.swipe', { token: 'CARD-F', connector: 1 })).action, 'unlocked');
});

test('R-O4 - StartTransaction.conf Invalid with StopTransactionOnInvalidId=false: energy stops (SuspendedEVSE), transaction goes on', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ StopTransactionOnInvalidId: false }, {
    handlers: { StartTransaction: (_p: any, _c: unknown, ctx: any) => ({ ...ctx.fallback(), idTagInfo: { status: 'Blocked' } }) },
  }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'CARD-G', connector: 1 });
  await waitState(evsed, 1, 'pausedByCharger');
  await csms.waitFor((m) => m.seq >= since && m.action === 'StatusNotification' && m.type === 'CALL' && m.payload.status === 'SuspendedEVSE');
  await sleep(300);
  assert.is(callsSince(csms, 'StopTransaction', since).length, 0);
});

test('16 §4.7 - MeterValues every MeterValueSampleInterval with MeterValuesSampledData, units and phases', async (c) => {
  const { csms, evsed } = (c.ctx = await start({
    MeterValueSampleInterval: 1,
    MeterValuesSampledData: 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC',
  }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'CARD-H', connector: 1 });
  const startTx = await csms.waitForCall('StartTransaction', { since });
  const txId = (await answerTo(csms, startTx)).payload.transactionId;
  await waitState(evsed, 1, 'charging');
  await eventually(() => callsSince(csms, 'MeterValues', since).length >= 2, 4000, 'two MeterValues');
  const mv = callsSince(csms, 'MeterValues', since).at(-1)!.payload;
  assert.is(mv.connectorId, 1);
  assert.is(mv.transactionId, txId);
  const sv = mv.meterValue[0].sampledValue as any[];
  const of = (m: string) => sv.filter((v) => v.measurand === m);
  assert.is(of('Energy.Active.Import.Register')[0].unit, 'Wh');
  assert.is(of('Power.Active.Import')[0].unit, 'W');
  assert.equal(of('Current.Import').map((v) => [v.phase, v.unit]), [['L1', 'A'], ['L2', 'A'], ['L3', 'A']]);
  assert.equal(of('Voltage').map((v) => v.phase), ['L1-N', 'L2-N', 'L3-N']);
  assert.is(of('SoC')[0].unit, 'Percent');
  assert.is(of('SoC')[0].location, 'EV');
  assert.ok(sv.every((v) => v.context === 'Sample.Periodic' && typeof v.value === 'string'));
  assert.ok(Number(of('Power.Active.Import')[0].value) > 20_000);
});

test('16 §4.7 - clock-aligned MeterValues at whole multiples of ClockAlignedDataInterval, with and without a transaction', async (c) => {
  const { csms, evsed } = (c.ctx = await start({ ClockAlignedDataInterval: 2, MeterValuesAlignedData: 'Energy.Active.Import.Register' }));
  const since = csms.mark();
  await eventually(() => callsSince(csms, 'MeterValues', since).length >= 2, 5000, 'aligned MeterValues');
  const idle = callsSince(csms, 'MeterValues', since);
  for (const m of idle) {
    assert.is(m.payload.transactionId, undefined);
    const ts = Date.parse(m.payload.meterValue[0].timestamp);
    assert.ok(ts % 2000 < 150, `aligned timestamp ${m.payload.meterValue[0].timestamp}`);
    assert.is(m.payload.meterValue[0].sampledValue[0].context, 'Sample.Clock');
  }
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'CARD-I', connector: 1 });
  await csms.waitForCall('StartTransaction', { since });
  const mark = csms.mark();
  await eventually(() => callsSince(csms, 'MeterValues', mark).some((m) => m.payload.transactionId !== undefined), 5000, 'aligned MeterValues in a transaction');
});

test('16 §6.50 / errata 3.91 - StopTransaction carries StopTxnSampledData (Begin … End), at most StopTransactionMaxMeterValues', async (c) => {
  const { csms, evsed } = (c.ctx = await start({
    MeterValueSampleInterval: 1,
    StopTxnSampledData: 'Energy.Active.Import.Register',
    StopTransactionMaxMeterValues: 3,
  }));
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'CARD-J', connector: 1 });
  await waitState(evsed, 1, 'charging');
  await eventually(() => callsSince(csms, 'MeterValues', since).length >= 4, 7000, 'four samples');
  await evsed.ctl('sim.swipe', { token: 'CARD-J', connector: 1 });
  const stop = await csms.waitForCall('StopTransaction', { since });
  const data = stop.payload.transactionData as any[];
  assert.ok(data.length >= 2 && data.length <= 3, `${data.length} values`);
  assert.is(data[0].sampledValue[0].context, 'Transaction.Begin');
  assert.is(data.at(-1).sampledValue[0].context, 'Transaction.End');
  assert.is(Number(data.at(-1).sampledValue[0].value), stop.payload.meterStop);
});

test.run();
