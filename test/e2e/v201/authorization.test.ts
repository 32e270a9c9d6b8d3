/**
 * OCPP 2.0.1 authorization end to end (functional blocks C and D; ocpp-rules 1e): Authorize for
 * an unknown card, LocalPreAuthorize with the local list, SendLocalList / GetLocalListVersion,
 * ClearCache, offline authorization (LocalAuthorizeOffline, OfflineTxForUnknownIdEnabled), the
 * master pass group, and charging without identification (AuthCtrlr.Enabled = false).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TestCsms } from '../../peers/csms.js';
import { eventually } from '../../support/evsed.js';
import { callsSince, sleep, status, waitState } from '../../support/station.js';
import { disposeRig, getVar, setVar, startCharging, startRig, txEvents, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('2.0.1 authorization');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

const rfid = (idToken: string) => ({ idToken, type: 'ISO14443' });

function entry(token: string, status?: string) {
  return { idToken: rfid(token), ...(status ? { idTokenInfo: { status } } : {}) };
}

async function sendList(csms: TestCsms, versionNumber: number, updateType: 'Full' | 'Differential', entries: ReturnType<typeof entry>[]): Promise<string> {
  const r = await csms.call('SendLocalList', {
    versionNumber,
    updateType,
    ...(entries.length > 0 ? { localAuthorizationList: entries } : {}),
  });
  return r.status;
}

const listVersion = async (csms: TestCsms): Promise<number> => (await csms.call('GetLocalListVersion', {})).versionNumber;

test('C01.FR.02 - a card in neither list nor cache: Authorize first; Accepted → Started with that idToken; Invalid → no transaction', async (c) => {
  const rig = (c.rig = await startRig({ csms: { tokens: { 'BAD-CARD': 'Invalid' } } }));
  const { csms, evsed } = rig;
  const mark = csms.mark();
  const started = await startCharging(rig, 1, 'GOOD-CARD');
  const authorize = callsSince(csms, 'Authorize', mark);
  assert.equal(authorize.map((m) => m.payload), [{ idToken: rfid('GOOD-CARD') }]);
  assert.ok(authorize[0]!.seq < started.seq, 'Authorize before the transaction');
  assert.equal(started.payload.idToken, rfid('GOOD-CARD'));
  await evsed.ctl('sim.plug', { connector: 2 });
  const refused = await evsed.ctl('sim.swipe', { token: 'BAD-CARD', connector: 2 });
  assert.is(refused.action, 'refused');
  assert.is(refused.reason, 'Invalid');
  await sleep(300);
  assert.equal(callsSince(csms, 'Authorize', mark).map((m) => m.payload.idToken.idToken), ['GOOD-CARD', 'BAD-CARD']);
  assert.ok(txEvents(csms, mark).every((m) => m.payload.transactionInfo.transactionId === started.payload.transactionInfo.transactionId));
  assert.is((await status(evsed)).connectors[1]!.contactorClosed, false);
  assert.equal(csms.violations(), []);
});

test('C14.FR.02 / C12 - LocalPreAuthorize with an Accepted local list entry: the transaction starts without Authorize; an unlisted card is still asked about', async (c) => {
  const rig = (c.rig = await startRig({ settings: { LocalPreAuthorize: true } }));
  const { csms, evsed } = rig;
  assert.is(await sendList(csms, 1, 'Full', [entry('LOCAL-1', 'Accepted')]), 'Accepted');
  const mark = csms.mark();
  const started = await startCharging(rig, 1, 'LOCAL-1');
  assert.equal(started.payload.idToken, rfid('LOCAL-1'));
  assert.is(callsSince(csms, 'Authorize', mark).length, 0, 'Authorize sent for a locally accepted card');
  await startCharging(rig, 2, 'NOT-LISTED');
  assert.equal(callsSince(csms, 'Authorize', mark).map((m) => m.payload.idToken.idToken), ['NOT-LISTED']);
  assert.equal((await status(evsed)).connectors.map((x) => x.session?.token), ['LOCAL-1', 'NOT-LISTED']);
  assert.equal(csms.violations(), []);
});

test('D01.FR.04 / D01.FR.16 / D01.FR.19 / D02.FR.02 - SendLocalList Full and Differential, VersionMismatch; GetLocalListVersion and LocalAuthListCtrlr.Entries follow', async (c) => {
  const rig = (c.rig = await startRig({ settings: { LocalPreAuthorize: true } }));
  const { csms } = rig;
  const entries = async () => (await getVar(csms, 'LocalAuthListCtrlr', 'Entries')).attributeValue;
  assert.is(await listVersion(csms), 0, 'never set: version 0');
  assert.is(await sendList(csms, 3, 'Full', [entry('LIST-A', 'Accepted'), entry('LIST-B', 'Blocked')]), 'Accepted');
  assert.is(await listVersion(csms), 3);
  assert.is(await entries(), '2');
  // A differential update must carry a higher version.
  assert.is(await sendList(csms, 3, 'Differential', [entry('LIST-C', 'Accepted')]), 'VersionMismatch');
  assert.is(await sendList(csms, 2, 'Differential', [entry('LIST-C', 'Accepted')]), 'VersionMismatch');
  assert.is(await listVersion(csms), 3);
  assert.is(await entries(), '2');
  // Differential: add LIST-C, remove LIST-A (no idTokenInfo).
  assert.is(await sendList(csms, 4, 'Differential', [entry('LIST-C', 'Accepted'), entry('LIST-A')]), 'Accepted');
  assert.is(await listVersion(csms), 4);
  assert.is(await entries(), '2');
  const mark = csms.mark();
  await startCharging(rig, 1, 'LIST-C');
  assert.is(callsSince(csms, 'Authorize', mark).length, 0, 'LIST-C is in the list now');
  await startCharging(rig, 2, 'LIST-A');
  assert.equal(callsSince(csms, 'Authorize', mark).map((m) => m.payload.idToken.idToken), ['LIST-A'], 'LIST-A was removed');
  // Full without entries empties the list; the version is kept.
  assert.is(await sendList(csms, 5, 'Full', []), 'Accepted');
  assert.is(await listVersion(csms), 5);
  assert.is(await entries(), '0');
  assert.equal(csms.violations(), []);
});

test('C11.FR.01 / C11.FR.04 / C10 - ClearCache: Accepted and the cache is empty (the card is asked about again); Rejected with the cache disabled', async (c) => {
  const rig = (c.rig = await startRig({ settings: { LocalPreAuthorize: true } }));
  const { csms, evsed } = rig;
  const mark = csms.mark();
  const swipe = async (expect: string) => assert.is((await evsed.ctl('sim.swipe', { token: 'CACHE-1', connector: 1 })).action, expect);
  const asked = () => callsSince(csms, 'Authorize', mark).length;
  await swipe('started');
  assert.is(asked(), 1);
  await swipe('stopped');
  // Cached as Accepted: with LocalPreAuthorize no question.
  await swipe('started');
  assert.is(asked(), 1, 'a cached card was asked about again');
  await swipe('stopped');
  assert.equal(await csms.call('ClearCache', {}), { status: 'Accepted' });
  await swipe('started');
  assert.is(asked(), 2, 'after ClearCache the card must be asked about');
  await swipe('stopped');
  assert.is((await setVar(csms, 'AuthCacheCtrlr', 'Enabled', 'false')).attributeStatus, 'Accepted');
  assert.equal(await csms.call('ClearCache', {}), { status: 'Rejected' });
  assert.equal(csms.violations(), []);
});

test('C15 / C13 - offline: LocalAuthorizeOffline starts a listed card; an unknown card is refused, then accepted with OfflineTxForUnknownIdEnabled; a listed Blocked card stays refused', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms, evsed } = rig;
  assert.is(await sendList(csms, 1, 'Full', [entry('OFF-LIST', 'Accepted'), entry('OFF-BLOCKED', 'Blocked')]), 'Accepted');
  const mark = csms.mark();
  const offline = async () => {
    await csms.goDown();
    await eventually(async () => !(await status(evsed)).csms.connected, 3000, 'offline');
  };
  const online = async () => {
    await csms.comeBack();
    await eventually(async () => (await status(evsed)).csms.connected && (await status(evsed)).csms.registration === 'accepted', 5000, 'online');
  };
  await offline();
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.plug', { connector: 2 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'OFF-LIST', connector: 1 })).action, 'started');
  assert.is((await evsed.ctl('sim.swipe', { token: 'OFF-UNKNOWN', connector: 2 })).action, 'refused');
  await waitState(evsed, 1, 'charging');
  await online();
  const started = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Started' });
  assert.equal(started.payload.idToken, rfid('OFF-LIST'));
  assert.is(started.payload.offline, true);
  assert.is((await setVar(csms, 'AuthCtrlr', 'OfflineTxForUnknownIdEnabled', 'true')).attributeStatus, 'Accepted');
  await offline();
  assert.is((await evsed.ctl('sim.swipe', { token: 'OFF-BLOCKED', connector: 2 })).action, 'refused', 'a listed Blocked card must be refused offline');
  assert.is((await evsed.ctl('sim.swipe', { token: 'OFF-UNKNOWN', connector: 2 })).action, 'started');
  await waitState(evsed, 2, 'charging');
  await online();
  const second = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Started' && p.evse?.id === 2 });
  assert.equal(second.payload.idToken, rfid('OFF-UNKNOWN'));
  assert.is(second.payload.offline, true);
  assert.is(callsSince(csms, 'Authorize', mark).length, 0, 'nothing was asked while offline');
  assert.equal(csms.violations(), []);
});

test('C16 / C12.FR.09 - master pass: a card of MasterPassGroupId cannot start a transaction but stops anyone\'s', async (c) => {
  const rig = (c.rig = await startRig({
    settings: { MasterPassGroupId: 'MASTER-GROUP' },
    csms: {
      handlers: {
        Authorize: (p: any) =>
          p.idToken.idToken === 'MASTER-1'
            ? { idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'MASTER-GROUP', type: 'Central' } } }
            : undefined,
      },
    },
  }));
  const { csms, evsed } = rig;
  const started = await startCharging(rig, 1, 'USER-1');
  const mark = csms.mark();
  await evsed.ctl('sim.plug', { connector: 2 });
  const refused = await evsed.ctl('sim.swipe', { token: 'MASTER-1', connector: 2 });
  assert.is(refused.action, 'refused', 'a master pass started a session');
  await sleep(300);
  assert.not.ok(txEvents(csms, mark).some((m) => m.payload.evse?.id === 2 || m.payload.eventType === 'Started'));
  assert.is((await evsed.ctl('sim.swipe', { token: 'MASTER-1', connector: 1 })).action, 'stopped');
  const ended = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Ended' });
  assert.is(ended.payload.transactionInfo.transactionId, started.payload.transactionInfo.transactionId);
  // What evsed reports for a master-pass stop (MasterPass is not required): the stop by a card.
  assert.is(ended.payload.triggerReason, 'StopAuthorized');
  assert.is(ended.payload.transactionInfo.stoppedReason, 'Local');
  await waitState(evsed, 1, 'finishing');
  assert.is((await status(evsed)).connectors[0]!.contactorClosed, false);
  assert.equal(csms.violations(), []);
});

test('C01 / AuthCtrlr.Enabled=false - plugging in starts charging without identification: idToken type NoAuthorization, no Authorize', async (c) => {
  const rig = (c.rig = await startRig({ settings: { AuthEnabled: false } }));
  const { csms, evsed } = rig;
  assert.is((await getVar(csms, 'AuthCtrlr', 'Enabled')).attributeValue, 'false');
  const mark = csms.mark();
  await evsed.ctl('sim.plug', { connector: 2 });
  const started = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Started' });
  assert.equal(started.payload.idToken, { idToken: '', type: 'NoAuthorization' });
  assert.equal(started.payload.evse, { id: 2, connectorId: 1 });
  await waitState(evsed, 2, 'charging');
  assert.is(callsSince(csms, 'Authorize', mark).length, 0);
  await evsed.ctl('sim.unplug', { connector: 2 });
  const ended = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Ended' });
  assert.is(ended.payload.transactionInfo.stoppedReason, 'EVDisconnected');
  assert.equal(csms.violations(), []);
});

test.run();
