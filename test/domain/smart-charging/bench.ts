/**
 * Benchmark helper for smart charging: how long a 24 h composite schedule takes with the maximum
 * number of installed profiles (MaxChargingProfilesInstalled, default from the settings
 * catalogue). Not a test: it returns timing samples for test/bench/run.ts to print.
 *
 * The profile set is realistic and deterministic (fixed seed): a daily station maximum in
 * half-hour steps, weekly and daily default profiles on several stack levels (station-wide and
 * per connector) with exceptions valid for a few hours, absolute and relative tx profiles for the
 * running transaction, and external constraints; every schedule has ChargingScheduleMaxPeriods
 * periods or close to it, in both A and W.
 */
import { performance } from 'node:perf_hooks';
import { SETTINGS_BY_KEY } from '../../../src/domain/settings-catalog.js';
import { compositeSchedule, stationCompositeSchedule } from '../../../src/domain/smart-charging/composite.js';
import type { ChargingProfile, ProfileKind, ProfilePurpose } from '../../../src/domain/smart-charging/model.js';

export interface CompositeBenchOptions {
  /** Installed profiles (default MaxChargingProfilesInstalled's default). */
  profiles?: number;
  /** Periods per schedule (default ChargingScheduleMaxPeriods's default). */
  periods?: number;
  /** Timed runs (default 50) after `warmup` untimed ones (default 5). */
  samples?: number;
  warmup?: number;
  /** Also time the connector-0 (station total) composite over 2 connectors. */
  station?: boolean;
}

export interface CompositeBenchResult {
  profiles: number;
  periodsPerSchedule: number;
  /** Periods in the resulting composite (after merging). */
  compositePeriods: number;
  /** One connector, 24 h, ms per run. */
  samplesMs: number[];
  /** Connector 0 over 2 connectors, 24 h, ms per run (when asked). */
  stationSamplesMs: number[];
  medianMs: number;
  p90Ms: number;
}

const defaultOf = (key: string): number => Number(SETTINGS_BY_KEY.get(key)?.default ?? 0);

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A realistic set of `count` profiles around `nowMs` with `periods` periods per schedule. */
export function benchProfiles(count: number, periods: number, nowMs: number, seed = 42): ChargingProfile[] {
  const r = rng(seed);
  const midnight = Math.floor(nowMs / 86_400_000) * 86_400_000;
  const out: ChargingProfile[] = [];
  const plan: Array<{ purpose: ProfilePurpose; kind: ProfileKind; connector: number }> = [
    { purpose: 'stationMax', kind: 'recurring', connector: 0 },
    { purpose: 'external', kind: 'absolute', connector: 0 },
    { purpose: 'tx', kind: 'relative', connector: 1 },
    { purpose: 'tx', kind: 'absolute', connector: 1 },
  ];
  while (plan.length < count) {
    const kind: ProfileKind = r() < 0.6 ? 'recurring' : 'absolute';
    // Station-wide and per connector in turn, so stack levels stay within ChargeProfileMaxStackLevel.
    plan.push({ purpose: 'txDefault', kind, connector: plan.length % 3 });
  }
  const stackUsed = new Set<string>();
  plan.slice(0, count).forEach((spec, i) => {
    const watts = r() < 0.4;
    const stepS = spec.kind === 'recurring' ? Math.floor(86_400 / periods) : 600 + Math.floor(r() * 1200);
    const list = Array.from({ length: periods }, (_, k) => ({
      startPeriodS: k * stepS,
      limit: watts ? 1_400 + Math.round(r() * 20_000) : 6 + Math.round(r() * 260) / 10,
      ...(r() < 0.3 ? { numberPhases: r() < 0.5 ? 1 : 3 } : {}),
    }));
    let stackLevel = 0;
    while (stackUsed.has(`${spec.purpose}/${spec.connector}/${stackLevel}`)) stackLevel += 1;
    stackUsed.add(`${spec.purpose}/${spec.connector}/${stackLevel}`);
    const p: ChargingProfile = {
      id: i + 1,
      stackLevel,
      purpose: spec.purpose,
      kind: spec.kind,
      connector: spec.connector,
      source: spec.purpose === 'external' ? 'ems' : 'csms',
      schedules: [{ rateUnit: watts ? 'W' : 'A', periods: list }],
    };
    const s = p.schedules[0]!;
    if (spec.kind === 'recurring') {
      p.recurrency = r() < 0.5 ? 'daily' : 'weekly';
      s.startScheduleMs = midnight - Math.floor(r() * 14) * 86_400_000 + Math.floor(r() * 24) * 3_600_000;
      s.durationS = p.recurrency === 'daily' ? 86_400 : 4 * 86_400;
    } else if (spec.kind === 'absolute') {
      s.startScheduleMs = nowMs - Math.floor(r() * 6) * 3_600_000;
      s.durationS = periods * stepS;
    }
    if (spec.purpose === 'tx') p.transactionId = 'tx-bench';
    if (stackLevel > 0 && r() < 0.5) {
      p.validFromMs = nowMs + Math.floor(r() * 20) * 3_600_000;
      p.validToMs = p.validFromMs + (1 + Math.floor(r() * 4)) * 3_600_000;
    }
    out.push(p);
  });
  return out;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** Time 24 h composite schedules with the maximum number of profiles installed. */
export function benchCompositeSchedule(o: CompositeBenchOptions = {}): CompositeBenchResult {
  const count = o.profiles ?? defaultOf('MaxChargingProfilesInstalled');
  const periods = o.periods ?? defaultOf('ChargingScheduleMaxPeriods');
  const nowMs = Date.parse('2026-05-04T09:17:00Z');
  const profiles = benchProfiles(count, periods, nowMs);
  const c1 = { connector: 1, hardwareMaxA: 32, phases: 3, nominalVoltageV: 230, txStartMs: nowMs - 1_800_000, transactionId: 'tx-bench' };
  const c2 = { connector: 2, hardwareMaxA: 16, phases: 1, nominalVoltageV: 230 };
  const one = () => compositeSchedule({ ...c1, profiles, fromMs: nowMs, durationS: 86_400, unit: 'A' });
  const station = () => stationCompositeSchedule({ profiles, connectors: [c1, c2], fromMs: nowMs, durationS: 86_400, unit: 'W' });
  let compositePeriods = 0;
  for (let i = 0; i < (o.warmup ?? 5); i += 1) compositePeriods = one().periods.length;
  const time = (fn: () => unknown): number[] =>
    Array.from({ length: o.samples ?? 50 }, () => {
      const t0 = performance.now();
      fn();
      return performance.now() - t0;
    });
  const samplesMs = time(one);
  const stationSamplesMs = o.station ? time(station) : [];
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    profiles: profiles.length,
    periodsPerSchedule: periods,
    compositePeriods,
    samplesMs,
    stationSamplesMs,
    medianMs: quantile(sorted, 0.5),
    p90Ms: quantile(sorted, 0.9),
  };
}
