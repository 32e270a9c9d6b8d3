/**
 * Clock alignment for meter data: where the "truly aligned to the clock" instants of
 * ClockAlignedDataInterval (1.6 §9.1.5, errata 3.14.2) / AlignedDataCtrlr.Interval (2.0.1) fall,
 * and the timer port the metering tickers run on.
 *
 * The interval defines "evenly spaced aggregation intervals per day, starting at 00:00:00
 * (midnight)": instants are whole multiples of the interval counted from local midnight. An
 * interval that does not divide 86 400 s restarts at every midnight (7 h: 00:00, 07:00, 14:00,
 * 21:00, then 00:00 of the next day), so the last slot of a day is shorter.
 *
 * Local midnight is UTC midnight shifted by a fixed `utcOffsetMinutes` (default 0: UTC, which is
 * what OCPP timestamps use). The offset is taken as constant for each computation; a caller that
 * follows daylight saving time passes the offset in force at `nowMs`.
 *
 * Must not: read the system clock or schedule anything (pure functions; the tickers in
 * metering-tickers.ts schedule).
 */
import { MeteringError } from './metering-errors.js';

export const DAY_MS = 86_400_000;

/** Longest delay Node's setTimeout honours (2^31 − 1 ms, about 24.8 days); longer waits are
 * split into wake-ups of at most this length. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** The timer functions the tickers need; injected so tests run on fake time. A handle is
 * whatever `setTimeout` returns and is only ever passed back to `clearTimeout`. */
export interface TimerFns {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The runtime's own timers. They are unref'd: a pending meter tick alone never keeps the process
 * alive (the daemon is kept alive by its sockets; a test that forgets `stop()` still exits).
 */
export const realTimers: TimerFns = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

function checkTime(nowMs: number): void {
  if (!Number.isFinite(nowMs)) throw new MeteringError('invalidTime', String(nowMs));
}

function checkOffset(utcOffsetMinutes: number): void {
  if (!Number.isFinite(utcOffsetMinutes) || Math.abs(utcOffsetMinutes) >= 24 * 60) {
    throw new MeteringError('invalidUtcOffset', String(utcOffsetMinutes));
  }
}

/** Validates an interval in seconds; true when it is enabled (> 0). NaN and ±Infinity throw
 * `invalidInterval`. */
export function intervalEnabled(intervalS: number): boolean {
  if (!Number.isFinite(intervalS)) throw new MeteringError('invalidInterval', String(intervalS));
  return intervalS > 0;
}

/** Where `nowMs` falls in its local day: the day's start (as epoch ms) and the ms since it. */
function localDay(nowMs: number, utcOffsetMinutes: number): { dayStartMs: number; sinceMidnightMs: number } {
  const offsetMs = utcOffsetMinutes * 60_000;
  const localMs = nowMs + offsetMs;
  const localDayStartMs = Math.floor(localMs / DAY_MS) * DAY_MS;
  return { dayStartMs: localDayStartMs - offsetMs, sinceMidnightMs: localMs - localDayStartMs };
}

/**
 * The next aligned instant strictly after `nowMs` (ms since the epoch), for an interval of
 * `intervalS` seconds counted from local midnight. `intervalS` ≤ 0 (disabled) → Infinity.
 * Intervals of a day or longer align to midnight only. Throws MeteringError (`invalidTime`,
 * `invalidInterval`, `invalidUtcOffset`) for non-finite input or an offset of 24 h or more.
 */
export function nextAlignedMs(nowMs: number, intervalS: number, utcOffsetMinutes = 0): number {
  checkTime(nowMs);
  checkOffset(utcOffsetMinutes);
  if (!intervalEnabled(intervalS)) return Number.POSITIVE_INFINITY;
  const intervalMs = intervalS * 1000;
  const { dayStartMs, sinceMidnightMs } = localDay(nowMs, utcOffsetMinutes);
  const nextInDayMs = (Math.floor(sinceMidnightMs / intervalMs) + 1) * intervalMs;
  return dayStartMs + Math.min(nextInDayMs, DAY_MS);
}

/**
 * Start of the aligned slot containing `nowMs`: the latest aligned instant at or before it
 * (`nowMs` itself when it is exactly on a boundary). `intervalS` ≤ 0 (disabled) → -Infinity
 * (there is no slot). Same errors as nextAlignedMs.
 */
export function alignedSlotStartMs(nowMs: number, intervalS: number, utcOffsetMinutes = 0): number {
  checkTime(nowMs);
  checkOffset(utcOffsetMinutes);
  if (!intervalEnabled(intervalS)) return Number.NEGATIVE_INFINITY;
  const intervalMs = intervalS * 1000;
  const { dayStartMs, sinceMidnightMs } = localDay(nowMs, utcOffsetMinutes);
  return dayStartMs + Math.floor(sinceMidnightMs / intervalMs) * intervalMs;
}
