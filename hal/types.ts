/**
 * The hardware contract of evsed.
 *
 * Owns: the vocabulary and the interfaces every board driver (sim, serial, CAN) implements —
 * control pilot, PWM offer, contactor with feedback, energy meter, connector lock, RFID reader
 * and fault inputs. Uses physical words only (amps, watts, pilot states), never OCPP terms.
 *
 * Must not: import anything from statecharts/ or src/, decide anything about sessions or
 * transactions. Drivers translate bytes and frames into these events and commands, nothing more.
 */

/** Control pilot states per IEC 61851-1 (A: no EV, B: connected, C: charging, D: charging with
 * ventilation, E: short / no pilot, F: EVSE error / not available). */
export const PILOT_STATES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type PilotState = (typeof PILOT_STATES)[number];

/** Hardware fault inputs. `contactorWelded` and `contactorStuckOpen` come from contactor
 * feedback; the rest are inputs of the board or of its controller. */
export const FAULT_CODES = [
  'rcd', // residual current device tripped (DC 6 mA / AC 30 mA)
  'groundFault', // protective earth missing or ground monitor tripped
  'overTemperature',
  'overCurrent', // EV drew more than offered beyond the tolerance
  'overVoltage',
  'underVoltage',
  'contactorWelded', // feedback reports closed while commanded open
  'contactorStuckOpen', // feedback reports open while commanded closed
  'pilotFault', // pilot short (state E), missing diode, or the controller reports state F
  'lockFailure', // lock motor did not reach the commanded position
  'meterFailure', // meter unreachable, CRC/exception errors, implausible values
  'readerFailure', // RFID reader unreachable
  'controllerLost', // the I/O controller (serial/CAN) stopped answering
  'emergencyStop',
  'internal',
] as const;
export type FaultCode = (typeof FAULT_CODES)[number];

export function isFaultCode(value: unknown): value is FaultCode {
  return typeof value === 'string' && (FAULT_CODES as readonly string[]).includes(value);
}

export function isPilotState(value: unknown): value is PilotState {
  return typeof value === 'string' && (PILOT_STATES as readonly string[]).includes(value);
}

/** One measurement of a connector's meter. Energy is the import register (monotonic, Wh). */
export interface MeterReading {
  /** Active energy import register, Wh. Never decreases while the meter is healthy. */
  energyWh: number;
  /** Total active power import, W. */
  powerW: number;
  /** Per-phase current, A (length = number of phases the meter measures: 1 or 3). */
  currentA: number[];
  /** Per-phase voltage to neutral, V (same length as currentA). */
  voltageV: number[];
  /** EV battery state of charge in percent, when the hardware knows it (HLC, simulator). */
  socPercent?: number;
  /** Wall-clock time of the measurement, ms since the epoch. */
  timestampMs: number;
}

/** Static facts about one connector, from configuration and the driver. */
export interface ConnectorInfo {
  /** Flat connector number, 1-based, in configuration order (OCPP 1.6 connectorId). */
  readonly id: number;
  /** EVSE this connector belongs to (1-based). */
  readonly evseId: number;
  /** Connector number within its EVSE (1-based). */
  readonly connectorId: number;
  /** Connector type as configured, e.g. `cType2`, `sType2`, `cCCS2`. */
  readonly type: string;
  /** Hardware/installation maximum current per phase, A. The PWM offer never exceeds it. */
  readonly maxCurrentA: number;
  /** Number of phases wired to the connector. */
  readonly phases: 1 | 3;
  /** Nominal phase-to-neutral voltage of the supply, V (230 or 110). */
  readonly nominalVoltageV: number;
  /** The connector has a lock actuator (socket outlets); tethered cables have none. */
  readonly hasLock: boolean;
  /** The RCD can be tested by the board (for `evsectl hw selftest`). */
  readonly hasRcdTest: boolean;
}

/** Result of a lock command: the mechanism confirmed the position, or it did not. */
export type LockResult = 'locked' | 'unlocked' | 'failed';

/** Events a board reports. Every event names the flat connector number; 0 means board-wide
 * (e.g. a reader shared by all connectors, a fault of the whole station). */
export type HalEvent =
  | { type: 'hal.cpChanged'; connector: number; state: PilotState }
  | { type: 'hal.contactorChanged'; connector: number; closed: boolean }
  | { type: 'hal.faultRaised'; connector: number; code: FaultCode; detail?: string }
  | { type: 'hal.faultCleared'; connector: number; code: FaultCode }
  | { type: 'hal.lockChanged'; connector: number; locked: boolean }
  | { type: 'hal.rfid'; connector: number; token: string }
  | { type: 'hal.meter'; connector: number; reading: MeterReading };

export type HalListener = (event: HalEvent) => void;

/**
 * One connector's hardware. Commands start at once and never wait on anything but the
 * hardware; they report failure by rejecting with a HalError and, where the hardware is now
 * unsafe, by a `hal.faultRaised` event.
 */
export interface ConnectorHardware {
  readonly info: ConnectorInfo;
  /** Last pilot state seen. */
  pilot(): PilotState;
  /**
   * Set the current offered to the EV through the PWM duty cycle (IEC 61851-1 Annex A).
   * `null` switches PWM off (constant +12 V / state x1: no energy offered). Values below 6 A
   * are not a valid offer and are treated as `null`; values above `info.maxCurrentA` are
   * clamped. Resolves when the controller has taken the new duty cycle.
   */
  setOffer(currentA: number | null): Promise<void>;
  /** The offer last commanded (A), or null when PWM is off. */
  offer(): number | null;
  /**
   * Close or open the contactor. Resolves once the feedback confirms the position; rejects
   * with HalError `contactorFeedback` when it does not within the driver's deadline (and raises
   * `contactorWelded` / `contactorStuckOpen`). Opening must be effective immediately: drivers
   * send the open command before anything else queued for this connector.
   */
  setContactor(closed: boolean): Promise<void>;
  /** Commanded position and the feedback (null when the hardware has no feedback contact). */
  contactor(): { commanded: boolean; feedback: boolean | null };
  /** Last known meter reading (no I/O). */
  meter(): MeterReading;
  /** Read the meter now (I/O on real hardware). */
  readMeter(): Promise<MeterReading>;
  /** Lock or unlock the connector; `failed` when the mechanism did not confirm. */
  setLock(locked: boolean): Promise<LockResult>;
  /** Lock position, or null when the connector has no lock. */
  locked(): boolean | null;
  /** Active fault codes on this connector (board-wide faults included). */
  faults(): readonly FaultCode[];
  /** Trigger the RCD test where the hardware has one; resolves true when it tripped as it should. */
  testRcd(): Promise<boolean>;
}

/** A charger board: all connectors, the reader, the fault inputs. One per process. */
export interface Board {
  /** Driver name, e.g. `sim`, `serial`, `can`. */
  readonly driver: string;
  readonly connectors: readonly ConnectorHardware[];
  /** Open ports, synchronise state with the controller, start polling. Resolves when the
   * board can take commands; rejects with a HalError naming the port or interface. */
  start(): Promise<void>;
  /** Leave the hardware safe (contactors open, PWM off) and release ports. */
  stop(): Promise<void>;
  /** Subscribe to hardware events; returns the unsubscribe function. */
  on(listener: HalListener): () => void;
}

/** A clock the hardware layer can be driven by (real time in production, manual in tests). */
export interface HalClock {
  now(): number;
  setInterval(fn: () => void, ms: number): { cancel(): void };
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export const realHalClock: HalClock = {
  now: () => Date.now(),
  setInterval(fn, ms) {
    const handle = setInterval(fn, ms);
    handle.unref?.();
    return { cancel: () => clearInterval(handle) };
  },
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};
