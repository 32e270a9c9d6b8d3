/**
 * OCPP-J transport: reconnect back-off (R-O14, 201-J §5.3; used for 1.6 too, R-O7).
 *
 * Owns: the sequence of waits between connection attempts. Configuration is in seconds (as the
 * RetryBackOff* variables are), results in milliseconds. Must not: own timers or sockets.
 *
 * Semantics, read literally from 201-J §5.3:
 *   wait[0] = waitMinimum + random() × randomRange
 *   wait[k] = 2 × wait[k-1] + random() × randomRange      for 1 ≤ k ≤ repeatTimes
 *   wait[k] = wait[repeatTimes]                           for k > repeatTimes ("keep the last")
 * So every wait is at least twice the previous one until the cap (what OCTT TC_B_57_CS checks),
 * each doubling adds a fresh random part, and `reset()` after a successful connection starts over.
 */

export interface BackoffConfig {
  /** RetryBackOffWaitMinimum, seconds, ≥ 0. */
  waitMinimumS: number;
  /** RetryBackOffRandomRange, seconds, ≥ 0. */
  randomRangeS: number;
  /** RetryBackOffRepeatTimes: number of doublings, integer ≥ 0. */
  repeatTimes: number;
}

export class Backoff {
  private config: BackoffConfig;
  private readonly random: () => number;
  /** Waits handed out since the last reset. */
  private attempts = 0;
  private lastMs = 0;

  /** `random` returns a number in [0, 1), like Math.random. */
  constructor(config: BackoffConfig, random: () => number = Math.random) {
    this.config = { ...config };
    this.random = random;
  }

  /** The wait before the next connection attempt, in ms; advances the sequence. */
  next(): number {
    const { waitMinimumS, randomRangeS, repeatTimes } = this.config;
    const randomMs = this.random() * randomRangeS * 1000;
    if (this.attempts === 0) {
      this.lastMs = waitMinimumS * 1000 + randomMs;
    } else if (this.attempts <= repeatTimes) {
      this.lastMs = 2 * this.lastMs + randomMs;
    }
    this.attempts += 1;
    return Math.round(this.lastMs);
  }

  /** Start over from the minimum (after a successful connection). */
  reset(): void {
    this.attempts = 0;
    this.lastMs = 0;
  }

  /**
   * New configuration for the waits handed out from now on; a running doubling chain continues
   * from its last wait, and a new minimum applies after the next reset.
   */
  update(config: BackoffConfig): void {
    this.config = { ...config };
  }
}
