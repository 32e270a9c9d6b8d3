/**
 * The two meter-data schedules: clock-aligned ticks (ClockAlignedDataInterval /
 * AlignedDataCtrlr.Interval) and periodic ticks from the start of a transaction
 * (MeterValueSampleInterval / SampledDataCtrlr.TxUpdatedInterval).
 *
 * Owns: when `onTick` is called. Both tickers have the same shape: options with the initial
 * `intervalS` and `onTick`, `start()`, `setInterval(intervalS)` (takes effect at once; 0 or less
 * stops ticking until a positive interval is set), `stop()`. Timers are injected (`TimerFns`,
 * default the runtime's unref'd timers) so tests run on fake time.
 *
 * Must not: sample the meter, build messages or persist anything (the callback does), or catch
 * what `onTick` throws: the next tick is scheduled before `onTick` runs, so a throwing callback
 * neither stops the ticker nor is hidden.
 */
import type { Clock } from './clock.js';
import {
  alignedSlotStartMs,
  DAY_MS,
  intervalEnabled,
  MAX_TIMER_DELAY_MS,
  nextAlignedMs,
  realTimers,
} from './metering-clock.js';
import type { TimerFns } from './metering-clock.js';

/** A timer that fires at most this much before its instant counts as on time (runtimes round
 * timer due times to whole ms, and the station clock and the timers may disagree by a tick). */
export const EARLY_TOLERANCE_MS = 10;

/** After a backward clock correction the aligned ticker waits for the first slot after the last
 * one it fired, so no slot fires twice. When the last fired slot lies more than this far ahead of
 * the corrected clock, the clock was wrong rather than drifting, and waiting would silence aligned
 * data for that long: the ticker forgets the last slot and resumes on the corrected clock. */
export const MAX_BACKWARD_HOLD_MS = DAY_MS;

function clampDelay(ms: number): number {
  return Math.min(Math.max(0, ms), MAX_TIMER_DELAY_MS);
}

export interface AlignedTickerOptions {
  /** Station clock; only `now()` is used (CSMS-synchronised wall time, may jump). */
  clock: Pick<Clock, 'now'>;
  /** Called once per aligned instant with the slot instant (ms since the epoch). */
  onTick: (slotMs: number) => void;
  /** Initial interval, s; 0 (default) or less = disabled. */
  intervalS?: number;
  /** Local midnight offset from UTC, minutes (default 0). */
  utcOffsetMinutes?: number;
  timers?: TimerFns;
}

/**
 * Calls `onTick(slotMs)` at every aligned instant of the interval (see metering-clock.ts).
 *
 * Each wake-up recomputes the next instant from `clock.now()`, so timer lateness never
 * accumulates. Slots fire in strictly increasing order, each at most once:
 * - the clock jumped forward past the awaited instant (noticed by `resync()` or by the timer):
 *   one tick for the slot containing the new time, never a burst for the slots jumped over;
 * - the clock jumped backwards: the timer waking "early" is re-armed; a slot at or before the
 *   last fired one is skipped (see MAX_BACKWARD_HOLD_MS for very large corrections).
 */
export class AlignedTicker {
  private readonly clock: Pick<Clock, 'now'>;
  private readonly onTick: (slotMs: number) => void;
  private readonly timers: TimerFns;
  private readonly utcOffsetMinutes: number;
  private currentIntervalS: number;
  private started = false;
  private handle: { value: unknown } | null = null;
  private targetMs: number | null = null;
  private lastSlotMs: number | null = null;

  constructor(options: AlignedTickerOptions) {
    this.clock = options.clock;
    this.onTick = options.onTick;
    this.timers = options.timers ?? realTimers;
    this.utcOffsetMinutes = options.utcOffsetMinutes ?? 0;
    const intervalS = options.intervalS ?? 0;
    intervalEnabled(intervalS);
    // Validates the offset now rather than at the first tick.
    nextAlignedMs(0, 0, this.utcOffsetMinutes);
    this.currentIntervalS = intervalS;
  }

  get intervalS(): number {
    return this.currentIntervalS;
  }

  /** The aligned instant the ticker waits for, or null when idle. */
  nextTickMs(): number | null {
    return this.targetMs;
  }

  /** Start ticking (no tick now: the first one is at the next aligned instant). */
  start(): void {
    this.started = true;
    this.schedule();
  }

  /** New interval, effective at once: the next tick is the next instant of the new interval.
   * 0 or less stops ticking (the ticker stays started). Throws MeteringError `invalidInterval`
   * for NaN/±Infinity, changing nothing. */
  setInterval(intervalS: number): void {
    intervalEnabled(intervalS);
    this.currentIntervalS = intervalS;
    if (this.started) this.schedule();
  }

  /** The clock was synchronised: when the awaited instant has passed, tick once for the current
   * slot; in any case re-arm for the next instant of the corrected clock. */
  resync(): void {
    if (!this.started || this.targetMs === null) return;
    const nowMs = this.clock.now();
    if (nowMs >= this.targetMs) this.due(nowMs);
    else this.schedule();
  }

  stop(): void {
    this.started = false;
    this.cancel();
    this.targetMs = null;
  }

  private cancel(): void {
    if (this.handle) this.timers.clearTimeout(this.handle.value);
    this.handle = null;
  }

  private schedule(): void {
    this.cancel();
    this.targetMs = null;
    if (!this.started || this.currentIntervalS <= 0) return;
    const nowMs = this.clock.now();
    if (this.lastSlotMs !== null && this.lastSlotMs - nowMs > MAX_BACKWARD_HOLD_MS) this.lastSlotMs = null;
    const fromMs = this.lastSlotMs !== null && this.lastSlotMs > nowMs ? this.lastSlotMs : nowMs;
    const targetMs = nextAlignedMs(fromMs, this.currentIntervalS, this.utcOffsetMinutes);
    this.targetMs = targetMs;
    this.handle = { value: this.timers.setTimeout(() => this.wake(), clampDelay(targetMs - nowMs)) };
  }

  private wake(): void {
    this.handle = null;
    const targetMs = this.targetMs;
    if (targetMs === null) return;
    const nowMs = this.clock.now();
    // Early: a delay longer than the timer limit, or the clock went back since arming.
    if (nowMs < targetMs - EARLY_TOLERANCE_MS) this.schedule();
    else this.due(Math.max(nowMs, targetMs));
  }

  /** The awaited instant has come (`atMs` ≥ it): tick for the slot containing `atMs` unless that
   * slot already fired, then re-arm. */
  private due(atMs: number): void {
    const slotMs = alignedSlotStartMs(atMs, this.currentIntervalS, this.utcOffsetMinutes);
    const fresh = this.lastSlotMs === null || slotMs > this.lastSlotMs;
    if (fresh) this.lastSlotMs = slotMs;
    this.schedule();
    if (fresh) this.onTick(slotMs);
  }
}

export interface PeriodicTickerOptions {
  /** Called at the end of every period with the number of whole periods since the start (1, 2 …;
   * a period the process slept through entirely is skipped, so the number can jump). */
  onTick: (periodIndex: number) => void;
  /** Initial interval, s; 0 (default) or less = no ticks. */
  intervalS?: number;
  timers?: TimerFns;
  /** Monotonic time, ms (default `performance.now()`); the station clock is not used, so clock
   * synchronisation never shifts the period. */
  monotonicNowMs?: () => number;
}

/**
 * Calls `onTick` every `intervalS` after `start()` (or after the last `setInterval()`, which
 * restarts the period). Instants are computed from the start (start + n × interval) on a
 * monotonic clock, so timer lateness never accumulates and no burst follows a stall.
 */
export class PeriodicTicker {
  private readonly onTick: (periodIndex: number) => void;
  private readonly timers: TimerFns;
  private readonly monotonicNowMs: () => number;
  private currentIntervalS: number;
  private started = false;
  private handle: { value: unknown } | null = null;
  private originMs = 0;
  private periodIndex = 0;
  private dueMs: number | null = null;

  constructor(options: PeriodicTickerOptions) {
    this.onTick = options.onTick;
    this.timers = options.timers ?? realTimers;
    this.monotonicNowMs = options.monotonicNowMs ?? (() => performance.now());
    const intervalS = options.intervalS ?? 0;
    intervalEnabled(intervalS);
    this.currentIntervalS = intervalS;
  }

  get intervalS(): number {
    return this.currentIntervalS;
  }

  /** Monotonic instant of the next tick, or null when idle. */
  nextTickMs(): number | null {
    return this.dueMs;
  }

  /** Start (or restart) the period from now; the first tick is one interval later. */
  start(): void {
    this.started = true;
    this.restart();
  }

  /** New interval; when started, the period restarts from now. 0 or less stops ticking (the
   * ticker stays started). Throws MeteringError `invalidInterval` for NaN/±Infinity. */
  setInterval(intervalS: number): void {
    intervalEnabled(intervalS);
    this.currentIntervalS = intervalS;
    if (this.started) this.restart();
  }

  stop(): void {
    this.started = false;
    this.cancel();
    this.dueMs = null;
  }

  private cancel(): void {
    if (this.handle) this.timers.clearTimeout(this.handle.value);
    this.handle = null;
  }

  private restart(): void {
    this.cancel();
    this.dueMs = null;
    if (!this.started || this.currentIntervalS <= 0) return;
    this.originMs = this.monotonicNowMs();
    this.periodIndex = 0;
    this.arm(this.originMs, 1);
  }

  private arm(nowMs: number, periodIndex: number): void {
    const dueMs = this.originMs + periodIndex * this.currentIntervalS * 1000;
    this.dueMs = dueMs;
    this.handle = { value: this.timers.setTimeout(() => this.wake(), clampDelay(dueMs - nowMs)) };
  }

  private wake(): void {
    this.handle = null;
    const dueMs = this.dueMs;
    if (dueMs === null) return;
    const nowMs = this.monotonicNowMs();
    const intervalMs = this.currentIntervalS * 1000;
    if (nowMs < dueMs - EARLY_TOLERANCE_MS) {
      this.arm(nowMs, this.periodIndex + 1);
      return;
    }
    // Whole periods elapsed, corrected for floating-point error at the boundary.
    const atMs = Math.max(nowMs, dueMs);
    let elapsed = Math.floor((atMs - this.originMs) / intervalMs);
    if (this.originMs + (elapsed + 1) * intervalMs <= atMs) elapsed += 1;
    this.periodIndex = Math.max(this.periodIndex + 1, elapsed);
    this.arm(nowMs, this.periodIndex + 1);
    this.onTick(this.periodIndex);
  }
}
