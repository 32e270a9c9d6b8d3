/**
 * Periodic reading of one connector's meter (a Modbus meter or the controller's readings).
 *
 * Owns: the poll timer, retries of a failed read, the health of the meter — a read that fails
 * through all its attempts reports the error, the next good read reports recovery — and the
 * last good reading. Reads never overlap: a poll due while a read runs is skipped.
 * Which failures count against the meter is the source's call (`countsAgainstMeter`): a silent
 * RAPI controller is the controller's fault, not the meter's.
 *
 * Must not: emit HAL events (the connector does), throw from a timer.
 */
import { HalError } from '../errors.js';
import type { HalClock, MeterReading } from '../types.js';

/** A reading of nothing (before the first read): zero on every phase. */
export function zeroReading(phases: number, nowMs: number): MeterReading {
  return { energyWh: 0, powerW: 0, currentA: Array(phases).fill(0), voltageV: Array(phases).fill(0), timestampMs: nowMs };
}

/** Whether a measured value differs (timestamps aside). */
export function readingChanged(a: MeterReading, b: MeterReading | null): boolean {
  if (!b) return true;
  if (a.energyWh !== b.energyWh || a.powerW !== b.powerW || a.currentA.length !== b.currentA.length) return true;
  return a.currentA.some((x, i) => x !== b.currentA[i]) || a.voltageV.some((x, i) => x !== b.voltageV[i]);
}

export interface MeterSource {
  describe(): string;
  read(): Promise<MeterReading>;
}

export interface MeterPollerOptions {
  intervalMs: number;
  /** Attempts after the first before a read fails. */
  retries: number;
  clock: HalClock;
  countsAgainstMeter(error: HalError): boolean;
  onReading(reading: MeterReading): void;
  /** `error` null: the meter answers again. */
  onHealth(error: HalError | null): void;
}

export interface MeterPollerCounters {
  reads: number;
  failedAttempts: number;
  failedReads: number;
  lastError: string;
}

export class MeterPoller {
  private timer: { cancel(): void } | null = null;
  private running: Promise<MeterReading> | null = null;
  private healthy: boolean | null = null;
  private stopped = false;
  private readonly stats: MeterPollerCounters = { reads: 0, failedAttempts: 0, failedReads: 0, lastError: '' };

  constructor(
    readonly source: MeterSource,
    private readonly options: MeterPollerOptions,
  ) {}

  /** Whether the last read that counted succeeded (null before the first). */
  health(): boolean | null {
    return this.healthy;
  }

  counters(): MeterPollerCounters {
    return { ...this.stats };
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = this.options.clock.setInterval(() => {
      if (this.running) return;
      this.read().catch((error: unknown) => this.noteFailure(error));
    }, this.options.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  /** Read now (joins a read already running). Rejects with the last attempt's HalError. */
  read(): Promise<MeterReading> {
    if (this.stopped) return Promise.reject(new HalError('stopped', this.source.describe()));
    if (!this.running) {
      this.running = this.attempt(this.options.retries).finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async attempt(retriesLeft: number): Promise<MeterReading> {
    try {
      const reading = await this.source.read();
      this.stats.reads++;
      if (this.stopped) return reading;
      if (this.healthy !== true) {
        this.healthy = true;
        this.options.onHealth(null);
      }
      this.options.onReading(reading);
      return reading;
    } catch (error) {
      const halError =
        error instanceof HalError ? error : new HalError('badReply', `${this.source.describe()}: ${String(error)}`, { cause: error });
      this.stats.failedAttempts++;
      this.stats.lastError = halError.message;
      const retry = retriesLeft > 0 && !this.stopped && halError.code !== 'portUnavailable' && halError.code !== 'stopped';
      if (retry) return this.attempt(retriesLeft - 1);
      this.stats.failedReads++;
      if (!this.stopped && this.options.countsAgainstMeter(halError) && this.healthy !== false) {
        this.healthy = false;
        this.options.onHealth(halError);
      }
      throw halError;
    }
  }

  /** Poll failures are reported through onHealth (or the controller's link); counted here. */
  private noteFailure(error: unknown): void {
    this.stats.lastError = error instanceof Error ? error.message : String(error);
  }
}
