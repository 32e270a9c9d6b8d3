/**
 * Timers of one simulated connector.
 *
 * Owns: the delayed hardware reactions (contact travel, lock travel, RCD test) scheduled on the
 * board clock, so that shutdown can cancel every one of them and reject the commands waiting
 * on them with HalError 'stopped'.
 *
 * Must not: run anything after cancelAll().
 */
import { HalError } from '../errors.js';
import type { HalClock } from '../types.js';

export interface PendingTimer {
  cancel(): void;
  /** Rejects the command waiting on this timer (a no-op for timers nobody waits on). */
  reject(error: HalError): void;
}

export class TimerSet {
  private readonly pending = new Set<PendingTimer>();

  constructor(private readonly clock: HalClock) {}

  /** Run `fn` after `delayMs` real ms unless cancelled first. */
  after(delayMs: number, fn: () => void, reject: (error: HalError) => void = () => undefined): PendingTimer {
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(entry);
      fn();
    }, delayMs);
    const entry: PendingTimer = {
      reject,
      cancel: () => {
        timer.cancel();
        this.pending.delete(entry);
      },
    };
    this.pending.add(entry);
    return entry;
  }

  /** A promise settled by `onDue` after `delayMs` real ms; cancelAll() rejects it. */
  schedule<T>(
    delayMs: number,
    onDue: (resolve: (value: T) => void, reject: (error: HalError) => void) => void,
  ): [Promise<T>, PendingTimer] {
    let entry: PendingTimer | undefined;
    const promise = new Promise<T>((resolve, reject) => {
      entry = this.after(delayMs, () => onDue(resolve, reject), reject);
    });
    if (!entry) throw new Error('unreachable: a Promise executor runs synchronously');
    return [promise, entry];
  }

  /** Cancel every pending timer and reject what waits on it with `error`. */
  cancelAll(error: HalError): void {
    for (const entry of [...this.pending]) {
      entry.cancel();
      entry.reject(error);
    }
  }
}
