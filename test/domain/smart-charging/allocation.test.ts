/**
 * allocation.ts / apply.ts: sharing station-wide limits between sessions, hand-worked
 * (1.6 §3.13.3 "the combined energy flow of all connectors SHALL NOT be greater", K04.FR.05).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { shareStationCaps, type ShareDemand } from '../../../src/domain/smart-charging/allocation.js';
import { limitsToApply } from '../../../src/domain/smart-charging/apply.js';
import { conn, prof } from './fixtures.js';

const d = (connector: number, demandA: number, o: Partial<ShareDemand> = {}): ShareDemand => ({
  connector,
  demandA,
  phases: 3,
  nominalVoltageV: 230,
  active: true,
  sinceMs: connector,
  ...o,
});
const asObject = (m: Map<number, number>) => Object.fromEntries(m);

test('no station-wide limit: everyone gets their own limit', () => {
  assert.equal(asObject(shareStationCaps([d(1, 32), d(2, 16)], { amps: Infinity, watts: Infinity })), { 1: 32, 2: 16 });
});

test('an A cap is shared equally; a connector needing less leaves the rest to the others', () => {
  assert.equal(asObject(shareStationCaps([d(1, 32), d(2, 32)], { amps: 20, watts: Infinity })), { 1: 10, 2: 10 });
  assert.equal(asObject(shareStationCaps([d(1, 32), d(2, 8)], { amps: 20, watts: Infinity })), { 1: 12, 2: 8 });
  assert.equal(asObject(shareStationCaps([d(1, 32), d(2, 32), d(3, 32)], { amps: 20, watts: Infinity })), { 1: 6.6, 2: 6.6, 3: 6.6 });
});

test('a W cap counts each connector at U × its phases: 11 040 W for 3 × 32 A and 1 × 16 A → 12 A each', () => {
  const shares = shareStationCaps([d(1, 32), d(2, 16, { phases: 1 })], { amps: Infinity, watts: 11_040 });
  assert.equal(asObject(shares), { 1: 12, 2: 12 });
});

test('below 6 A each, the latest sessions pause so the earlier ones keep at least 6 A', () => {
  assert.equal(asObject(shareStationCaps([d(1, 16), d(2, 16), d(3, 16)], { amps: 15, watts: Infinity })), { 1: 7.5, 2: 7.5, 3: 0 });
  assert.equal(asObject(shareStationCaps([d(3, 16, { sinceMs: 0 }), d(1, 16), d(2, 16)], { amps: 13, watts: Infinity })), { 3: 6.5, 1: 6.5, 2: 0 });
  assert.equal(asObject(shareStationCaps([d(1, 16)], { amps: 5, watts: Infinity })), { 1: 0 });
});

test('an idle connector is offered what it would get if its session started now', () => {
  const shares = shareStationCaps([d(1, 32), d(2, 32, { active: false })], { amps: 20, watts: Infinity });
  assert.equal(asObject(shares), { 1: 20, 2: 10 });
  const full = shareStationCaps([d(1, 32), d(2, 32), d(3, 32, { active: false })], { amps: 14, watts: Infinity });
  assert.equal(asObject(full), { 1: 7, 2: 7, 3: 0 });
});

test('limitsToApply: a station maximum binds two sessions; the shared limit names the station maximum', () => {
  const max = prof({ id: 77, purpose: 'stationMax', startMs: 0, periods: [[0, 20]] });
  const def = prof({ connector: 2, startMs: 0, periods: [[0, 16]] });
  const out = limitsToApply(
    [max, def],
    [
      { ctx: conn({ connector: 1 }), active: true, sinceMs: 1 },
      { ctx: conn({ connector: 2 }), active: true, sinceMs: 2 },
    ],
    1000,
  );
  assert.equal(
    out.map((l) => [l.connector, l.limitA, l.shared, l.origin?.kind === 'profile' ? l.origin.profileId : null]),
    [
      [1, 10, true, 77],
      [2, 10, true, 77],
    ],
  );
});

test.run();
