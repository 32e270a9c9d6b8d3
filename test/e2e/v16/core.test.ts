/**
 * OCPP 1.6 Core requests of the Central System end to end, other than Reset and
 * ChangeAvailability: UnlockConnector (16 §5.18, errata 3.87), ClearCache (16 §5.4, errata 3.23),
 * DataTransfer (16 §5.6), and how requests of profiles evsed does not implement (firmware,
 * diagnostics, smart charging, security extensions) and actions that do not exist are answered
 * (OCPP-J 1.6 §4.2.3: NotSupported = known but not supported, NotImplemented = unknown action).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CsmsCallError } from '../../peers/csms.js';
import { answerTo, callsSince, sleep, status, waitState } from '../../support/station.js';
import { disposeRig, startRig, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('1.6 Core requests');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

/** The CALLERROR a call ends with (fails the test if it is answered). */
async function callError(rig: Rig, action: string, payload: object): Promise<CsmsCallError> {
  let answer: unknown;
  try {
    answer = await rig.csms.call(action, payload);
  } catch (err) {
    if (err instanceof CsmsCallError) return err;
    throw err;
  }
  throw new assert.Assertion({ message: `${action} answered ${JSON.stringify(answer)} instead of a CALLERROR`, operator: 'callError', expects: 'CALLERROR', actual: answer, generated: false });
}

test('16 §5.18 / errata 3.87 / TC_018_CS - UnlockConnector during a transaction: StopTransaction reason UnlockCommand, Unlocked', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'UNLOCK-1', connector: 1 });
  const startTx = await csms.waitForCall('StartTransaction', { since });
  const txId = (await answerTo(csms, startTx)).payload.transactionId;
  await waitState(evsed, 1, 'charging');
  const mark = csms.mark();
  assert.equal(await csms.call('UnlockConnector', { connectorId: 1 }), { status: 'Unlocked' });
  const stop = await csms.waitForCall('StopTransaction', { since: mark });
  assert.is(stop.payload.transactionId, txId);
  assert.is(stop.payload.reason, 'UnlockCommand');
  await waitState(evsed, 1, 'finishing');
  const s = (await status(evsed)).connectors[0]!;
  assert.is(s.contactorClosed, false);
  assert.is(s.session, null);
  assert.is(callsSince(csms, 'StopTransaction', mark).length, 1);
  assert.equal(csms.violations(), []);
});

test('16 §5.18 / TC_017_CS - UnlockConnector without a transaction: Unlocked, nothing else sent', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.equal(await csms.call('UnlockConnector', { connectorId: 1 }), { status: 'Unlocked' });
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.equal(await csms.call('UnlockConnector', { connectorId: 1 }), { status: 'Unlocked' });
  await sleep(300);
  assert.is(callsSince(csms, 'StopTransaction', mark).length, 0);
});

test('errata 3.87 / TC_031_CS - UnlockConnector of an unknown connector or one without a lock: NotSupported', async (c) => {
  const { csms } = (c.rig = await startRig());
  assert.equal(await csms.call('UnlockConnector', { connectorId: 2 }), { status: 'NotSupported' }, 'connector 2 has no lock');
  assert.equal(await csms.call('UnlockConnector', { connectorId: 3 }), { status: 'NotSupported' }, 'no connector 3');
  assert.equal(await csms.call('UnlockConnector', { connectorId: 0 }), { status: 'NotSupported' }, 'connector 0 is no connector');
});

test('16 §5.4 / errata 3.23 - ClearCache: Accepted; Rejected when AuthorizationCacheEnabled=false', async (c) => {
  const { csms } = (c.rig = await startRig());
  assert.equal(await csms.call('ClearCache', {}), { status: 'Accepted' });
  assert.equal(await csms.call('ChangeConfiguration', { key: 'AuthorizationCacheEnabled', value: 'false' }), { status: 'Accepted' });
  assert.equal(await csms.call('ClearCache', {}), { status: 'Rejected' });
  assert.equal(await csms.call('ChangeConfiguration', { key: 'AuthorizationCacheEnabled', value: 'true' }), { status: 'Accepted' });
  assert.equal(await csms.call('ClearCache', {}), { status: 'Accepted' });
});

test('16 §5.6 - DataTransfer from the Central System: status UnknownVendorId (with and without messageId/data)', async (c) => {
  const { csms } = (c.rig = await startRig());
  assert.equal(await csms.call('DataTransfer', { vendorId: 'com.example' }), { status: 'UnknownVendorId' });
  assert.equal(
    await csms.call('DataTransfer', { vendorId: 'com.example', messageId: 'SetPrice', data: '{"price":0.3}' }),
    { status: 'UnknownVendorId' },
  );
});

test('OCPP-J 1.6 §4.2.3 - requests of profiles not implemented: CALLERROR NotSupported, the link stays up', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  const requests: Array<[string, object]> = [
    ['UpdateFirmware', { location: 'https://example.com/fw.bin', retrieveDate: new Date().toISOString() }],
    ['GetDiagnostics', { location: 'ftp://example.com/diag/' }],
    ['GetLog', { logType: 'DiagnosticsLog', requestId: 1, log: { remoteLocation: 'https://example.com/logs/' } }],
    ['ExtendedTriggerMessage', { requestedMessage: 'Heartbeat' }],
  ];
  for (const [action, payload] of requests) {
    const err = await callError(rig, action, payload);
    assert.is(err.kind, 'CALLERROR', `${action}: ${err.message}`);
    assert.is(err.errorCode, 'NotSupported', `${action}: ${err.errorCode} ${err.errorDescription}`);
  }
  assert.is(csms.connections.length, 1);
  assert.ok(csms.client()?.isOpen, 'the connection was closed');
  // Still answering.
  assert.equal(await csms.call('DataTransfer', { vendorId: 'x' }), { status: 'UnknownVendorId' });
  assert.equal(csms.violations(), []);
});

test('OCPP-J 1.6 §4.2.3 - an action that does not exist: CALLERROR NotImplemented with the same message id, the link stays up', async (c) => {
  const { csms } = (c.rig = await startRig());
  const mark = csms.mark();
  csms.sendRaw(JSON.stringify([2, 'raw-unknown-1', 'FlyToTheMoon', {}]));
  const reply = await csms.waitFor((m) => m.seq >= mark && m.direction === 'cs→csms' && m.id === 'raw-unknown-1');
  assert.is(reply.type, 'CALLERROR');
  assert.is(reply.errorCode, 'NotImplemented');
  const frame = JSON.parse(reply.raw) as unknown[];
  assert.is(frame.length, 5);
  assert.is(frame[0], 4);
  assert.is(typeof frame[3], 'string');
  assert.equal(typeof frame[4], 'object');
  await sleep(200);
  assert.is(csms.connections.length, 1);
  assert.equal(await csms.call('ClearCache', {}), { status: 'Accepted' });
});

test.run();
