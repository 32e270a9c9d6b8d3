/**
 * The composite schedule: the limit in force for a connector (or the whole station) at each
 * instant, from the installed profiles, the local (energy-manager) limits and the hardware.
 * Pure functions; time is passed in.
 *
 * Owns the combination rules (1.6 §3.13.2/3, 16-E 3.43, 2.0.1 K §3, SC.01, K01.FR.17, K08):
 * - within a purpose, the valid profile with the highest stack level that has a period in force
 *   wins; when its schedule has ended (duration, recurrence gap, validTo) the next lower stack
 *   level takes over (OCTT TC_K_40_CS). TxDefault profiles of the connector and of connector 0
 *   are one pool; on an equal stack level the connector's own profile wins (1.6 §3.13.1);
 * - a tx profile in force overrules the txDefault profiles; when the tx schedule ends before the
 *   transaction (duration or validTo) the txDefault profiles apply again (K02.FR.08, OCTT
 *   TC_K_41_CS as amended by the 2025-04 test-case errata). Option `txDefaultAfterTx: 'hidden'`
 *   instead ignores txDefault for as long as any tx profile of the connector is valid;
 * - the limit = min(stationMax, external constraints at 0 and at the connector, tx-or-txDefault,
 *   local limits, hardware maximum); a station-wide limit (stationMax, external at 0, the station
 *   local limit) is applied to one connector as if it charged alone — sharing it between
 *   connectors that charge at once is allocation.ts's job;
 * - units: everything is compared in amperes per phase; a W limit becomes
 *   I = P / (U_nominal × phases) with phases = numberPhases (absent ⇒ 3) but never more than the
 *   connector has (model.ts effectivePhases); answers in W are I × U_nominal × numberPhases;
 * - connector 0 (stationCompositeSchedule): the total the station expects to draw = the sum of
 *   every connector's composite (each as if a transaction ran, K08.FR.06), capped by the
 *   station-wide limits; in A as a per-phase sum (conservative: single-phase connectors are
 *   counted as if on the same phase), in W as the sum of powers. Station-wide W↔A conversions use
 *   the largest phase count of the connectors and the first connector's nominal voltage.
 * Must not: read settings, storage or clocks.
 */
import { activeSchedule, nextProfileChangeMs, type ActiveSchedule } from './schedule.js';
import {
  ampsToUnit,
  effectivePhases,
  floorTenth,
  limitToAmps,
  type ChargingProfile,
  type LimitSource,
  type ProfilePurpose,
  type RateUnit,
  type Supply,
} from './model.js';

export interface CompositeOptions {
  /** After a tx schedule ends: 'fallback' to txDefault (default, K02.FR.08) or keep it 'hidden'. */
  txDefaultAfterTx?: 'fallback' | 'hidden';
}

/** One connector as the calculation sees it. */
export interface ConnectorContext {
  /** Flat connector id ≥ 1. */
  connector: number;
  /** Hardware / installation maximum, A per phase. */
  hardwareMaxA: number;
  phases: number;
  nominalVoltageV: number;
  /** When the running transaction could first take energy; absent = no transaction. */
  txStartMs?: number;
  /** evsed's id of the running transaction: tx profiles bound to another one are ignored. */
  transactionId?: string;
  /** Energy-manager limit for this connector, A per phase. */
  localLimitA?: number;
  /** Energy-manager limit for the whole station (a total), A per phase. */
  stationLocalLimitA?: number;
}

/** What set a limit. */
export type LimitOrigin =
  | { kind: 'profile'; purpose: ProfilePurpose; profileId: number; stackLevel: number; source: LimitSource }
  | { kind: 'local'; scope: 'connector' | 'station' }
  | { kind: 'hardware' };

export interface StationCap {
  /** Per-phase total for all connectors together, A (Infinity = none). */
  amps: number;
  /** Total power for all connectors together, W (Infinity = none). */
  watts: number;
  ampsOrigin: LimitOrigin | null;
  wattsOrigin: LimitOrigin | null;
}

export interface LimitBreakdown {
  /** The limit in force, A per phase, rounded down to 0.1 A. */
  limitA: number;
  /** The same before rounding (for conversions to W without losing precision). */
  exactA: number;
  /** Phases the limit is meant for (smallest of the periods in force, else the connector's). */
  numberPhases: number;
  origin: LimitOrigin;
  /** The station-wide limits in force, as totals (for sharing between connectors). */
  station: StationCap;
}

export interface CompositePeriod {
  /** Seconds from the composite's start. */
  startPeriodS: number;
  /** In the unit asked for, rounded down to 0.1. */
  limit: number;
  numberPhases: number;
}

export interface CompositeSchedule {
  /** = fromMs: the instant startPeriodS counts from (2.0.1 scheduleStart). */
  startMs: number;
  durationS: number;
  unit: RateUnit;
  periods: CompositePeriod[];
}

interface Pools {
  stationMax: ChargingProfile[];
  externalStation: ChargingProfile[];
  externalConnector: ChargingProfile[];
  tx: ChargingProfile[];
  txDefault: ChargingProfile[];
}

const byStack = (connector: number) => (a: ChargingProfile, b: ChargingProfile) =>
  b.stackLevel - a.stackLevel || Number(b.connector === connector) - Number(a.connector === connector) || a.id - b.id;

/** The profiles that concern `ctx.connector`, by purpose, highest stack level first. */
function pools(profiles: readonly ChargingProfile[], ctx: ConnectorContext): Pools {
  const c = ctx.connector;
  const out: Pools = { stationMax: [], externalStation: [], externalConnector: [], tx: [], txDefault: [] };
  for (const p of profiles) {
    switch (p.purpose) {
      case 'stationMax':
        if (p.connector === 0) out.stationMax.push(p);
        break;
      case 'external':
        if (p.connector === 0) out.externalStation.push(p);
        else if (p.connector === c) out.externalConnector.push(p);
        break;
      case 'tx':
        if (p.connector === c && (ctx.transactionId === undefined || p.transactionId === undefined || p.transactionId === ctx.transactionId)) {
          out.tx.push(p);
        }
        break;
      case 'txDefault':
        if (p.connector === 0 || p.connector === c) out.txDefault.push(p);
        break;
    }
  }
  const order = byStack(c);
  for (const list of Object.values(out) as ChargingProfile[][]) list.sort(order);
  return out;
}

function winner(pool: readonly ChargingProfile[], atMs: number, txStartMs: number | undefined): ActiveSchedule | null {
  for (const p of pool) {
    const a = activeSchedule(p, atMs, txStartMs);
    if (a) return a;
  }
  return null;
}

const profileOrigin = (a: ActiveSchedule): LimitOrigin => ({
  kind: 'profile',
  purpose: a.profile.purpose,
  profileId: a.profile.id,
  stackLevel: a.profile.stackLevel,
  source: a.profile.source,
});

function evaluatePools(p: Pools, ctx: ConnectorContext, atMs: number, options: CompositeOptions): LimitBreakdown {
  const supply: Supply = { phases: ctx.phases, nominalVoltageV: ctx.nominalVoltageV };
  const txStart = ctx.txStartMs;
  let txLimit = winner(p.tx, atMs, txStart);
  if (!txLimit) {
    const hidden =
      options.txDefaultAfterTx === 'hidden' &&
      p.tx.some((t) => (t.validFromMs === undefined || atMs >= t.validFromMs) && (t.validToMs === undefined || atMs < t.validToMs));
    if (!hidden) txLimit = winner(p.txDefault, atMs, txStart);
  }
  const inForce: Array<ActiveSchedule | null> = [
    txLimit,
    winner(p.externalConnector, atMs, txStart),
    winner(p.stationMax, atMs, txStart),
    winner(p.externalStation, atMs, txStart),
  ];
  let limitA = Infinity;
  let origin: LimitOrigin = { kind: 'hardware' };
  let numberPhases = Infinity;
  const station: StationCap = { amps: Infinity, watts: Infinity, ampsOrigin: null, wattsOrigin: null };
  const consider = (amps: number, o: LimitOrigin) => {
    if (amps < limitA) {
      limitA = amps;
      origin = o;
    }
  };
  inForce.forEach((a, i) => {
    if (!a) return;
    const phases = effectivePhases(a.period.numberPhases, supply);
    numberPhases = Math.min(numberPhases, phases);
    const o = profileOrigin(a);
    consider(limitToAmps(a.period.limit, a.schedule.rateUnit, phases, supply), o);
    if (i >= 2) {
      // Station-wide: also a cap on the total of all connectors.
      if (a.schedule.rateUnit === 'A' && a.period.limit < station.amps) [station.amps, station.ampsOrigin] = [a.period.limit, o];
      if (a.schedule.rateUnit === 'W' && a.period.limit < station.watts) [station.watts, station.wattsOrigin] = [a.period.limit, o];
    }
  });
  if (ctx.localLimitA !== undefined) consider(ctx.localLimitA, { kind: 'local', scope: 'connector' });
  if (ctx.stationLocalLimitA !== undefined) {
    const o: LimitOrigin = { kind: 'local', scope: 'station' };
    consider(ctx.stationLocalLimitA, o);
    if (ctx.stationLocalLimitA < station.amps) [station.amps, station.ampsOrigin] = [ctx.stationLocalLimitA, o];
  }
  consider(ctx.hardwareMaxA, { kind: 'hardware' });
  const exactA = Math.max(0, limitA);
  return {
    limitA: floorTenth(exactA),
    exactA,
    numberPhases: Number.isFinite(numberPhases) ? numberPhases : Math.max(1, ctx.phases),
    origin,
    station,
  };
}

function nextPoolsChangeMs(p: Pools, ctx: ConnectorContext, afterMs: number): number {
  let next = Infinity;
  for (const list of [p.stationMax, p.externalStation, p.externalConnector, p.tx, p.txDefault]) {
    for (const profile of list) next = Math.min(next, nextProfileChangeMs(profile, afterMs, ctx.txStartMs));
  }
  return next;
}

/** The limit in force for a connector at `atMs`, with what set it. */
export function evaluateAt(
  profiles: readonly ChargingProfile[],
  ctx: ConnectorContext,
  atMs: number,
  options: CompositeOptions = {},
): LimitBreakdown {
  return evaluatePools(pools(profiles, ctx), ctx, atMs, options);
}

/** The limit in force for a connector at `atMs`, A per phase (rounded down to 0.1 A). */
export function limitAt(profiles: readonly ChargingProfile[], ctx: ConnectorContext, atMs: number, options: CompositeOptions = {}): number {
  return evaluateAt(profiles, ctx, atMs, options).limitA;
}

/** The first instant after `afterMs` at which the connector's limit can change; Infinity = never. */
export function nextChangeMs(profiles: readonly ChargingProfile[], ctx: ConnectorContext, afterMs: number): number {
  return nextPoolsChangeMs(pools(profiles, ctx), ctx, afterMs);
}

interface Segment {
  offsetMs: number;
  limit: number;
  numberPhases: number;
}

/**
 * Raw segments (ms offsets, ascending, first at 0) → whole-second periods. A second in which the
 * limit changes gets the lowest limit of that second, so the answer never exceeds the limit in
 * force at any instant; equal neighbours are merged.
 */
function toPeriods(segments: readonly Segment[], totalMs: number): CompositePeriod[] {
  const out: CompositePeriod[] = [];
  const emit = (second: number, limit: number, numberPhases: number) => {
    const last = out[out.length - 1];
    if (last && last.startPeriodS === second) {
      if (limit < last.limit) [last.limit, last.numberPhases] = [limit, numberPhases];
      return;
    }
    out.push({ startPeriodS: second, limit, numberPhases });
  };
  segments.forEach((s, i) => {
    const endMs = Math.min(segments[i + 1]?.offsetMs ?? totalMs, totalMs);
    const first = Math.floor(s.offsetMs / 1000);
    const last = Math.ceil(endMs / 1000) - 1;
    emit(first, s.limit, s.numberPhases);
    // A partial first second is shared with the previous segment; the next one is this segment's alone.
    if (s.offsetMs % 1000 !== 0 && first + 1 <= last) emit(first + 1, s.limit, s.numberPhases);
    // A partial last second is shared with the next segment, which merges into this entry.
    if (endMs % 1000 !== 0 && last > first) emit(last, s.limit, s.numberPhases);
  });
  const merged: CompositePeriod[] = [];
  for (const p of out) {
    const last = merged[merged.length - 1];
    if (last && last.limit === p.limit && last.numberPhases === p.numberPhases) continue;
    merged.push({ ...p });
  }
  return merged;
}

function walk(
  fromMs: number,
  durationS: number,
  at: (t: number) => { limit: number; numberPhases: number },
  next: (t: number) => number,
): CompositePeriod[] {
  const totalMs = Math.max(0, durationS) * 1000;
  const endMs = fromMs + totalMs;
  const segments: Segment[] = [];
  for (let t = fromMs; t < endMs || segments.length === 0; ) {
    const v = at(t);
    segments.push({ offsetMs: t - fromMs, ...v });
    const n = next(t);
    if (!(n < endMs)) break;
    t = n > t ? n : t + 1;
  }
  return toPeriods(segments, Math.max(totalMs, 1));
}

export interface ConnectorCompositeInput extends ConnectorContext {
  profiles: readonly ChargingProfile[];
  fromMs: number;
  durationS: number;
  unit: RateUnit;
  options?: CompositeOptions;
}

/**
 * The composite schedule of one connector from `fromMs` for `durationS` seconds, in `unit`.
 * Without `txStartMs` it is calculated as if a transaction started at `fromMs` (K08.FR.06).
 * With no profiles at all: one period at the hardware maximum (OCTT TC_K_39_CS).
 */
export function compositeSchedule(input: ConnectorCompositeInput): CompositeSchedule {
  const ctx: ConnectorContext = { ...input, txStartMs: input.txStartMs ?? input.fromMs };
  const p = pools(input.profiles, ctx);
  const supply: Supply = { phases: ctx.phases, nominalVoltageV: ctx.nominalVoltageV };
  const options = input.options ?? {};
  const periods = walk(
    input.fromMs,
    input.durationS,
    (t) => {
      const b = evaluatePools(p, ctx, t, options);
      const limit = input.unit === 'A' ? b.limitA : floorTenth(ampsToUnit(b.exactA, input.unit, b.numberPhases, supply));
      return { limit, numberPhases: b.numberPhases };
    },
    (t) => nextPoolsChangeMs(p, ctx, t),
  );
  return { startMs: input.fromMs, durationS: input.durationS, unit: input.unit, periods };
}

export interface StationCompositeInput {
  profiles: readonly ChargingProfile[];
  /** Every connector of the station (transaction details where one runs). */
  connectors: readonly Omit<ConnectorContext, 'stationLocalLimitA'>[];
  stationLocalLimitA?: number;
  fromMs: number;
  durationS: number;
  unit: RateUnit;
  options?: CompositeOptions;
}

/** Connector 0: the total the station expects to draw (K08.FR.03, 16-E 3.30); see the header. */
export function stationCompositeSchedule(input: StationCompositeInput): CompositeSchedule {
  const options = input.options ?? {};
  const ctxs: ConnectorContext[] = input.connectors.map((c) => ({
    ...c,
    txStartMs: c.txStartMs ?? input.fromMs,
    ...(input.stationLocalLimitA !== undefined ? { stationLocalLimitA: input.stationLocalLimitA } : {}),
  }));
  const all = ctxs.map((ctx) => ({ ctx, pools: pools(input.profiles, ctx) }));
  const phasesSt = Math.max(1, ...ctxs.map((c) => c.phases));
  const voltsSt = ctxs[0]?.nominalVoltageV ?? 230;
  const periods = walk(
    input.fromMs,
    input.durationS,
    (t) => {
      let total = 0;
      let cap = Infinity;
      for (const { ctx, pools: p } of all) {
        const b = evaluatePools(p, ctx, t, options);
        total += input.unit === 'A' ? b.limitA : b.exactA * ctx.nominalVoltageV * b.numberPhases;
        // The station-wide limits are the same for every connector.
        const st = b.station;
        cap = input.unit === 'A' ? Math.min(st.amps, st.watts / (voltsSt * phasesSt)) : Math.min(st.watts, st.amps * voltsSt * phasesSt);
      }
      return { limit: floorTenth(Math.min(total, cap)), numberPhases: phasesSt };
    },
    (t) => Math.min(Infinity, ...all.map(({ ctx, pools: p }) => nextPoolsChangeMs(p, ctx, t))),
  );
  return { startMs: input.fromMs, durationS: input.durationS, unit: input.unit, periods };
}
