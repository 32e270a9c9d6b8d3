/**
 * Sharing station-wide limits between connectors that charge at the same time.
 *
 * A station maximum (1.6 ChargePointMaxProfile, 2.0.1 ChargingStationMaxProfile), an external
 * constraint on the grid connection or the station-wide energy-manager limit is a limit for all
 * connectors together (1.6 §3.13.3, K04.FR.05). Each connector's composite applies it as if that
 * connector charged alone; this module makes the applied limits add up:
 * - connectors with a session ("active") share the caps: every one gets min(own limit, λ) with
 *   the largest equal λ such that Σ amps ≤ the A cap (a per-phase total) and
 *   Σ amps × U_nominal × phases ≤ the W cap;
 * - an IEC 61851 offer below 6 A is no offer, so when λ would fall below 6 A the sessions that
 *   started last get 0 A (they pause) until the others get at least 6 A each — first come, first
 *   served;
 * - a connector without a session gets what it would get if it started one now (joining last),
 *   so the first offer after authorization never breaks the cap.
 * Pure; amperes per phase in, out rounded down to 0.1 A.
 * Must not: know about profiles (composite.ts gives the inputs).
 */
import { MIN_OFFER_A } from '../../../hal/pwm.js';
import { floorTenth } from './model.js';

export interface ShareDemand {
  connector: number;
  /** The connector's own limit (its composite), A per phase. */
  demandA: number;
  phases: number;
  nominalVoltageV: number;
  /** A session runs (the connector may draw current now). */
  active: boolean;
  /** Session start, ms: earlier sessions keep their share when there is not enough for all. */
  sinceMs: number;
}

export interface StationCaps {
  /** Per-phase total, A; Infinity = none. */
  amps: number;
  /** Total power, W; Infinity = none. */
  watts: number;
}

const fits = (set: readonly ShareDemand[], level: number, caps: StationCaps): boolean => {
  let amps = 0;
  let watts = 0;
  for (const d of set) {
    const a = Math.min(d.demandA, level);
    amps += a;
    watts += a * d.nominalVoltageV * d.phases;
  }
  return amps <= caps.amps + 1e-9 && watts <= caps.watts + 1e-6;
};

/** The largest equal share λ (A) for `set` within `caps`. */
function level(set: readonly ShareDemand[], caps: StationCaps): number {
  const top = Math.max(0, ...set.map((d) => d.demandA));
  if (fits(set, top, caps)) return top;
  let lo = 0;
  let hi = top;
  for (let i = 0; i < 60; i += 1) {
    const mid = (lo + hi) / 2;
    if (fits(set, mid, caps)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Shares of `set` (in priority order): the longest prefix whose members all get ≥ 6 A. */
function shareAmong(set: readonly ShareDemand[], caps: StationCaps, minOfferA: number): Map<number, number> {
  const out = new Map<number, number>();
  const drawing = set.filter((d) => d.demandA >= minOfferA);
  for (const d of set) if (d.demandA < minOfferA) out.set(d.connector, floorTenth(Math.max(0, d.demandA)));
  for (let k = drawing.length; k >= 0; k -= 1) {
    const served = drawing.slice(0, k);
    const lambda = level(served, caps);
    if (k > 0 && lambda < minOfferA) continue;
    for (const d of served) out.set(d.connector, floorTenth(Math.min(d.demandA, lambda)));
    for (const d of drawing.slice(k)) out.set(d.connector, 0);
    break;
  }
  return out;
}

/** The limit to apply to each connector, A per phase. */
export function shareStationCaps(demands: readonly ShareDemand[], caps: StationCaps, minOfferA: number = MIN_OFFER_A): Map<number, number> {
  const order = (a: ShareDemand, b: ShareDemand) => a.sinceMs - b.sinceMs || a.connector - b.connector;
  const active = demands.filter((d) => d.active).sort(order);
  if (!Number.isFinite(caps.amps) && !Number.isFinite(caps.watts)) {
    return new Map(demands.map((d) => [d.connector, floorTenth(d.demandA)]));
  }
  const out = shareAmong(active, caps, minOfferA);
  for (const idle of demands.filter((d) => !d.active)) {
    const joined = shareAmong([...active, idle], caps, minOfferA);
    out.set(idle.connector, joined.get(idle.connector) ?? 0);
  }
  return out;
}
