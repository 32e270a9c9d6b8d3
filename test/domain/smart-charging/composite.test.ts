/**
 * composite.ts: combining profiles. Hand-worked cases: OCTT TC_K_39/40/41_CS (2025-04 test-case
 * errata), 1.6 §3.13.2 stacking and §3.13.3 combining purposes, tx vs txDefault, A↔W with 1 and 3
 * phases at 230 V (16-E 3.34/3.69, K01.FR.49–51), overlapping validity, station max on every
 * connector and the connector-0 total (K08.FR.03), relative schedules (K08.FR.06), local limits,
 * period merging and whole-second periods.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  compositeSchedule,
  evaluateAt,
  limitAt,
  nextChangeMs,
  stationCompositeSchedule,
} from '../../../src/domain/smart-charging/composite.js';
import type { ChargingProfile, RateUnit } from '../../../src/domain/smart-charging/model.js';
import { at, conn, pairs, prof } from './fixtures.js';

const S = at('2024-08-21T12:24:40Z');

const composite = (profiles: ChargingProfile[], durationS: number, o: Partial<Parameters<typeof compositeSchedule>[0]> = {}) =>
  compositeSchedule({ ...conn(), profiles, fromMs: S, durationS, unit: 'A' as RateUnit, ...o });

test('TC_K_39_CS: no profile installed → one period from 0 at the hardware maximum, never -1', () => {
  const c = composite([], 300);
  assert.equal(c.periods, [{ startPeriodS: 0, limit: 32, numberPhases: 3 }]);
  assert.is(c.startMs, S);
  assert.is(c.durationS, 300);
  const w = composite([], 300, { unit: 'W' });
  assert.equal(pairs(w.periods), [[0, 32 * 230 * 3]]);
});

test('TC_K_40_CS: stacking — stack level 1 until its duration ends at 150 s, then stack level 0', () => {
  const p0 = prof({ stackLevel: 0, startMs: S, durationS: 400, periods: [[0, 6], [100, 8], [200, 10]] });
  const p1 = prof({ stackLevel: 1, startMs: S, durationS: 150, periods: [[0, 7], [100, 9]] });
  assert.equal(pairs(composite([p0, p1], 350).periods), [
    [0, 7],
    [100, 9],
    [150, 8],
    [200, 10],
  ]);
});

const tcK41 = () => [
  prof({ purpose: 'stationMax', startMs: S, durationS: 86_400, periods: [[0, 10]] }),
  prof({
    purpose: 'txDefault',
    startMs: S,
    durationS: 300,
    validFromMs: S,
    validToMs: S + 401_000,
    periods: [[0, 6], [60, 10], [120, 8], [180, 15], [260, 8]],
  }),
  prof({
    purpose: 'tx',
    transactionId: 'tx-1',
    startMs: S,
    durationS: 260,
    validFromMs: S,
    validToMs: S + 401_000,
    periods: [[0, 8], [50, 11], [140, 16], [200, 6], [240, 12]],
  }),
];

test('TC_K_41_CS (2025-04 errata): tx overrules txDefault; after the tx schedule ends txDefault is back (K02.FR.08)', () => {
  const c = composite(tcK41(), 400, { txStartMs: S, transactionId: 'tx-1' });
  assert.equal(pairs(c.periods), [
    [0, 8],
    [50, 10],
    [200, 6],
    [240, 10],
    [260, 8],
    [300, 10],
  ]);
});

test("option txDefaultAfterTx 'hidden': a valid tx profile keeps txDefault out even after its schedule ended", () => {
  const c = composite(tcK41(), 400, { txStartMs: S, transactionId: 'tx-1', options: { txDefaultAfterTx: 'hidden' } });
  assert.equal(pairs(c.periods), [
    [0, 8],
    [50, 10],
    [200, 6],
    [240, 10],
  ]);
});

test('tx profiles of another transaction are ignored', () => {
  const c = composite(tcK41(), 400, { txStartMs: S, transactionId: 'tx-2' });
  assert.equal(pairs(c.periods), [
    [0, 6],
    [60, 10],
    [120, 8],
    [180, 10],
    [260, 8],
    [300, 10],
  ]);
});

test('1.6 §3.13.2: the valid profile with the highest stack level prevails; its validity window is exact', () => {
  const base = prof({ stackLevel: 0, startMs: S, periods: [[0, 16]] });
  const exception = prof({ stackLevel: 1, startMs: S, validFromMs: S + 1800_000, validToMs: S + 5400_000, periods: [[0, 8]] });
  assert.equal(pairs(composite([base, exception], 7200).periods), [
    [0, 16],
    [1800, 8],
    [5400, 16],
  ]);
});

test('overlapping validity of two exceptions: the higher stack level wins where both are valid', () => {
  const base = prof({ stackLevel: 0, startMs: S, periods: [[0, 20]] });
  const a = prof({ stackLevel: 1, startMs: S, validFromMs: S + 100_000, validToMs: S + 300_000, periods: [[0, 12]] });
  const b = prof({ stackLevel: 2, startMs: S, validFromMs: S + 200_000, validToMs: S + 400_000, periods: [[0, 14]] });
  assert.equal(pairs(composite([base, a, b], 500).periods), [
    [0, 20],
    [100, 12],
    [200, 14],
    [400, 20],
  ]);
});

test('1.6 §3.13.3: composite = minimum of the station maximum and tx-or-txDefault at each instant', () => {
  const max = prof({ purpose: 'stationMax', startMs: S, periods: [[0, 20], [600, 10]] });
  const def = prof({ startMs: S, periods: [[0, 16], [300, 25]] });
  assert.equal(pairs(composite([max, def], 900).periods), [
    [0, 16],
    [300, 20],
    [600, 10],
  ]);
});

test('W → A (16-E 3.69): 11 kW on 3 × 230 V = 15.9 A per phase, 6 kW = 8.6 A (rounded down to 0.1 A)', () => {
  const p = prof({ startMs: S, unit: 'W', periods: [[0, 11_000, 3], [600, 6_000, 3]] });
  assert.equal(pairs(composite([p], 1200).periods), [
    [0, 15.9],
    [600, 8.6],
  ]);
  // numberPhases absent ⇒ 3 (K01.FR.49): the same.
  const q = prof({ startMs: S, unit: 'W', periods: [[0, 11_000], [600, 6_000]] });
  assert.equal(pairs(composite([q], 1200).periods), [
    [0, 15.9],
    [600, 8.6],
  ]);
});

test('W on a single-phase connector: the limit is kept for the one phase used (16-E 3.34, K01.FR.45)', () => {
  const p = prof({ startMs: S, unit: 'W', periods: [[0, 11_000, 3], [600, 6_000, 3]] });
  const c = composite([p], 1200, { phases: 1 });
  assert.equal(c.periods, [
    { startPeriodS: 0, limit: 32, numberPhases: 1 }, // 47.8 A, capped by the hardware
    { startPeriodS: 600, limit: 26, numberPhases: 1 }, // 6000 / 230 = 26.08
  ]);
});

test('A → W: 16 A per phase is 11 040 W on 3 phases, 3 680 W on 1 phase; a W profile comes back unchanged', () => {
  const a16 = prof({ startMs: S, periods: [[0, 16]] });
  assert.equal(composite([a16], 60, { unit: 'W' }).periods, [{ startPeriodS: 0, limit: 11_040, numberPhases: 3 }]);
  assert.equal(composite([a16], 60, { unit: 'W', phases: 1 }).periods, [{ startPeriodS: 0, limit: 3_680, numberPhases: 1 }]);
  const onePhase = prof({ startMs: S, periods: [[0, 16, 1]] });
  assert.equal(composite([onePhase], 60, { unit: 'W' }).periods, [{ startPeriodS: 0, limit: 3_680, numberPhases: 1 }]);
  const w = prof({ startMs: S, unit: 'W', periods: [[0, 7_360]] });
  assert.equal(pairs(composite([w], 60, { unit: 'W' }).periods), [[0, 7_360]]);
  assert.equal(pairs(composite([w], 60).periods), [[0, 10.6]]);
});

test('mixed units: a W station maximum and an A default profile compare per phase', () => {
  const max = prof({ purpose: 'stationMax', unit: 'W', startMs: S, periods: [[0, 6_900]] }); // 10 A on 3 phases
  const def = prof({ startMs: S, periods: [[0, 16], [60, 8]] });
  assert.equal(pairs(composite([max, def], 120).periods), [
    [0, 10],
    [60, 8],
  ]);
});

test('txDefault for connector 0 applies to every connector; a connector profile of the same stack level wins there', () => {
  const all = prof({ connector: 0, startMs: S, periods: [[0, 16]] });
  const one = prof({ connector: 1, startMs: S, periods: [[0, 10]] });
  assert.is(limitAt([all, one], conn({ connector: 1 }), S), 10);
  assert.is(limitAt([all, one], conn({ connector: 2 }), S), 16);
  const higher = prof({ connector: 0, stackLevel: 1, startMs: S, periods: [[0, 12]] });
  assert.is(limitAt([all, one, higher], conn({ connector: 1 }), S), 12);
});

test('station maximum applies to every connector; connector 0 reports the total capped by it (K08.FR.03)', () => {
  const max = prof({ purpose: 'stationMax', startMs: S, periods: [[0, 20]] });
  const c1 = conn({ connector: 1 });
  const c2 = conn({ connector: 2, hardwareMaxA: 16, phases: 1 });
  assert.is(limitAt([max], c1, S), 20);
  assert.is(limitAt([max], c2, S), 16);
  const total = stationCompositeSchedule({ profiles: [max], connectors: [c1, c2], fromMs: S, durationS: 60, unit: 'A' });
  assert.equal(total.periods, [{ startPeriodS: 0, limit: 20, numberPhases: 3 }]);
  const watts = stationCompositeSchedule({ profiles: [max], connectors: [c1, c2], fromMs: S, durationS: 60, unit: 'W' });
  assert.equal(pairs(watts.periods), [[0, 20 * 230 * 3]]);
  const none = stationCompositeSchedule({ profiles: [], connectors: [c1, c2], fromMs: S, durationS: 60, unit: 'W' });
  assert.equal(pairs(none.periods), [[0, 32 * 230 * 3 + 16 * 230]]);
});

test('relative default profile: from the transaction start; without a transaction as if one started now (K08.FR.06)', () => {
  const rel = prof({ kind: 'relative', periods: [[0, 6], [600, 16]] });
  assert.equal(pairs(composite([rel], 1200).periods), [
    [0, 6],
    [600, 16],
  ]);
  assert.equal(pairs(composite([rel], 1200, { txStartMs: S - 300_000 }).periods), [
    [0, 6],
    [300, 16],
  ]);
});

test('external constraints, local limits and the hardware maximum all take part in the minimum', () => {
  const ext = prof({ purpose: 'external', connector: 1, source: 'ems', startMs: S, periods: [[0, 14], [60, 30]] });
  const b = evaluateAt([ext], conn({ localLimitA: 12 }), S + 60_000);
  assert.is(b.limitA, 12);
  assert.equal(b.origin, { kind: 'local', scope: 'connector' });
  const e = evaluateAt([ext], conn(), S);
  assert.is(e.limitA, 14);
  assert.equal(e.origin, { kind: 'profile', purpose: 'external', profileId: ext.id, stackLevel: 0, source: 'ems' });
  const station = prof({ purpose: 'external', connector: 0, source: 'gridOperator', startMs: S, unit: 'W', periods: [[0, 9_000]] });
  const s = evaluateAt([station], conn({ stationLocalLimitA: 25 }), S);
  assert.is(s.station.watts, 9_000);
  assert.is(s.station.amps, 25);
  assert.is(s.limitA, 13); // 9000 / 690 = 13.04
  assert.equal(evaluateAt([], conn({ hardwareMaxA: 16 }), S).origin, { kind: 'hardware' });
});

test('consecutive equal periods are merged, whichever profile sets them', () => {
  const def = prof({ startMs: S, periods: [[0, 10], [100, 10], [200, 8], [300, 12]] });
  const max = prof({ purpose: 'stationMax', startMs: S, periods: [[0, 8]] });
  assert.equal(pairs(composite([def], 400).periods), [
    [0, 10],
    [200, 8],
    [300, 12],
  ]);
  assert.equal(pairs(composite([def, max], 400).periods), [[0, 8]]);
});

test('a start off the whole second: each second holds the lowest limit in it, so the answer never exceeds it', () => {
  const def = prof({ startMs: S, periods: [[0, 10], [100, 6], [200, 16]] });
  const c = composite([def], 300, { fromMs: S + 300 });
  assert.equal(pairs(c.periods), [
    [0, 10],
    [99, 6],
    [200, 16],
  ]);
});

test('nextChangeMs: the next boundary among all relevant profiles; Infinity without any', () => {
  const def = prof({ startMs: S, periods: [[0, 10], [100, 6]] });
  const max = prof({ purpose: 'stationMax', startMs: S, validToMs: S + 50_000, periods: [[0, 8]] });
  const other = prof({ connector: 2, startMs: S, periods: [[0, 10], [10, 6]] });
  assert.is(nextChangeMs([def, max, other], conn(), S), S + 50_000);
  assert.is(nextChangeMs([def, max, other], conn(), S + 50_000), S + 100_000);
  assert.is(nextChangeMs([def, max, other], conn(), S + 100_000), Infinity);
  assert.is(nextChangeMs([], conn(), S), Infinity);
});

test('limitAt agrees with the composite at the TC_K_41 boundaries', () => {
  const profiles = tcK41();
  const ctx = conn({ txStartMs: S, transactionId: 'tx-1' });
  const c = composite(profiles, 400, { txStartMs: S, transactionId: 'tx-1' });
  for (const p of c.periods) assert.is(limitAt(profiles, ctx, S + p.startPeriodS * 1000), p.limit);
});

test.run();
