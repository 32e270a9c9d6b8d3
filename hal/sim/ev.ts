/**
 * Simulated electric vehicle on one connector.
 *
 * Owns: the EV's battery (capacity, stored energy, target), its own wishes (paused by the
 * driver, full), how it reads the PWM duty cycle, and which current per phase it wants to draw.
 * Pure: no timers, no events, no clock. The connector asks it what it wants at each physics
 * tick and feeds it the energy that actually flowed.
 *
 * Must not: know the contactor, faults or the meter; whether current flows is the connector's
 * decision (contactor closed, pilot C, supply not tripped).
 */
import { MIN_OFFER_A, currentForDutyCycle } from '../pwm.js';

/** What a simulated EV is like when plugged in. */
export interface SimEvParams {
  /** The EV's on-board charger maximum, A per phase. */
  maxCurrentA: number;
  /** Phases the on-board charger uses (it draws on L1 only when 1). */
  phases: 1 | 3;
  /** Usable battery capacity, Wh. */
  batteryWh: number;
  /** State of charge at plug-in, %. */
  socPercent: number;
  /** The EV stops (goes to B, "full") when its state of charge reaches this, %. */
  targetSocPercent: number;
}

export const DEFAULT_EV: Readonly<SimEvParams> = {
  maxCurrentA: 32,
  phases: 3,
  batteryWh: 60_000,
  socPercent: 40,
  targetSocPercent: 100,
};

/** Above this state of charge the EV reduces its current linearly towards TAPER_MIN_FACTOR. */
export const TAPER_START_SOC_PERCENT = 90;
/** Fraction of its maximum the EV still draws just below 100 %. */
export const TAPER_MIN_FACTOR = 0.1;
/** Resolution with which the EV reads the offered current from the duty cycle, A. */
export const DUTY_RESOLUTION_A = 0.1;
/** The EV counts as full when less than this fraction of its capacity is missing to the target. */
const FULL_EPSILON = 1e-6;

/**
 * Current (A) the EV reads from a duty cycle (%): IEC 61851-1 table A.8 via currentForDutyCycle,
 * rounded to DUTY_RESOLUTION_A like a real EV's duty measurement (so an offer of 16 A, sent as
 * 26.7 %, reads as 16.0 A rather than 16.02 A). 0 when the duty offers nothing.
 */
export function perceivedOfferA(dutyPercent: number): number {
  const currentA = currentForDutyCycle(dutyPercent);
  return Math.round(currentA / DUTY_RESOLUTION_A) / Math.round(1 / DUTY_RESOLUTION_A);
}

/** Check and complete EV parameters; throws RangeError naming the bad field. */
export function resolveEvParams(partial: Partial<SimEvParams> = {}): SimEvParams {
  const params: SimEvParams = { ...DEFAULT_EV, ...stripUndefined(partial) };
  if (!Number.isFinite(params.maxCurrentA) || params.maxCurrentA <= 0) {
    throw new RangeError(`ev.maxCurrentA must be a positive number of amps, got ${params.maxCurrentA}`);
  }
  if (params.phases !== 1 && params.phases !== 3) {
    throw new RangeError(`ev.phases must be 1 or 3, got ${String(params.phases)}`);
  }
  if (!Number.isFinite(params.batteryWh) || params.batteryWh <= 0) {
    throw new RangeError(`ev.batteryWh must be a positive number of Wh, got ${params.batteryWh}`);
  }
  for (const key of ['socPercent', 'targetSocPercent'] as const) {
    const value = params[key];
    if (!Number.isFinite(value) || value < 0 || value > 100) {
      throw new RangeError(`ev.${key} must be within 0..100, got ${value}`);
    }
  }
  return params;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** JSON view of an EV. */
export interface SimEvSnapshot extends SimEvParams {
  paused: boolean;
  full: boolean;
  /** Energy stored in the battery now, Wh. */
  storedWh: number;
}

export class SimEv {
  readonly maxCurrentA: number;
  readonly phases: 1 | 3;
  readonly capacityWh: number;
  readonly targetSocPercent: number;
  private storedWh: number;
  private pausedFlag = false;
  private fullFlag = false;

  constructor(params: Partial<SimEvParams> = {}) {
    const p = resolveEvParams(params);
    this.maxCurrentA = p.maxCurrentA;
    this.phases = p.phases;
    this.capacityWh = p.batteryWh;
    this.targetSocPercent = p.targetSocPercent;
    this.storedWh = (p.batteryWh * p.socPercent) / 100;
    this.checkFull();
  }

  get socPercent(): number {
    return (this.storedWh / this.capacityWh) * 100;
  }
  get paused(): boolean {
    return this.pausedFlag;
  }
  get full(): boolean {
    return this.fullFlag;
  }

  /** Energy still missing to the target, Wh (0 when at or above it). */
  neededWh(): number {
    return Math.max(0, (this.capacityWh * this.targetSocPercent) / 100 - this.storedWh);
  }

  /** The EV asks for energy (pilot C) when offered ≥ 6 A and it is neither paused nor full. */
  wantsEnergy(offeredA: number): boolean {
    return !this.pausedFlag && !this.fullFlag && offeredA >= MIN_OFFER_A;
  }

  /**
   * Current per phase (A) the EV draws if allowed: min(offer, its maximum, the taper above
   * TAPER_START_SOC_PERCENT, the current that reaches the target within `horizonH` hours at
   * `voltageV` per phase on `phasesUsed` phases). 0 when it does not want energy.
   */
  currentA(offeredA: number, voltageV: number, horizonH: number, phasesUsed: number = this.phases): number {
    if (!this.wantsEnergy(offeredA)) return 0;
    let limitA = Math.min(offeredA, this.maxCurrentA);
    const soc = this.socPercent;
    if (soc > TAPER_START_SOC_PERCENT) {
      const factor = Math.max(TAPER_MIN_FACTOR, (100 - soc) / (100 - TAPER_START_SOC_PERCENT));
      limitA = Math.min(limitA, this.maxCurrentA * factor);
    }
    if (horizonH > 0 && voltageV > 0) {
      limitA = Math.min(limitA, this.neededWh() / (horizonH * voltageV * phasesUsed));
    }
    return Math.max(0, limitA);
  }

  /** Store energy that flowed into the EV, Wh (the battery never exceeds its capacity). */
  absorb(energyWh: number): void {
    if (energyWh > 0) this.storedWh = Math.min(this.capacityWh, this.storedWh + energyWh);
  }

  /** Mark the EV full when the target is reached; full is final until unplugged. */
  checkFull(): boolean {
    if (!this.fullFlag && this.neededWh() <= this.capacityWh * FULL_EPSILON) this.fullFlag = true;
    return this.fullFlag;
  }

  pause(): void {
    this.pausedFlag = true;
  }
  resume(): void {
    this.pausedFlag = false;
  }
  /** The battery reports full now: charged up to the target (if below) and final. */
  fill(): void {
    this.storedWh = Math.max(this.storedWh, (this.capacityWh * this.targetSocPercent) / 100);
    this.fullFlag = true;
  }

  snapshot(): SimEvSnapshot {
    return {
      maxCurrentA: this.maxCurrentA,
      phases: this.phases,
      batteryWh: this.capacityWh,
      socPercent: this.socPercent,
      targetSocPercent: this.targetSocPercent,
      paused: this.pausedFlag,
      full: this.fullFlag,
      storedWh: this.storedWh,
    };
  }
}
