/**
 * Vocabulary of the evsed ↔ I/O controller CAN protocol, as the code relies on it.
 *
 * Owns: the message and signal names the driver and simulators use, who produces each message,
 * which ones are broadcasts, the numeric codes of pilot states, fault bits and reboot reasons,
 * and the addressing rule (id = function code | controller node). Ids, lengths, byte order and
 * scaling live only in evsed-io.kcd; the codec checks the file against this table at load.
 *
 * Must not: encode or decode anything (codec.ts does, through socketcan's DatabaseService).
 */
import type { FaultCode, PilotState } from '../types.js';

/** Who sends a message (the KCD Producer): evsed, or the I/O controller. */
export type CanRole = 'evsed' | 'controller';

interface MessageShape {
  readonly producer: CanRole;
  /** Sent to every controller with node nibble 0 (only evsed's heartbeat). */
  readonly broadcast: boolean;
  readonly signals: readonly string[];
}

const FAULT_SIGNAL_NAMES = [
  'Rcd',
  'GroundFault',
  'OverTemperature',
  'OverCurrent',
  'OverVoltage',
  'UnderVoltage',
  'ContactorWelded',
  'ContactorStuckOpen',
  'PilotFault',
  'LockFailure',
  'MeterFailure',
  'ReaderFailure',
  'EmergencyStop',
  'Internal',
] as const;

const evsed = (signals: readonly string[], broadcast = false): MessageShape => ({
  producer: 'evsed',
  broadcast,
  signals,
});
const controller = (signals: readonly string[]): MessageShape => ({
  producer: 'controller',
  broadcast: false,
  signals,
});

/** Every message of evsed-io.kcd with the signals the code reads or writes. */
export const MESSAGES = {
  ContactorCommand: evsed(['Channel', 'Close']),
  FaultState: controller(['Channel', ...FAULT_SIGNAL_NAMES]),
  ContactorState: controller(['Channel', 'Closed', 'Driven', 'HeldOpen']),
  PilotState: controller(['Channel', 'State']),
  OfferCommand: evsed(['Channel', 'Seq', 'Current', 'Duty']),
  OfferAck: controller(['Channel', 'Seq', 'Current', 'Duty']),
  LockCommand: evsed(['Channel', 'Seq', 'Lock']),
  LockState: controller(['Channel', 'Seq', 'Locked', 'Failed']),
  RcdTestCommand: evsed(['Channel', 'Seq']),
  RcdTestResult: controller(['Channel', 'Seq', 'Tripped']),
  MeterEnergy: controller(['Channel', 'Seq', 'Energy', 'Soc']),
  MeterPower: controller(['Channel', 'Seq', 'Power', 'Phases']),
  MeterCurrent: controller(['Channel', 'Seq', 'L1', 'L2', 'L3']),
  MeterVoltage: controller(['Channel', 'Seq', 'L1', 'L2', 'L3']),
  MeterRequest: evsed(['Channel']),
  RfidToken: controller(['Channel', 'Part', 'Last', 'Length', 'Byte0', 'Byte1', 'Byte2', 'Byte3', 'Byte4', 'Byte5']),
  EvsedHeartbeat: evsed(['Counter', 'Timeout'], true),
  ControllerHeartbeat: controller(['Counter', 'EvsedAlive']),
  ControllerHello: controller(['Channels', 'FirmwareMajor', 'FirmwareMinor', 'Reason']),
  SyncRequest: evsed(['Seq']),
  SyncDone: controller(['Seq']),
} as const satisfies Record<string, MessageShape>;

export type MessageName = keyof typeof MESSAGES;
export const MESSAGE_NAMES = Object.keys(MESSAGES) as MessageName[];

/** Signal values of one message by signal name, in engineering units (A, %, Wh, W, V, s). */
export type SignalValues = Readonly<Record<string, number>>;

/** KCD `<Node id>` of each role (the Producer of a message). */
export const KCD_NODE_OF: Readonly<Record<CanRole, string>> = { evsed: '1', controller: '2' };

/** Controller node numbers (the id's low nibble) and channel numbers within a controller. */
export const NODE_MIN = 1;
export const NODE_MAX = 15;
export const CHANNEL_MIN = 1;
export const CHANNEL_MAX = 15;
/** Mask of the function code in an id; the low nibble is the node (0 for broadcasts). */
export const FUNCTION_MASK = 0x7f0;
export const NODE_MASK = 0x00f;

/** The id of `templateId` (a KCD id, written for node 1) for controller node `node`. */
export function idForNode(templateId: number, node: number): number {
  return (templateId & FUNCTION_MASK) | node;
}

/** Pilot state ⇄ `PilotState.State` code (0 and 7..15 are invalid). */
export const PILOT_CODES: Readonly<Record<PilotState, number>> = { A: 1, B: 2, C: 3, D: 4, E: 5, F: 6 };

export function pilotFromCode(code: number): PilotState | null {
  for (const [state, value] of Object.entries(PILOT_CODES)) if (value === code) return state as PilotState;
  return null;
}

/** Fault codes the controller reports as bits of FaultState (controllerLost is evsed's own). */
export type ControllerFaultCode = Exclude<FaultCode, 'controllerLost'>;

export const FAULT_SIGNALS: Readonly<Record<ControllerFaultCode, (typeof FAULT_SIGNAL_NAMES)[number]>> = {
  rcd: 'Rcd',
  groundFault: 'GroundFault',
  overTemperature: 'OverTemperature',
  overCurrent: 'OverCurrent',
  overVoltage: 'OverVoltage',
  underVoltage: 'UnderVoltage',
  contactorWelded: 'ContactorWelded',
  contactorStuckOpen: 'ContactorStuckOpen',
  pilotFault: 'PilotFault',
  lockFailure: 'LockFailure',
  meterFailure: 'MeterFailure',
  readerFailure: 'ReaderFailure',
  emergencyStop: 'EmergencyStop',
  internal: 'Internal',
};

export const CONTROLLER_FAULT_CODES = Object.keys(FAULT_SIGNALS) as ControllerFaultCode[];

/** FaultState signal values for a set of active codes (every bit present, 0 or 1). */
export function faultBits(channel: number, active: ReadonlySet<FaultCode>): Record<string, number> {
  const values: Record<string, number> = { Channel: channel };
  for (const code of CONTROLLER_FAULT_CODES) values[FAULT_SIGNALS[code]] = active.has(code) ? 1 : 0;
  return values;
}

/** Active codes of a decoded FaultState. */
export function faultsFromBits(values: SignalValues): ControllerFaultCode[] {
  return CONTROLLER_FAULT_CODES.filter((code) => values[FAULT_SIGNALS[code]] === 1);
}

/** `ControllerHello.Reason` codes. */
export const HELLO_REASONS = ['powerOn', 'watchdog', 'software', 'brownOut'] as const;
export type HelloReason = (typeof HELLO_REASONS)[number];

/** `MeterEnergy.Soc` when the controller does not know the EV's state of charge. */
export const SOC_UNKNOWN = 255;

/** The four frames of one meter reading, in the order the controller sends them. */
export const METER_FRAMES = ['MeterEnergy', 'MeterPower', 'MeterCurrent', 'MeterVoltage'] as const;

/** RFID UID bytes per RfidToken frame, and the longest UID (two frames). */
export const RFID_BYTES_PER_FRAME = 6;
export const RFID_MAX_BYTES = 12;

/** Next sequence number: 1..255 (0 means "unsolicited" in replies). */
export function nextSeq(seq: number): number {
  return seq >= 255 ? 1 : seq + 1;
}
