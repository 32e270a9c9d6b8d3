/**
 * Simulated energy meter of one connector.
 *
 * Owns: the import register (Wh) and the instantaneous per-phase current (A) and voltage (V).
 * Integration is exact for piecewise-constant values: the register adds Σ V·I × simulated time
 * for the interval since the previous integration, using the values that held during it; the
 * connector integrates before every change of current or voltage and at every tick.
 *
 * Must not: decide what current flows (the connector does), emit events, read a clock.
 */
import type { MeterReading } from '../types.js';

const MS_PER_HOUR = 3_600_000;

/** Period of the voltage ripple, in ticks. */
const RIPPLE_PERIOD_TICKS = 7;

/**
 * Deterministic voltage ripple (V) of phase `phaseIndex` (0-based) at tick `tickIndex`: a sine
 * of amplitude `amplitudeV` with the three phases 120° apart, so it sums to zero over three
 * balanced phases and averages out over a period on one phase.
 */
export function rippleV(amplitudeV: number, tickIndex: number, phaseIndex: number): number {
  if (amplitudeV === 0) return 0;
  const angle = (2 * Math.PI * tickIndex) / RIPPLE_PERIOD_TICKS + (2 * Math.PI * phaseIndex) / 3;
  return amplitudeV * Math.sin(angle);
}

export class SimMeter {
  private energy: number;
  private current: number[];
  private voltage: number[];
  private lastIntegratedMs: number;

  constructor(phases: number, nominalVoltageV: number, initialEnergyWh: number, nowMs: number) {
    this.energy = initialEnergyWh;
    this.current = new Array<number>(phases).fill(0);
    this.voltage = new Array<number>(phases).fill(nominalVoltageV);
    this.lastIntegratedMs = nowMs;
  }

  get energyWh(): number {
    return this.energy;
  }

  /** Total active power, W: Σ V·I over the phases. */
  powerW(): number {
    let sum = 0;
    for (let i = 0; i < this.current.length; i++) sum += (this.voltage[i] ?? 0) * (this.current[i] ?? 0);
    return sum;
  }

  /**
   * Add the energy of the interval since the last call: powerW × (real ms × timeScale).
   * Returns the energy added, Wh (0 when the clock did not move or went backwards).
   */
  integrate(nowMs: number, timeScale: number): number {
    const elapsedMs = nowMs - this.lastIntegratedMs;
    this.lastIntegratedMs = Math.max(this.lastIntegratedMs, nowMs);
    if (elapsedMs <= 0) return 0;
    const addedWh = (this.powerW() * elapsedMs * timeScale) / MS_PER_HOUR;
    this.energy += addedWh;
    return addedWh;
  }

  /** Set the values that hold from now on (call integrate() first). */
  set(currentA: readonly number[], voltageV: readonly number[]): void {
    this.current = [...currentA];
    this.voltage = [...voltageV];
  }

  currentA(): number[] {
    return [...this.current];
  }

  voltageV(): number[] {
    return [...this.voltage];
  }

  reading(nowMs: number, socPercent: number | undefined): MeterReading {
    const reading: MeterReading = {
      energyWh: this.energy,
      powerW: this.powerW(),
      currentA: this.currentA(),
      voltageV: this.voltageV(),
      timestampMs: nowMs,
    };
    if (socPercent !== undefined) reading.socPercent = socPercent;
    return reading;
  }
}

/** Whether two readings differ in any measured value (the timestamp is ignored). */
export function readingChanged(a: MeterReading, b: MeterReading): boolean {
  return (
    a.energyWh !== b.energyWh ||
    a.powerW !== b.powerW ||
    a.socPercent !== b.socPercent ||
    !sameNumbers(a.currentA, b.currentA) ||
    !sameNumbers(a.voltageV, b.voltageV)
  );
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
