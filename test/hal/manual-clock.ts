/**
 * A manual HalClock for tests: time moves only when the test says so.
 *
 * Owns: a virtual `now()` (ms since the epoch) and the timers scheduled on it. `advance(ms)`
 * runs every timer that falls due within the step, in due-time order (ties in scheduling
 * order), with `now()` set to each timer's due time while it runs; timers scheduled by a timer
 * run in the same step when they fall due within it. Intervals re-arm at due + period.
 *
 * Must not: use real timers for time (only setImmediate, to let promise callbacks run between
 * due timers in the async `advance`).
 */
import type { HalClock } from '../../hal/types.js';

interface Entry {
  /** Scheduling order: ties in due time run in this order (re-armed intervals get a new one). */
  seq: number;
  dueMs: number;
  periodMs: number | null;
  fn: () => void;
}

/** 2023-11-14T22:13:20Z: a fixed, readable epoch for timestamps in tests. */
export const MANUAL_CLOCK_EPOCH_MS = 1_700_000_000_000;

export class ManualClock implements HalClock {
  private nowMs: number;
  private nextSeq = 1;
  private readonly entries = new Set<Entry>();

  constructor(startMs: number = MANUAL_CLOCK_EPOCH_MS) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    return this.add(fn, Math.max(0, ms), null);
  }

  setInterval(fn: () => void, ms: number): { cancel(): void } {
    const periodMs = Math.max(1, ms);
    return this.add(fn, periodMs, periodMs);
  }

  /** Number of scheduled timers (intervals count once). */
  pending(): number {
    return this.entries.size;
  }

  /** Move time forward by `ms`, running due timers synchronously. */
  advanceSync(ms: number): void {
    const targetMs = this.nowMs + Math.max(0, ms);
    for (let entry = this.nextDue(targetMs); entry; entry = this.nextDue(targetMs)) this.fire(entry);
    this.nowMs = targetMs;
  }

  /**
   * Move time forward by `ms`, running due timers in order; after each timer (and before the
   * first) pending promise callbacks run, so a command awaited on a timer can schedule the
   * next step within the same advance.
   */
  async advance(ms: number): Promise<void> {
    const targetMs = this.nowMs + Math.max(0, ms);
    await flushPromises();
    for (let entry = this.nextDue(targetMs); entry; entry = this.nextDue(targetMs)) {
      this.fire(entry);
      await flushPromises();
    }
    this.nowMs = targetMs;
  }

  private add(fn: () => void, delayMs: number, periodMs: number | null): { cancel(): void } {
    const entry: Entry = { seq: this.nextSeq++, dueMs: this.nowMs + delayMs, periodMs, fn };
    this.entries.add(entry);
    return { cancel: () => void this.entries.delete(entry) };
  }

  private nextDue(targetMs: number): Entry | undefined {
    let best: Entry | undefined;
    for (const entry of this.entries) {
      if (entry.dueMs > targetMs) continue;
      if (!best || entry.dueMs < best.dueMs || (entry.dueMs === best.dueMs && entry.seq < best.seq)) best = entry;
    }
    return best;
  }

  private fire(entry: Entry): void {
    this.nowMs = Math.max(this.nowMs, entry.dueMs);
    if (entry.periodMs === null) {
      this.entries.delete(entry);
    } else {
      entry.dueMs += entry.periodMs;
      entry.seq = this.nextSeq++;
    }
    entry.fn();
  }
}

/** Let every queued promise callback (and anything they queue) run. */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
