/**
 * OCPP 2.0.1 smart charging (functional block K) end to end: evsed on the simulated board against
 * the ocpp-rpc strict CSMS. The simulated EV's drawn current follows the profiles at each period
 * boundary; SetChargingProfile refusals with their reason codes; GetChargingProfiles with
 * ReportChargingProfiles; ClearChargingProfile; GetCompositeSchedule; the TxProfile of
 * RequestStartTransaction; the local (EMS) limit reported with NotifyChargingLimit and
 * ClearedChargingLimit; TransactionEvent ChargingRateChanged; SmartChargingCtrlr variables;
 * profiles kept across a restart.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '../../support/evsed.js';
import { sleep } from '../../support/station.js';
import { assertFollows, drawnA, sampleUntil, wholeSecondFromNow, type Step } from '../smart-charging.js';
import { disposeRig, getVar, restart, startCharging, startRig, txEvents, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('2.0.1 smart charging');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

type Period = { startPeriod: number; limit: number; numberPhases?: number };

interface ProfileSpec {
  id: number;
  purpose?: string;
  stackLevel?: number;
  kind?: string;
  periods?: Period[];
  startMs?: number;
  unit?: string;
  transactionId?: string;
  validFrom?: string;
  validTo?: string;
}

function profile(s: ProfileSpec) {
  const kind = s.kind ?? 'Absolute';
  return {
    id: s.id,
    stackLevel: s.stackLevel ?? 0,
    chargingProfilePurpose: s.purpose ?? 'TxDefaultProfile',
    chargingProfileKind: kind,
    ...(s.transactionId ? { transactionId: s.transactionId } : {}),
    ...(s.validFrom ? { validFrom: s.validFrom } : {}),
    ...(s.validTo ? { validTo: s.validTo } : {}),
    chargingSchedule: [
      {
        id: s.id,
        ...(kind === 'Relative' && s.startMs === undefined ? {} : { startSchedule: new Date(s.startMs ?? Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString() }),
        chargingRateUnit: s.unit ?? 'A',
        chargingSchedulePeriod: s.periods ?? [{ startPeriod: 0, limit: 16 }],
      },
    ],
  };
}

const setProfile = (rig: Rig, evseId: number, s: ProfileSpec) => rig.csms.call('SetChargingProfile', { evseId, chargingProfile: profile(s) });
const periodsOf = (steps: Step[]): Period[] => steps.map((s) => ({ startPeriod: Math.round((s.atMs - steps[0]!.atMs) / 1000), limit: s.amps }));

/** GetChargingProfiles and the ReportChargingProfiles it causes (all parts, until tbc is false). */
async function reportedProfiles(rig: Rig, requestId: number, criteria: object, evseId?: number): Promise<{ status: string; reports: any[] }> {
  const since = rig.csms.mark();
  const r = await rig.csms.call('GetChargingProfiles', { requestId, ...(evseId !== undefined ? { evseId } : {}), chargingProfile: criteria });
  if (r.status !== 'Accepted') return { status: r.status, reports: [] };
  await rig.csms.waitForCall('ReportChargingProfiles', { since, match: (p) => p.requestId === requestId && !p.tbc });
  const reports = rig.csms.calls('ReportChargingProfiles').filter((m) => m.seq >= since && m.payload.requestId === requestId).map((m) => m.payload);
  return { status: r.status, reports };
}

test('K01 / SC.01 - a TxDefaultProfile for the station: the EV draws each period\'s limit within 1 s of its boundary, SuspendedEVSE at 0 A', async (c) => {
  const rig = (c.rig = await startRig());
  const started = await startCharging(rig, 1, 'SC-USER-1');
  const txId = started.payload.transactionInfo.transactionId;
  await eventually(async () => (await drawnA(rig.evsed, 1)) > 31, 3000, 'the EV draws the connector maximum before any profile');
  const t0 = wholeSecondFromNow(1500);
  const steps: Step[] = [
    { atMs: t0, amps: 16 },
    { atMs: t0 + 3000, amps: 10 },
    { atMs: t0 + 6000, amps: 0 },
    { atMs: t0 + 9000, amps: 24 },
  ];
  const since = rig.csms.mark();
  assert.equal(await setProfile(rig, 0, { id: 1, startMs: t0, periods: periodsOf(steps) }), { status: 'Accepted' });
  const samples = await sampleUntil(rig.evsed, 1, t0 + 11_000);
  assertFollows(samples, steps);
  // The CSMS's own profile changed the rate: no ChargingRateChanged (that is for external limits).
  const rateChanges = txEvents(rig.csms, since).filter((m) => m.payload.triggerReason === 'ChargingRateChanged');
  assert.is(rateChanges.length, 0, `ChargingRateChanged events: ${rateChanges.length}`);
  assert.ok(txEvents(rig.csms, since).every((m) => m.payload.transactionInfo.transactionId === txId));
  // 0 A paused the session at the station's side (chargingState SuspendedEVSE), 24 A resumed it.
  const states = txEvents(rig.csms, since).map((m) => m.payload.transactionInfo.chargingState).filter(Boolean);
  assert.ok(states.includes('SuspendedEVSE'), `charging states ${states.join(',')}`);
  assert.is(states.at(-1), 'Charging');
  assert.equal(rig.csms.violations(), []);
});

test('K01 - refusals with their reason: TxProfile without a transaction, external constraints, same stack level, DuplicateProfile, unknown EVSE, capability limits', async (c) => {
  const rig = (c.rig = await startRig({ settings: { ChargeProfileMaxStackLevel: 3, ChargingScheduleMaxPeriods: 4, ChargingScheduleAllowedChargingRateUnit: 'Current' } }));
  const refused = async (evseId: number, s: ProfileSpec, reasonCode: string | null, why: string) => {
    const r = await setProfile(rig, evseId, s);
    assert.is(r.status, 'Rejected', why);
    if (reasonCode) assert.is(r.statusInfo?.reasonCode, reasonCode, `${why}: ${JSON.stringify(r.statusInfo)}`);
  };
  await refused(1, { id: 1, purpose: 'TxProfile' }, 'TxNotFound', 'K01.FR.09 TxProfile without a transaction');
  await refused(1, { id: 2, purpose: 'TxProfile', transactionId: 'no-such-tx' }, 'TxNotFound', 'K01.FR.33 unknown transactionId');
  await refused(0, { id: 3, purpose: 'ChargingStationExternalConstraints' }, null, 'K01.FR.22 external constraints');
  await refused(1, { id: 4, purpose: 'ChargingStationMaxProfile' }, null, 'K01.FR.38 station maximum on an EVSE');
  await refused(0, { id: 5, purpose: 'ChargingStationMaxProfile', kind: 'Relative' }, null, 'K01.FR.38 relative station maximum');
  await refused(7, { id: 6 }, 'UnknownEVSE', 'K01.FR.28 unknown EVSE');
  await refused(0, { id: 7, stackLevel: 4 }, null, 'stack level above ProfileStackLevel');
  await refused(0, { id: 8, periods: [0, 60, 120, 180, 240].map((s) => ({ startPeriod: s, limit: 16 })) }, null, 'more periods than PeriodsPerSchedule');
  await refused(0, { id: 9, unit: 'W', periods: [{ startPeriod: 0, limit: 7000 }] }, null, 'K01.FR.26 W when RateUnit is A only');
  await refused(0, { id: 10, periods: [{ startPeriod: 10, limit: 16 }] }, null, 'K01.FR.31 first period not at 0');
  await refused(0, { id: 11, kind: 'Relative', startMs: Date.now() }, null, 'K01.FR.41 relative with startSchedule');
  // Accepted, then the same purpose and stack level on the same EVSE with another id (K01.FR.06/39).
  assert.is((await setProfile(rig, 1, { id: 20, stackLevel: 1 })).status, 'Accepted');
  await refused(1, { id: 21, stackLevel: 1, periods: [{ startPeriod: 0, limit: 10 }] }, null, 'same stack level and purpose on EVSE 1');
  // K01.FR.52: a TxDefaultProfile on EVSE 0 with the stack level of one on EVSE 1 → DuplicateProfile.
  await refused(0, { id: 22, stackLevel: 1 }, 'DuplicateProfile', 'K01.FR.52');
  // The same id replaces (K01.FR.05).
  assert.is((await setProfile(rig, 1, { id: 20, stackLevel: 1, periods: [{ startPeriod: 0, limit: 9 }] })).status, 'Accepted');
  const comp = await rig.csms.call('GetCompositeSchedule', { evseId: 1, duration: 60 });
  assert.equal(comp.schedule.chargingSchedulePeriod.map((p: Period) => p.limit), [9]);
  // GetCompositeSchedule in W is refused when W is not supported (K08.FR.07).
  const w = await rig.csms.call('GetCompositeSchedule', { evseId: 1, duration: 60, chargingRateUnit: 'W' });
  assert.is(w.status, 'Rejected');
  assert.equal(rig.csms.violations(), []);
});

test('K09 / K10 - GetChargingProfiles by criteria with ReportChargingProfiles per EVSE; ClearChargingProfile by id and by criteria', async (c) => {
  const rig = (c.rig = await startRig());
  assert.is((await setProfile(rig, 0, { id: 31, purpose: 'ChargingStationMaxProfile', periods: [{ startPeriod: 0, limit: 40 }] })).status, 'Accepted');
  assert.is((await setProfile(rig, 0, { id: 32, stackLevel: 0, periods: [{ startPeriod: 0, limit: 20 }] })).status, 'Accepted');
  assert.is((await setProfile(rig, 2, { id: 33, stackLevel: 2, periods: [{ startPeriod: 0, limit: 12 }, { startPeriod: 3600, limit: 8 }] })).status, 'Accepted');
  // Everything from the CSMS: one report per EVSE, tbc on all but the last.
  const all = await reportedProfiles(rig, 501, { chargingLimitSource: ['CSO'] });
  assert.is(all.status, 'Accepted');
  assert.equal(all.reports.map((r) => r.evseId).sort(), [0, 2]);
  assert.equal(all.reports.map((r) => Boolean(r.tbc)).filter(Boolean).length, all.reports.length - 1);
  const ids = all.reports.flatMap((r) => r.chargingProfile.map((p: { id: number }) => p.id)).sort();
  assert.equal(ids, [31, 32, 33]);
  assert.ok(all.reports.every((r) => r.chargingLimitSource === 'CSO'));
  const p33 = all.reports.find((r) => r.evseId === 2).chargingProfile[0];
  assert.equal(p33.chargingSchedule[0].chargingSchedulePeriod, [{ startPeriod: 0, limit: 12 }, { startPeriod: 3600, limit: 8 }]);
  assert.is(p33.stackLevel, 2);
  // By purpose; by id list; by EVSE; nothing matching.
  const byPurpose = await reportedProfiles(rig, 502, { chargingProfilePurpose: 'ChargingStationMaxProfile' });
  assert.equal(byPurpose.reports.flatMap((r) => r.chargingProfile.map((p: { id: number }) => p.id)), [31]);
  const byId = await reportedProfiles(rig, 503, { chargingProfileId: [32, 33] });
  assert.equal(byId.reports.flatMap((r) => r.chargingProfile.map((p: { id: number }) => p.id)).sort(), [32, 33]);
  const byEvse = await reportedProfiles(rig, 504, {}, 2);
  assert.equal(byEvse.reports.flatMap((r) => r.chargingProfile.map((p: { id: number }) => p.id)), [33]);
  assert.is((await reportedProfiles(rig, 505, { chargingLimitSource: ['EMS'] })).status, 'NoProfiles');
  assert.is((await reportedProfiles(rig, 506, { stackLevel: 9 })).status, 'NoProfiles');
  // Clear by id, then by criteria (purpose + stack level), then nothing left to clear.
  assert.is((await rig.csms.call('ClearChargingProfile', { chargingProfileId: 33 })).status, 'Accepted');
  assert.is((await rig.csms.call('ClearChargingProfile', { chargingProfileId: 33 })).status, 'Unknown');
  assert.is((await rig.csms.call('ClearChargingProfile', { chargingProfileCriteria: { chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 5 } })).status, 'Unknown');
  assert.is((await rig.csms.call('ClearChargingProfile', { chargingProfileCriteria: { evseId: 0, chargingProfilePurpose: 'TxDefaultProfile' } })).status, 'Accepted');
  assert.is((await rig.csms.call('ClearChargingProfile', {})).status, 'Accepted', 'the station maximum');
  assert.is((await rig.csms.call('ClearChargingProfile', {})).status, 'Unknown');
  assert.is((await reportedProfiles(rig, 507, {})).status, 'NoProfiles');
  assert.equal(rig.csms.violations(), []);
});

test('K08 - GetCompositeSchedule without a transaction: minimum over purposes, stack levels and validity, in A and in W; EVSE 0; unknown EVSE', async (c) => {
  const rig = (c.rig = await startRig());
  const base = Math.floor(Date.now() / 1000) * 1000;
  assert.is((await setProfile(rig, 0, { id: 41, startMs: base, periods: [{ startPeriod: 0, limit: 32 }, { startPeriod: 600, limit: 10 }] })).status, 'Accepted');
  assert.is(
    (await setProfile(rig, 1, { id: 42, stackLevel: 1, startMs: base, periods: [{ startPeriod: 0, limit: 16 }], validFrom: new Date(base + 300_000).toISOString(), validTo: new Date(base + 900_000).toISOString() })).status,
    'Accepted',
  );
  assert.is((await setProfile(rig, 0, { id: 43, purpose: 'ChargingStationMaxProfile', startMs: base, periods: [{ startPeriod: 0, limit: 20 }] })).status, 'Accepted');
  const comp = await rig.csms.call('GetCompositeSchedule', { evseId: 1, duration: 1200 });
  assert.is(comp.status, 'Accepted');
  assert.is(comp.schedule.evseId, 1);
  assert.is(comp.schedule.duration, 1200);
  assert.is(comp.schedule.chargingRateUnit, 'A');
  const offset = Math.round((Date.parse(comp.schedule.scheduleStart) - base) / 1000);
  assert.ok(offset >= 0 && offset <= 2, `scheduleStart ${comp.schedule.scheduleStart}`);
  // EVSE 1: 0–300 s min(32, station 20) = 20; 300–900 s stack 1 on EVSE 1 = 16; then EVSE 0's 10 A.
  assert.equal(comp.schedule.chargingSchedulePeriod.map((p: Period) => [p.startPeriod, p.limit]), [[0, 20], [300 - offset, 16], [900 - offset, 10]]);
  const w = await rig.csms.call('GetCompositeSchedule', { evseId: 1, duration: 1200, chargingRateUnit: 'W' });
  assert.equal(w.schedule.chargingSchedulePeriod.map((p: Period) => p.limit), [20 * 690, 16 * 690, 10 * 690]);
  // EVSE 2 has only the station-wide profiles.
  const two = await rig.csms.call('GetCompositeSchedule', { evseId: 2, duration: 1200 });
  assert.equal(two.schedule.chargingSchedulePeriod.map((p: Period) => p.limit), [20, 10]);
  // EVSE 0: the station's total, capped by its maximum.
  const st = await rig.csms.call('GetCompositeSchedule', { evseId: 0, duration: 60 });
  assert.is(st.status, 'Accepted');
  assert.ok(st.schedule.chargingSchedulePeriod.every((p: Period) => p.limit <= 20), JSON.stringify(st.schedule));
  const bad = await rig.csms.call('GetCompositeSchedule', { evseId: 5, duration: 60 });
  assert.is(bad.status, 'Rejected');
  assert.is(bad.statusInfo?.reasonCode, 'UnknownEVSE');
  assert.equal(rig.csms.violations(), []);
});

test('F01.FR.08-12 / K01.FR.09 - RequestStartTransaction with a TxProfile: bound to the transaction it started, removed when it ends', async (c) => {
  const rig = (c.rig = await startRig({ settings: { AuthorizeRemoteTxRequests: false } }));
  const since = rig.csms.mark();
  await rig.evsed.ctl('sim.plug', { connector: 2 });
  const r = await rig.csms.call('RequestStartTransaction', {
    remoteStartId: 77,
    evseId: 2,
    idToken: { idToken: 'REMOTE-SC', type: 'ISO14443' },
    chargingProfile: profile({ id: 50, purpose: 'TxProfile', kind: 'Relative', periods: [{ startPeriod: 0, limit: 12 }] }),
  });
  assert.is(r.status, 'Accepted');
  const started = await rig.csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Started' });
  const txId = started.payload.transactionInfo.transactionId;
  await eventually(async () => Math.round(await drawnA(rig.evsed, 2)) === 12, 4000, 'the EV draws the remote start\'s 12 A');
  const rep = await reportedProfiles(rig, 601, { chargingProfilePurpose: 'TxProfile' });
  const tx = rep.reports[0].chargingProfile[0];
  assert.is(tx.id, 50);
  assert.is(tx.transactionId, txId);
  assert.is(rep.reports[0].evseId, 2);
  // A TxProfile for the running transaction from SetChargingProfile replaces the limit.
  assert.is((await setProfile(rig, 2, { id: 51, purpose: 'TxProfile', stackLevel: 1, transactionId: txId, periods: [{ startPeriod: 0, limit: 7 }] })).status, 'Accepted');
  await eventually(async () => Math.round(await drawnA(rig.evsed, 2)) === 7, 2000, 'the new TxProfile\'s 7 A');
  // The transaction ends: its profiles go with it (K02.FR.05).
  const stopSince = rig.csms.mark();
  assert.is((await rig.csms.call('RequestStopTransaction', { transactionId: txId })).status, 'Accepted');
  await rig.csms.waitForCall('TransactionEvent', { since: stopSince, match: (p) => p.eventType === 'Ended' });
  assert.is((await reportedProfiles(rig, 602, { chargingProfilePurpose: 'TxProfile' })).status, 'NoProfiles');
});

test('K11 / K12 / K13 - local limit of an energy manager: NotifyChargingLimit and ClearedChargingLimit (source EMS), applied within a second; SmartChargingCtrlr variables; profiles survive a restart', async (c) => {
  const rig = (c.rig = await startRig({ settings: { NotifyChargingLimitWithSchedules: true } }));
  assert.is((await setProfile(rig, 0, { id: 61, periods: [{ startPeriod: 0, limit: 20 }] })).status, 'Accepted');
  await startCharging(rig, 1, 'SC-USER-2');
  await eventually(async () => Math.round(await drawnA(rig.evsed, 1)) === 20, 3000, '20 A from the profile');
  let since = rig.csms.mark();
  await rig.evsed.ctl('limit.set', { connector: 1, amps: 11 });
  const notify = await rig.csms.waitForCall('NotifyChargingLimit', { since });
  assert.is(notify.payload.chargingLimit.chargingLimitSource, 'EMS');
  assert.is(notify.payload.evseId, 1);
  assert.is(notify.payload.chargingSchedule[0].chargingSchedulePeriod[0].limit, 11);
  await eventually(async () => Math.round(await drawnA(rig.evsed, 1)) === 11, 1000, 'the local 11 A within a second');
  // SC.02: an external limit changed the rate by more than LimitChangeSignificance.
  const rate = await rig.csms.waitFor((m) => m.seq >= since && m.action === 'TransactionEvent' && m.payload.triggerReason === 'ChargingRateChanged', { description: 'ChargingRateChanged' });
  assert.is(rate.payload.eventType, 'Updated');
  const comp = await rig.csms.call('GetCompositeSchedule', { evseId: 1, duration: 60 });
  assert.equal(comp.schedule.chargingSchedulePeriod.map((p: Period) => p.limit), [11]);
  since = rig.csms.mark();
  await rig.evsed.ctl('limit.clear', { connector: 1 });
  const cleared = await rig.csms.waitForCall('ClearedChargingLimit', { since });
  assert.equal(cleared.payload, { chargingLimitSource: 'EMS', evseId: 1 });
  await eventually(async () => Math.round(await drawnA(rig.evsed, 1)) === 20, 1000, 'back to 20 A');
  // A change below LimitChangeSignificance is not reported.
  since = rig.csms.mark();
  await rig.evsed.ctl('limit.set', { connector: 1, amps: 19.5 });
  await sleep(600);
  assert.is(txEvents(rig.csms, since).filter((m) => m.payload.triggerReason === 'ChargingRateChanged').length, 0);
  await rig.evsed.ctl('limit.clear', { connector: 1 });
  // SmartChargingCtrlr.
  assert.is((await getVar(rig.csms, 'SmartChargingCtrlr', { name: 'Entries', instance: 'ChargingProfiles' })).attributeValue, '1');
  assert.is((await getVar(rig.csms, 'SmartChargingCtrlr', 'RateUnit')).attributeValue, 'A,W');
  assert.is((await getVar(rig.csms, 'SmartChargingCtrlr', 'ProfileStackLevel')).attributeValue, '10');
  assert.is((await getVar(rig.csms, 'SmartChargingCtrlr', 'PeriodsPerSchedule')).attributeValue, '48');
  assert.is((await getVar(rig.csms, 'SmartChargingCtrlr', 'LimitChangeSignificance')).attributeValue, '5');
  // K01.FR.27: after a restart the profile is still installed and applied.
  await restart(rig);
  await eventually(async () => Math.round(await drawnA(rig.evsed, 1)) === 20, 4000, 'after the restart the EV draws the profile\'s 20 A');
  const rep = await reportedProfiles(rig, 701, {});
  assert.equal(rep.reports.flatMap((r) => r.chargingProfile.map((p: { id: number }) => p.id)), [61]);
  assert.equal(rig.csms.violations(), []);
});

test.run();
