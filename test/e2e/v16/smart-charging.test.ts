/**
 * OCPP 1.6 Smart Charging profile end to end: evsed on the simulated board against the ocpp-rpc
 * strict CSMS. The simulated EV's drawn current follows the installed profiles at each period
 * boundary (online, offline and after a restart); SetChargingProfile / ClearChargingProfile /
 * GetCompositeSchedule answers and their limits; the TxProfile of RemoteStartTransaction; the
 * technician's local limit.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '../../support/evsed.js';
import { answerTo, sleep, status, waitState } from '../../support/station.js';
import { assertFollows, drawnA, sampleUntil, wholeSecondFromNow, type Step } from '../smart-charging.js';
import { disposeRig, restart, startRig, waitStatus, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('1.6 smart charging');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

type Period = { startPeriod: number; limit: number; numberPhases?: number };

function profile(id: number, purpose: string, periods: Period[], extra: Record<string, unknown> = {}, schedule: Record<string, unknown> = {}) {
  return {
    chargingProfileId: id,
    stackLevel: 0,
    chargingProfilePurpose: purpose,
    chargingProfileKind: 'Absolute',
    ...extra,
    chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: periods, ...schedule },
  };
}

/** Plug and swipe at connector `n`; resolves with the CSMS's transactionId once charging. */
async function charge(rig: Rig, n: number, token = 'CARD-SC'): Promise<number> {
  const since = rig.csms.mark();
  await rig.evsed.ctl('sim.plug', { connector: n });
  assert.is((await rig.evsed.ctl('sim.swipe', { token, connector: n })).action, 'started');
  const start = await rig.csms.waitForCall('StartTransaction', { since, match: (p) => p.connectorId === n });
  await waitState(rig.evsed, n, 'charging');
  return (await answerTo(rig.csms, start)).payload.transactionId;
}

/** Periods of `steps` relative to the first step (whole seconds). */
const periodsOf = (steps: Step[]): Period[] => steps.map((s) => ({ startPeriod: Math.round((s.atMs - steps[0]!.atMs) / 1000), limit: s.amps }));

test('16 §3.13 / §5.16 - TxProfile of the running transaction: the EV draws each period\'s limit within 1 s of its boundary, pauses (SuspendedEVSE) at 0 A', async (c) => {
  const rig = (c.rig = await startRig());
  const txId = await charge(rig, 1);
  await eventually(async () => (await drawnA(rig.evsed, 1)) > 31, 3000, 'the EV draws the connector maximum before any profile');
  const t0 = wholeSecondFromNow(1500);
  const steps: Step[] = [
    { atMs: t0, amps: 16 },
    { atMs: t0 + 3000, amps: 10 },
    { atMs: t0 + 6000, amps: 0 },
    { atMs: t0 + 9000, amps: 24 },
  ];
  const since = rig.csms.mark();
  const r = await rig.csms.call('SetChargingProfile', {
    connectorId: 1,
    csChargingProfiles: profile(1, 'TxProfile', periodsOf(steps), { transactionId: txId }, { startSchedule: new Date(t0).toISOString() }),
  });
  assert.is(r.status, 'Accepted');
  const samples = await sampleUntil(rig.evsed, 1, t0 + 11_000);
  const lags = assertFollows(samples, steps);
  assert.ok(lags.every((l) => l <= 1000), `lags ${lags.join(', ')} ms`);
  // 0 A paused the session at the station's side and 24 A resumed it.
  await waitStatus(rig.csms, 1, 'SuspendedEVSE', since);
  await waitStatus(rig.csms, 1, 'Charging', since);
  assert.equal(rig.csms.violations(), []);
});

test('16 §3.13.2 / errata 3.24 - a TxProfile hides the TxDefaultProfile; ChargePointMaxProfile caps both; a TxProfile ends with its transaction', async (c) => {
  const rig = (c.rig = await startRig());
  const ok = async (connectorId: number, p: object) => assert.is((await rig.csms.call('SetChargingProfile', { connectorId, csChargingProfiles: p })).status, 'Accepted');
  await ok(0, profile(1, 'TxDefaultProfile', [{ startPeriod: 0, limit: 20 }]));
  await ok(0, profile(2, 'ChargePointMaxProfile', [{ startPeriod: 0, limit: 25 }]));
  const txId = await charge(rig, 1);
  await eventually(async () => Math.round(await drawnA(rig.evsed, 1)) === 20, 3000, 'the EV draws the TxDefaultProfile limit (20 A)');
  await ok(1, profile(3, 'TxProfile', [{ startPeriod: 0, limit: 30 }], { transactionId: txId }));
  // TxProfile 30 A replaces TxDefault 20 A, but the station maximum is 25 A.
  await eventually(async () => Math.round(await drawnA(rig.evsed, 1)) === 25, 3000, 'the EV draws min(TxProfile 30 A, ChargePointMax 25 A)');
  const comp = await rig.csms.call('GetCompositeSchedule', { connectorId: 1, duration: 600 });
  assert.is(comp.status, 'Accepted');
  assert.equal(comp.chargingSchedule.chargingSchedulePeriod.map((p: Period) => [p.startPeriod, p.limit]), [[0, 25]]);
  // The transaction ends: its TxProfile goes with it, the next session gets TxDefault again.
  const since = rig.csms.mark();
  assert.is((await rig.evsed.ctl('sim.swipe', { token: 'CARD-SC', connector: 1 })).action, 'stopped');
  await rig.csms.waitForCall('StopTransaction', { since });
  await rig.evsed.ctl('sim.unplug', { connector: 1 });
  await waitStatus(rig.csms, 1, 'Available', since);
  assert.is((await rig.csms.call('ClearChargingProfile', { id: 3 })).status, 'Unknown', 'the TxProfile was removed with its transaction');
  await charge(rig, 1, 'CARD-SC2');
  await eventually(async () => Math.round(await drawnA(rig.evsed, 1)) === 20, 3000, 'the next session is back on the TxDefaultProfile');
});

test('16 §5.16 / errata 3.39 - refused profiles: TxProfile without a transaction, ChargePointMaxProfile on a connector, limits of the configuration keys, unknown connector', async (c) => {
  const rig = (c.rig = await startRig({ settings: { ChargeProfileMaxStackLevel: 3, ChargingScheduleMaxPeriods: 4, MaxChargingProfilesInstalled: 3, ChargingScheduleAllowedChargingRateUnit: 'Current' } }));
  const set = (connectorId: number, p: object) => rig.csms.call('SetChargingProfile', { connectorId, csChargingProfiles: p });
  const one = [{ startPeriod: 0, limit: 16 }];
  assert.is((await set(1, profile(1, 'TxProfile', one))).status, 'Rejected', 'TxProfile without a transaction');
  assert.is((await set(1, profile(1, 'TxProfile', one, { transactionId: 1 }))).status, 'Rejected', 'TxProfile of a transaction that does not run');
  assert.is((await set(1, profile(2, 'ChargePointMaxProfile', one))).status, 'Rejected', 'ChargePointMaxProfile on connector 1');
  assert.is((await set(0, profile(3, 'TxDefaultProfile', one, { stackLevel: 4 }))).status, 'Rejected', 'stack level above ChargeProfileMaxStackLevel');
  const five = [0, 60, 120, 180, 240].map((s) => ({ startPeriod: s, limit: 16 }));
  assert.is((await set(0, profile(4, 'TxDefaultProfile', five))).status, 'Rejected', 'more periods than ChargingScheduleMaxPeriods');
  const watts = { ...profile(5, 'TxDefaultProfile', [{ startPeriod: 0, limit: 7000 }]), chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7000 }] } };
  assert.is((await set(0, watts)).status, 'Rejected', 'W when only Current is allowed');
  const unsorted = [{ startPeriod: 60, limit: 10 }, { startPeriod: 0, limit: 16 }];
  assert.is((await set(0, profile(6, 'TxDefaultProfile', unsorted))).status, 'Rejected', 'periods not starting at 0 and ascending');
  const recurringNoStart = profile(7, 'TxDefaultProfile', one, { chargingProfileKind: 'Recurring', recurrencyKind: 'Daily' });
  assert.is((await set(0, recurringNoStart)).status, 'Rejected', 'Recurring without startSchedule');
  // Errata 3.39: a connector that does not exist is a CALLERROR.
  const err = await rig.csms.call('SetChargingProfile', { connectorId: 7, csChargingProfiles: profile(8, 'TxDefaultProfile', one) }).catch((e: { errorCode?: string }) => e);
  assert.is(err.errorCode, 'PropertyConstraintViolation');
  // MaxChargingProfilesInstalled = 3: a fourth is refused, replacing one is not a new one.
  for (const id of [10, 11, 12]) assert.is((await set(0, profile(id, 'TxDefaultProfile', one, { stackLevel: id - 10 }))).status, 'Accepted');
  assert.is((await set(0, profile(13, 'TxDefaultProfile', one, { stackLevel: 3 }))).status, 'Rejected', 'beyond MaxChargingProfilesInstalled');
  assert.is((await set(0, profile(12, 'TxDefaultProfile', [{ startPeriod: 0, limit: 8 }], { stackLevel: 2 }))).status, 'Accepted', 'same id replaces');
  // Nothing refused was installed; the highest stack level (2, now 8 A) leads.
  const comp = await rig.csms.call('GetCompositeSchedule', { connectorId: 1, duration: 60 });
  assert.equal(comp.chargingSchedule.chargingSchedulePeriod.map((p: Period) => p.limit), [8]);
  assert.is((await rig.csms.call('GetCompositeSchedule', { connectorId: 1, duration: 60, chargingRateUnit: 'W' })).status, 'Rejected', 'W not allowed');
  assert.equal(rig.csms.violations(), []);
});

test('16 §5.7 / errata 3.51 - GetCompositeSchedule without a transaction: stacking, validity windows and A→W with the phases and 230 V', async (c) => {
  const rig = (c.rig = await startRig());
  const base = Math.floor(Date.now() / 1000) * 1000;
  const start = new Date(base).toISOString();
  const ok = async (connectorId: number, p: object) => assert.is((await rig.csms.call('SetChargingProfile', { connectorId, csChargingProfiles: p })).status, 'Accepted');
  // Stack 0: 32 A then 10 A from +600 s; stack 1 (valid only from +300 s to +900 s): 16 A.
  await ok(0, profile(1, 'TxDefaultProfile', [{ startPeriod: 0, limit: 32 }, { startPeriod: 600, limit: 10 }], {}, { startSchedule: start }));
  await ok(0, profile(2, 'TxDefaultProfile', [{ startPeriod: 0, limit: 16 }], { stackLevel: 1, validFrom: new Date(base + 300_000).toISOString(), validTo: new Date(base + 900_000).toISOString() }, { startSchedule: start }));
  // A station maximum of 20 A on connector 0.
  await ok(0, profile(3, 'ChargePointMaxProfile', [{ startPeriod: 0, limit: 20 }], {}, { startSchedule: start }));
  const comp = await rig.csms.call('GetCompositeSchedule', { connectorId: 1, duration: 1200 });
  assert.is(comp.status, 'Accepted');
  assert.is(comp.connectorId, 1);
  assert.ok(Math.abs(Date.parse(comp.scheduleStart) - Date.now()) < 2000, 'scheduleStart is now');
  assert.is(comp.chargingSchedule.startSchedule, undefined, 'errata 3.51: no startSchedule inside');
  assert.is(comp.chargingSchedule.duration, 1200);
  const periods = comp.chargingSchedule.chargingSchedulePeriod.map((p: Period) => [p.startPeriod, p.limit]);
  // 0–300 s min(32, 20) = 20; 300–900 s stack 1 wins = 16; 900–1200 s stack 0 = 10 (from 600 s).
  // Boundaries relative to scheduleStart (now, whole seconds): allow the second between.
  assert.is(periods.length, 3, JSON.stringify(periods));
  assert.equal(periods.map((p: number[]) => p[1]), [20, 16, 10]);
  const offset = Math.round((Date.parse(comp.scheduleStart) - Date.parse(start)) / 1000);
  assert.equal(periods.map((p: number[]) => p[0]), [0, 300 - offset, 900 - offset]);
  // The same in W: 3 phases × 230 V.
  const w = await rig.csms.call('GetCompositeSchedule', { connectorId: 1, duration: 1200, chargingRateUnit: 'W' });
  assert.equal(w.chargingSchedule.chargingSchedulePeriod.map((p: Period) => p.limit), [20 * 690, 16 * 690, 10 * 690]);
  assert.is(w.chargingSchedule.chargingRateUnit, 'W');
  // Connector 0: the station's own limit.
  const st = await rig.csms.call('GetCompositeSchedule', { connectorId: 0, duration: 60 });
  assert.is(st.status, 'Accepted');
  assert.is(st.connectorId, 0);
  assert.is((await rig.csms.call('GetCompositeSchedule', { connectorId: 5, duration: 60 })).status, 'Rejected');
  // ClearChargingProfile by purpose and stack level, then by id; then nothing matches.
  assert.is((await rig.csms.call('ClearChargingProfile', { chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 1 })).status, 'Accepted');
  assert.is((await rig.csms.call('ClearChargingProfile', { chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 1 })).status, 'Unknown');
  assert.is((await rig.csms.call('ClearChargingProfile', { id: 3 })).status, 'Accepted');
  assert.is((await rig.csms.call('ClearChargingProfile', { connectorId: 0 })).status, 'Accepted');
  assert.is((await rig.csms.call('ClearChargingProfile', {})).status, 'Unknown');
  const none = await rig.csms.call('GetCompositeSchedule', { connectorId: 1, duration: 60 });
  assert.equal(none.chargingSchedule.chargingSchedulePeriod.map((p: Period) => p.limit), [32], 'only the hardware maximum is left');
  assert.equal(rig.csms.violations(), []);
});

test('16 §5.11 - RemoteStartTransaction with a TxProfile: it applies to the transaction it started', async (c) => {
  const rig = (c.rig = await startRig({ settings: { AuthorizeRemoteTxRequests: false } }));
  const since = rig.csms.mark();
  await rig.evsed.ctl('sim.plug', { connector: 2 });
  const r = await rig.csms.call('RemoteStartTransaction', {
    connectorId: 2,
    idTag: 'REMOTE-SC',
    chargingProfile: { ...profile(40, 'TxProfile', [{ startPeriod: 0, limit: 12 }]), chargingProfileKind: 'Relative' },
  });
  assert.is(r.status, 'Accepted');
  await rig.csms.waitForCall('StartTransaction', { since });
  await waitState(rig.evsed, 2, 'charging');
  await eventually(async () => Math.round(await drawnA(rig.evsed, 2)) === 12, 3000, 'the EV draws the remote start\'s 12 A');
  // A TxProfile with another purpose in RemoteStart is refused (16 §5.11).
  await rig.evsed.ctl('sim.plug', { connector: 1 });
  const bad = await rig.csms.call('RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE-X', chargingProfile: profile(41, 'TxDefaultProfile', [{ startPeriod: 0, limit: 12 }]) });
  assert.is(bad.status, 'Rejected');
});

test('R-O1 - profiles keep applying offline and after a restart: a boundary crossed with the CSMS down, then a reboot', async (c) => {
  const rig = (c.rig = await startRig({ settings: { LocalPreAuthorize: true, LocalAuthorizeOffline: true } }));
  await charge(rig, 1);
  const t0 = wholeSecondFromNow(1000);
  const steps: Step[] = [
    { atMs: t0, amps: 18 },
    { atMs: t0 + 4000, amps: 8 },
  ];
  const r = await rig.csms.call('SetChargingProfile', {
    connectorId: 0,
    csChargingProfiles: profile(7, 'TxDefaultProfile', periodsOf(steps), {}, { startSchedule: new Date(t0).toISOString() }),
  });
  assert.is(r.status, 'Accepted');
  await rig.csms.goDown();
  await eventually(async () => !(await status(rig.evsed)).csms.connected, 5000, 'evsed notices the CSMS is gone');
  const samples = await sampleUntil(rig.evsed, 1, t0 + 6000);
  assertFollows(samples, steps);
  await rig.csms.comeBack();
  // Restart on the same data directory: the profile is still there and applies to the session.
  await restart(rig);
  await eventually(async () => Math.round(await drawnA(rig.evsed, 1)) === 8, 4000, 'after the restart the EV draws the profile\'s 8 A');
  const comp = await rig.csms.call('GetCompositeSchedule', { connectorId: 1, duration: 60 });
  assert.equal(comp.chargingSchedule.chargingSchedulePeriod.map((p: Period) => p.limit), [8]);
  await sleep(100);
});

test('local limit - evsectl limit set/clear: combined with the CSMS profiles as one more constraint', async (c) => {
  const rig = (c.rig = await startRig());
  assert.is((await rig.csms.call('SetChargingProfile', { connectorId: 0, csChargingProfiles: profile(1, 'TxDefaultProfile', [{ startPeriod: 0, limit: 20 }]) })).status, 'Accepted');
  await charge(rig, 1);
  await eventually(async () => Math.round(await drawnA(rig.evsed, 1)) === 20, 3000, '20 A from the profile');
  const set = await rig.evsed.ctl('limit.set', { connector: 1, amps: 13 });
  assert.is(set.limitA, 13);
  await eventually(async () => Math.round(await drawnA(rig.evsed, 1)) === 13, 1000, 'the local 13 A within a second');
  assert.is((await status(rig.evsed)).connectors[0]!.limitA, 13);
  // The composite schedule the CSMS sees includes it.
  const comp = await rig.csms.call('GetCompositeSchedule', { connectorId: 1, duration: 60 });
  assert.equal(comp.chargingSchedule.chargingSchedulePeriod.map((p: Period) => p.limit), [13]);
  // A station-wide local limit above the connector's: the connector's still binds.
  await rig.evsed.ctl('limit.set', { connector: 0, amps: 40 });
  await sleep(300);
  assert.is(Math.round(await drawnA(rig.evsed, 1)), 13);
  await rig.evsed.ctl('limit.clear', { connector: 1 });
  await eventually(async () => Math.round(await drawnA(rig.evsed, 1)) === 20, 1000, 'back to the profile\'s 20 A');
  await rig.evsed.ctl('limit.clear', { connector: 0 });
  // Bad arguments change nothing.
  for (const args of [{ connector: 1, amps: -1 }, { connector: 9, amps: 10 }, { connector: 1, amps: 'ten' }]) {
    const err = await rig.evsed.ctl('limit.set', args).catch((e: Error) => e);
    assert.instance(err, Error, JSON.stringify(args));
  }
  await sleep(300);
  assert.is(Math.round(await drawnA(rig.evsed, 1)), 20);
});

test.run();
