/**
 * Waiting for a RAPI controller to report its relay in a position.
 *
 * Owns: the waiters of one connector — each resolves true as soon as a report shows the relay
 * (ECVF_CHARGING_ON) in the wanted position, false when the deadline passes or the connector
 * stops; half-way through it asks for the state once (`$GS`), in case the controller's own
 * `$AT` was lost on the line.
 *
 * Must not: raise faults or decide anything (the connector does).
 */
import type { HalClock } from '../types.js';

interface Waiter {
  want: boolean;
  settle(reached: boolean): void;
}

export class RelayWatch {
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly clock: HalClock,
    private readonly deadlineMs: number,
    /** Ask the controller for its state now (errors are the caller's to record). */
    private readonly askState: () => void,
  ) {}

  /** Resolves true once `relay()` is `want` (at once when it already is). */
  wait(want: boolean, relay: boolean | null): Promise<boolean> {
    if (relay === want) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timers: { cancel(): void }[] = [];
      const waiter: Waiter = {
        want,
        settle: (reached) => {
          this.waiters.delete(waiter);
          for (const t of timers) t.cancel();
          resolve(reached);
        },
      };
      this.waiters.add(waiter);
      timers.push(
        this.clock.setTimeout(this.askState, this.deadlineMs / 2),
        this.clock.setTimeout(() => waiter.settle(false), this.deadlineMs),
      );
    });
  }

  /** A report showed the relay at `relay`. */
  reported(relay: boolean | null): void {
    for (const w of [...this.waiters]) if (w.want === relay) w.settle(true);
  }

  /** Give up every wait (the connector stops). */
  cancelAll(): void {
    for (const w of [...this.waiters]) w.settle(false);
  }
}
