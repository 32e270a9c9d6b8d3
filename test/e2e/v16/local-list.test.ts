/**
 * OCPP 1.6 Local Auth List Management and the authorization cache end to end (16 §3.5, §5.4,
 * §5.10, §5.15, errata 3.52; OCTT TC_041–043_CS style): list versions, LocalPreAuthorize with
 * listed cards, refusal of listed non-Accepted cards online and offline, persistence, and the
 * cache used offline and emptied by ClearCache.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TestCsms } from '../../peers/csms.js';
import { eventually, type EvsedProcess } from '../../support/evsed.js';
import { callsSince, status, waitAccepted, waitState } from '../../support/station.js';
import { disposeRig, restart, startRig, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('1.6 local list and cache');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

const entry = (idTag: string, status?: string) => (status ? { idTag, idTagInfo: { status } } : { idTag });

async function version(csms: TestCsms): Promise<number> {
  return (await csms.call('GetLocalListVersion', {})).listVersion;
}

async function sendList(csms: TestCsms, listVersion: number, updateType: 'Full' | 'Differential', list: object[]): Promise<string> {
  return (await csms.call('SendLocalList', { listVersion, updateType, localAuthorizationList: list })).status;
}

async function offline(evsed: EvsedProcess): Promise<void> {
  await eventually(async () => !(await status(evsed)).csms.connected, 3000, 'offline');
}

test('16 §5.10 - GetLocalListVersion before any SendLocalList: 0', async (c) => {
  const { csms } = (c.rig = await startRig());
  assert.equal(await csms.call('GetLocalListVersion', {}), { listVersion: 0 });
});

test('16 §5.15 / errata 3.52 / TC_041_CS - SendLocalList Full then Differential: the version grows; a Differential not above it → VersionMismatch; version 0 or -1 → Failed', async (c) => {
  const { csms } = (c.rig = await startRig());
  assert.is(await sendList(csms, 5, 'Full', [entry('LL-A', 'Accepted'), entry('LL-B', 'Blocked')]), 'Accepted');
  assert.is(await version(csms), 5);
  assert.is(await sendList(csms, 6, 'Differential', [entry('LL-C', 'Accepted'), entry('LL-A')]), 'Accepted');
  assert.is(await version(csms), 6);
  assert.is(await sendList(csms, 6, 'Differential', [entry('LL-D', 'Accepted')]), 'VersionMismatch');
  assert.is(await sendList(csms, 4, 'Differential', [entry('LL-D', 'Accepted')]), 'VersionMismatch');
  assert.is(await version(csms), 6);
  assert.is(await sendList(csms, 0, 'Full', [entry('LL-E', 'Accepted')]), 'Failed');
  assert.is(await sendList(csms, -1, 'Full', [entry('LL-E', 'Accepted')]), 'Failed');
  // A Full update needs idTagInfo for every entry (16 §7.1 AuthorizationData).
  assert.is(await sendList(csms, 7, 'Full', [entry('LL-E', 'Accepted'), entry('LL-F')]), 'Failed');
  assert.is(await version(csms), 6);
  // A Full update replaces the list, whatever the version was.
  assert.is(await sendList(csms, 9, 'Full', []), 'Accepted');
  assert.is(await version(csms), 9);
  assert.equal(csms.violations(), []);
});

test('16 §3.5.2, §9.1.13 / TC_042_CS - LocalPreAuthorize=true: a listed Accepted card starts at once, no Authorize; a removed card is asked about', async (c) => {
  const { csms, evsed } = (c.rig = await startRig({ settings: { LocalPreAuthorize: true, LocalAuthListEnabled: true } }));
  assert.is(await sendList(csms, 1, 'Full', [entry('LIST-OK', 'Accepted'), entry('LIST-GONE', 'Accepted')]), 'Accepted');
  assert.is(await sendList(csms, 2, 'Differential', [entry('LIST-GONE')]), 'Accepted');
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'LIST-OK', connector: 1 })).action, 'started');
  const startTx = await csms.waitForCall('StartTransaction', { since });
  assert.is(startTx.payload.idTag, 'LIST-OK');
  await waitState(evsed, 1, 'charging');
  assert.is(callsSince(csms, 'Authorize', since).length, 0, 'a listed Accepted card needs no Authorize');
  // The card removed by the Differential update is not in the list any more: Authorize.
  await evsed.ctl('sim.plug', { connector: 2 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'LIST-GONE', connector: 2 })).action, 'started');
  assert.equal(callsSince(csms, 'Authorize', since).map((m) => m.payload.idTag), ['LIST-GONE']);
  assert.equal(csms.violations(), []);
});

test('16 §3.5.4 - a listed Blocked card is refused and nothing starts, online and offline (even with AllowOfflineTxForUnknownId)', async (c) => {
  const { csms, evsed } = (c.rig = await startRig({
    settings: { LocalPreAuthorize: true, LocalAuthorizeOffline: true, AllowOfflineTxForUnknownId: true },
    csms: { tokens: { 'LIST-BLOCKED': 'Blocked' } },
  }));
  assert.is(await sendList(csms, 1, 'Full', [entry('LIST-BLOCKED', 'Blocked')]), 'Accepted');
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  const online = await evsed.ctl('sim.swipe', { token: 'LIST-BLOCKED', connector: 1 });
  assert.is(online.action, 'refused');
  await csms.goDown();
  await offline(evsed);
  const off = await evsed.ctl('sim.swipe', { token: 'LIST-BLOCKED', connector: 1 });
  assert.is(off.action, 'refused');
  assert.is((await status(evsed)).connectors[0]!.session, null);
  await waitState(evsed, 1, 'preparing.evConnected');
  // An unknown card is accepted offline in unknown-id mode — the listed one was refused because of its status.
  assert.is((await evsed.ctl('sim.swipe', { token: 'NOT-LISTED', connector: 1 })).action, 'started');
  await csms.comeBack();
  await waitAccepted(evsed);
  const startTx = await csms.waitForCall('StartTransaction', { since, timeoutMs: 8000 });
  assert.is(startTx.payload.idTag, 'NOT-LISTED');
  assert.equal(callsSince(csms, 'StartTransaction', since).map((m) => m.payload.idTag), ['NOT-LISTED']);
});

test('16 §3.5.2 / ocpp-rules 1i - the local list survives a restart', async (c) => {
  const rig = (c.rig = await startRig({ settings: { LocalPreAuthorize: true } }));
  assert.is(await sendList(rig.csms, 3, 'Full', [entry('KEEP-1', 'Accepted')]), 'Accepted');
  await restart(rig);
  const { csms, evsed } = rig;
  assert.is(await version(csms), 3);
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'KEEP-1', connector: 1 })).action, 'started');
  await csms.waitForCall('StartTransaction', { since });
  assert.is(callsSince(csms, 'Authorize', since).length, 0);
});

test('16 §3.5.1, §5.4 / TC_043_CS style - a card authorized online is accepted offline from the cache; ClearCache removes it', async (c) => {
  const { csms, evsed } = (c.rig = await startRig({
    settings: { AuthorizationCacheEnabled: true, LocalAuthorizeOffline: true, AllowOfflineTxForUnknownId: false, LocalPreAuthorize: false },
  }));
  // Online: Authorize, the answer goes into the cache.
  const since = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'CACHE-1', connector: 1 })).action, 'started');
  await csms.waitForCall('StartTransaction', { since });
  assert.equal(callsSince(csms, 'Authorize', since).map((m) => m.payload.idTag), ['CACHE-1']);
  assert.is((await evsed.ctl('sim.swipe', { token: 'CACHE-1', connector: 1 })).action, 'stopped');
  await csms.waitForCall('StopTransaction', { since });
  await evsed.ctl('sim.unplug', { connector: 1 });
  await waitState(evsed, 1, 'available');
  // Offline: the cached card starts; an unknown one does not.
  await csms.goDown();
  await offline(evsed);
  await evsed.ctl('sim.plug', { connector: 2 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'STRANGER', connector: 2 })).action, 'refused');
  assert.is((await evsed.ctl('sim.swipe', { token: 'CACHE-1', connector: 2 })).action, 'started');
  await waitState(evsed, 2, 'charging');
  assert.is((await evsed.ctl('sim.swipe', { token: 'CACHE-1', connector: 2 })).action, 'stopped');
  await evsed.ctl('sim.unplug', { connector: 2 });
  await csms.comeBack();
  await waitAccepted(evsed);
  await eventually(async () => (await status(evsed)).queue.depth === 0, 8000, 'queue delivered');
  // ClearCache, then offline again: the card is unknown now.
  assert.equal(await csms.call('ClearCache', {}), { status: 'Accepted' });
  await csms.goDown();
  await offline(evsed);
  await evsed.ctl('sim.plug', { connector: 1 });
  assert.is((await evsed.ctl('sim.swipe', { token: 'CACHE-1', connector: 1 })).action, 'refused');
  assert.is((await status(evsed)).connectors[0]!.session, null);
});

test.run();
