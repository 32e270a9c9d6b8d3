/**
 * Commands waiting for the controller's answer, each with a deadline on the board clock.
 *
 * Owns: the promise, the deadline timer and a key (sequence number or target) of every waiting
 * command, in the order they were issued, so the connector can settle them by key, settle a
 * command together with the older ones it supersedes, and reject everything at stop.
 *
 * Must not: send anything or know message meanings.
 */
import type { HalError } from '../errors.js';
import type { HalClock } from '../types.js';

interface Entry<T, D> {
  key: number;
  data: D;
  resolve(value: T): void;
  reject(error: HalError): void;
  timer: { cancel(): void };
}

export class PendingSet<T, D = undefined> {
  private readonly entries = new Set<Entry<T, D>>();

  constructor(private readonly clock: HalClock) {}

  /** Wait for an answer keyed `key`; after `timeoutMs` reject with what `onTimeout` returns. */
  add(key: number, data: D, timeoutMs: number, onTimeout: () => HalError): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Entry<T, D> = {
        key,
        data,
        resolve,
        reject,
        timer: this.clock.setTimeout(() => {
          this.entries.delete(entry);
          reject(onTimeout());
        }, timeoutMs),
      };
      this.entries.add(entry);
    });
  }

  /** The data of the waiting entry keyed `key`, if any. */
  find(key: number): D | undefined {
    for (const entry of this.entries) if (entry.key === key) return entry.data;
    return undefined;
  }

  /** Settle the entry keyed `key` and every older one (superseded by it) with `outcome`. */
  settleUpTo(key: number, outcome: { value: T } | { error: HalError }): boolean {
    if (![...this.entries].some((e) => e.key === key)) return false;
    for (const entry of [...this.entries]) {
      this.settle(entry, outcome);
      if (entry.key === key) break;
    }
    return true;
  }

  /** Settle every entry whose key matches. */
  settleWhere(match: (key: number) => boolean, outcome: { value: T } | { error: HalError }): void {
    for (const entry of [...this.entries]) if (match(entry.key)) this.settle(entry, outcome);
  }

  rejectAll(error: HalError): void {
    this.settleWhere(() => true, { error });
  }

  size(): number {
    return this.entries.size;
  }

  private settle(entry: Entry<T, D>, outcome: { value: T } | { error: HalError }): void {
    entry.timer.cancel();
    this.entries.delete(entry);
    if ('error' in outcome) entry.reject(outcome.error);
    else entry.resolve(outcome.value);
  }
}
