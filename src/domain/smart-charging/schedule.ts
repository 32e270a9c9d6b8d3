/**
 * Time rules of one charging profile: which period is in force at an instant and when that can
 * next change. Pure functions; every instant is ms since the epoch (station clock), passed in.
 *
 * Owns:
 * - validity: validFrom ≤ t < validTo (K01.FR.36/37); absent bounds are open;
 * - absolute schedules start at startSchedule, never before it (K01.FR.30);
 * - recurring schedules restart every 24 h (daily) or 7 × 24 h (weekly), counted from
 *   startSchedule in exact UTC milliseconds (a day across a DST change is still 24 h: OCPP leaves
 *   DST to special profiles, 1.6 §3.13.7); an occurrence ends at the next recurrence or when its
 *   duration ends, whichever is first, and periods beyond that are not executed (16-E 3.43/3.44,
 *   K01.FR.13);
 * - relative schedules start when the transaction can first take energy (`txStartMs`); with no
 *   transaction yet, the schedule would start now, so its first period is in force and does not
 *   move (the limit offered the moment a session begins);
 * - a period holds until the next period starts or the duration ends (K01.FR.11/12).
 * Must not: combine profiles (composite.ts does) or convert units.
 */
import { DAY_MS, WEEK_MS, type ChargingProfile, type Schedule, type SchedulePeriod } from './model.js';

/** The schedule of a profile that is in force at an instant. */
export interface ActiveSchedule {
  profile: ChargingProfile;
  schedule: Schedule;
  /** Start of the occurrence in force (startSchedule, the recurrence start, or the transaction start), ms. */
  startMs: number;
  period: SchedulePeriod;
  periodIndex: number;
  /** First instant this period stops applying (next period, duration end, recurrence, validTo); Infinity = never. */
  untilMs: number;
}

const recurrenceMs = (p: ChargingProfile): number | null =>
  p.recurrency === 'weekly' ? WEEK_MS : p.recurrency === 'daily' ? DAY_MS : null;

function valid(p: ChargingProfile, atMs: number): boolean {
  return (p.validFromMs === undefined || atMs >= p.validFromMs) && (p.validToMs === undefined || atMs < p.validToMs);
}

/** Index of the last period starting at or before `offsetMs`, or -1. Periods are ordered. */
function periodAt(periods: readonly SchedulePeriod[], offsetMs: number): number {
  let lo = 0;
  let hi = periods.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (periods[mid]!.startPeriodS * 1000 <= offsetMs) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Start of the occurrence that contains `atMs` (or null before the first one) and its end
 * (exclusive), not counting validity.
 */
function occurrence(p: ChargingProfile, s: Schedule, atMs: number, txStartMs: number | undefined): { startMs: number; endMs: number } | null {
  const durationMs = s.durationS === undefined ? Infinity : s.durationS * 1000;
  let anchorMs: number | undefined;
  switch (p.kind) {
    case 'absolute':
    case 'recurring':
      anchorMs = s.startScheduleMs;
      break;
    case 'relative':
      anchorMs = txStartMs;
      break;
  }
  if (anchorMs === undefined || atMs < anchorMs) return null;
  if (p.kind !== 'recurring') return { startMs: anchorMs, endMs: anchorMs + durationMs };
  const everyMs = recurrenceMs(p);
  if (everyMs === null) return null;
  const startMs = anchorMs + Math.floor((atMs - anchorMs) / everyMs) * everyMs;
  return { startMs, endMs: startMs + Math.min(everyMs, durationMs) };
}

/**
 * The schedule in force for `profile` at `atMs`, or null when the profile imposes nothing then
 * (not valid, not started, ended, or between the end of one recurrence and the next).
 * `txStartMs`: when the transaction could first take energy (relative profiles); absent = none yet.
 */
export function activeSchedule(profile: ChargingProfile, atMs: number, txStartMs?: number): ActiveSchedule | null {
  const schedule = profile.schedules[0];
  if (!schedule || schedule.periods.length === 0 || !valid(profile, atMs)) return null;
  const validToMs = profile.validToMs ?? Infinity;
  if (profile.kind === 'relative' && txStartMs === undefined) {
    if (schedule.durationS === 0) return null;
    const first = schedule.periods[0]!;
    if (first.startPeriodS !== 0) return null;
    return { profile, schedule, startMs: atMs, period: first, periodIndex: 0, untilMs: validToMs };
  }
  const occ = occurrence(profile, schedule, atMs, txStartMs);
  if (!occ || atMs >= occ.endMs) return null;
  const index = periodAt(schedule.periods, atMs - occ.startMs);
  if (index < 0) return null;
  const next = schedule.periods[index + 1];
  const nextMs = next === undefined ? Infinity : occ.startMs + next.startPeriodS * 1000;
  return {
    profile,
    schedule,
    startMs: occ.startMs,
    period: schedule.periods[index]!,
    periodIndex: index,
    untilMs: Math.min(nextMs, occ.endMs, validToMs),
  };
}

/**
 * The first instant after `afterMs` at which what `profile` imposes may change: a period
 * boundary, the end of a duration, a recurrence, validFrom or validTo. Infinity when nothing
 * will change. May return an instant at which nothing visibly changes (never misses one).
 */
export function nextProfileChangeMs(profile: ChargingProfile, afterMs: number, txStartMs?: number): number {
  const active = activeSchedule(profile, afterMs, txStartMs);
  if (active) return active.untilMs;
  const schedule = profile.schedules[0];
  if (!schedule || schedule.periods.length === 0) return Infinity;
  if (profile.validToMs !== undefined && afterMs >= profile.validToMs) return Infinity;
  let next = Infinity;
  const consider = (ms: number | undefined) => {
    if (ms !== undefined && ms > afterMs && ms < next) next = ms;
  };
  consider(profile.validFromMs);
  if (profile.kind === 'relative' && txStartMs === undefined) return next;
  const anchorMs = profile.kind === 'relative' ? txStartMs : schedule.startScheduleMs;
  if (anchorMs === undefined) return next;
  consider(anchorMs);
  const everyMs = profile.kind === 'recurring' ? recurrenceMs(profile) : null;
  if (everyMs !== null && afterMs >= anchorMs) {
    consider(anchorMs + (Math.floor((afterMs - anchorMs) / everyMs) + 1) * everyMs);
  }
  if (profile.validToMs !== undefined && next >= profile.validToMs) return Infinity;
  return next;
}
