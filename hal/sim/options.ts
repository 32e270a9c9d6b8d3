/**
 * Options, defaults and JSON views of the simulated board.
 *
 * Owns: `SimBoardOptions` and their validation (RangeError naming the option), the fault
 * injection vocabulary, the snapshot types the control surface returns, and a helper that
 * fills a `ConnectorInfo` with simulator defaults.
 *
 * Must not: hold state or timers.
 */
import type { ListenerErrorHandler } from '../events.js';
import type { SimEvSnapshot } from './ev.js';
import { MIN_OFFER_A } from '../pwm.js';
import type { ConnectorInfo, FaultCode, HalClock, PilotState } from '../types.js';
import { realHalClock } from '../types.js';

/** Contactor fault injection: welded contacts stay closed, stuck-open contacts never close. */
export const CONTACTOR_INJECTIONS = ['none', 'welded', 'stuckOpen'] as const;
export type ContactorInjection = (typeof CONTACTOR_INJECTIONS)[number];

/** Lock fault injection: a failing lock answers `failed` and stays where it is. */
export const LOCK_INJECTIONS = ['none', 'failing'] as const;
export type LockInjection = (typeof LOCK_INJECTIONS)[number];

/** RCD test fault injection: a failing RCD does not trip when tested (testRcd resolves false). */
export const RCD_TEST_INJECTIONS = ['none', 'failing'] as const;
export type RcdTestInjection = (typeof RCD_TEST_INJECTIONS)[number];

export interface SimBoardOptions {
  /** The connectors, in configuration order; ids must be distinct positive integers. */
  connectors: readonly ConnectorInfo[];
  /** Time source; real time by default, a manual clock in tests. */
  clock?: HalClock;
  /** Simulated seconds per real second for energy, SoC and EV behaviour (default 1). */
  timeScale?: number;
  /** Physics step, real ms (default 200). Meter events come at most once per step. */
  tickMs?: number;
  /** Contactor feedback delay, real ms (default 20). */
  contactorDelayMs?: number;
  /** Lock actuator travel time, real ms (default 50). */
  lockDelayMs?: number;
  /** RCD self-test duration, real ms (default 100). */
  rcdTestDelayMs?: number;
  /** Amplitude of the deterministic voltage ripple under load, V (default 0.3; 0 disables). */
  voltageRippleV?: number;
  /** Initial import register per flat connector id, Wh (default 0), to continue a register. */
  initialEnergyWh?: Readonly<Record<number, number>>;
  /** Receives errors thrown by event listeners (default: a process warning). */
  onListenerError?: ListenerErrorHandler;
}

export interface ResolvedSimOptions {
  connectors: readonly ConnectorInfo[];
  clock: HalClock;
  timeScale: number;
  tickMs: number;
  contactorDelayMs: number;
  lockDelayMs: number;
  rcdTestDelayMs: number;
  voltageRippleV: number;
  initialEnergyWh: Readonly<Record<number, number>>;
  onListenerError: ListenerErrorHandler | undefined;
}

export const SIM_DEFAULTS = {
  timeScale: 1,
  tickMs: 200,
  contactorDelayMs: 20,
  lockDelayMs: 50,
  rcdTestDelayMs: 100,
  voltageRippleV: 0.3,
} as const;

/** A ConnectorInfo with simulator defaults: its own EVSE, Type 2 socket, 32 A, 3 phases, 230 V,
 * with lock and RCD test. */
export function simConnectorInfo(id: number, overrides: Partial<Omit<ConnectorInfo, 'id'>> = {}): ConnectorInfo {
  return {
    id,
    evseId: id,
    connectorId: 1,
    type: 'sType2',
    maxCurrentA: 32,
    phases: 3,
    nominalVoltageV: 230,
    hasLock: true,
    hasRcdTest: true,
    ...overrides,
  };
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new RangeError(`sim option ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`);
  }
  return v;
}

/** Validate options and fill defaults; throws RangeError naming the first bad option. */
export function resolveSimOptions(options: SimBoardOptions): ResolvedSimOptions {
  const ids = new Set<number>();
  for (const info of options.connectors) {
    const where = `sim option connectors[id=${info.id}]`;
    if (!Number.isInteger(info.id) || info.id < 1 || ids.has(info.id)) {
      throw new RangeError(`${where}: id must be a distinct positive integer`);
    }
    ids.add(info.id);
    if (!Number.isFinite(info.maxCurrentA) || info.maxCurrentA < MIN_OFFER_A) {
      throw new RangeError(`${where}: maxCurrentA must be at least ${MIN_OFFER_A} A, got ${info.maxCurrentA}`);
    }
    if (info.phases !== 1 && info.phases !== 3) throw new RangeError(`${where}: phases must be 1 or 3`);
    if (!Number.isFinite(info.nominalVoltageV) || info.nominalVoltageV <= 0) {
      throw new RangeError(`${where}: nominalVoltageV must be positive, got ${info.nominalVoltageV}`);
    }
  }
  const initialEnergyWh = options.initialEnergyWh ?? {};
  for (const [key, value] of Object.entries(initialEnergyWh)) {
    if (!ids.has(Number(key))) throw new RangeError(`sim option initialEnergyWh: no connector ${key}`);
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`sim option initialEnergyWh[${key}] must be a non-negative Wh value, got ${value}`);
    }
  }
  return {
    connectors: options.connectors,
    clock: options.clock ?? realHalClock,
    timeScale: positive('timeScale', options.timeScale, SIM_DEFAULTS.timeScale),
    tickMs: positive('tickMs', options.tickMs, SIM_DEFAULTS.tickMs),
    contactorDelayMs: positive('contactorDelayMs', options.contactorDelayMs, SIM_DEFAULTS.contactorDelayMs, true),
    lockDelayMs: positive('lockDelayMs', options.lockDelayMs, SIM_DEFAULTS.lockDelayMs, true),
    rcdTestDelayMs: positive('rcdTestDelayMs', options.rcdTestDelayMs, SIM_DEFAULTS.rcdTestDelayMs, true),
    voltageRippleV: positive('voltageRippleV', options.voltageRippleV, SIM_DEFAULTS.voltageRippleV, true),
    initialEnergyWh,
    onListenerError: options.onListenerError,
  };
}

/** JSON view of one simulated connector (`SimControls.snapshot`). */
export interface SimConnectorSnapshot {
  connector: number;
  evseId: number;
  connectorId: number;
  pilot: PilotState;
  /** Offer last commanded, A, or null when PWM is off. */
  offerA: number | null;
  /** Duty cycle on the pilot, % (100 = PWM off). */
  dutyPercent: number;
  /** Offer as the EV reads it at the last tick, A (0 = nothing offered). */
  evSeesOfferA: number;
  contactor: { commanded: boolean; closed: boolean; injection: ContactorInjection };
  /** Lock position, or null when the connector has no lock. */
  locked: boolean | null;
  lockInjection: LockInjection;
  rcdTestInjection: RcdTestInjection;
  /** Current drawn per phase, A (length = connector phases). */
  currentA: number[];
  voltageV: number[];
  powerW: number;
  energyWh: number;
  /** EV state of charge, %, or null without EV. */
  socPercent: number | null;
  /** Active faults, board-wide ones included. */
  faults: FaultCode[];
  /** An rcd or emergencyStop fault has cut the supply. */
  supplyTripped: boolean;
  evPresent: boolean;
  evPaused: boolean;
  evFull: boolean;
  ev: SimEvSnapshot | null;
}

/** JSON view of the whole simulated board (`SimControls.snapshotAll`). */
export interface SimBoardSnapshot {
  driver: 'sim';
  timeScale: number;
  started: boolean;
  stopped: boolean;
  boardFaults: FaultCode[];
  connectors: SimConnectorSnapshot[];
}
