/**
 * OpenEVSE controller states and flags (firmware open_evse.h, J1772EvseController.h) mapped
 * onto the HAL vocabulary: one table, read by the serial connector.
 *
 * Owns: EVSE_STATE_xxx codes → pilot state and fault; the vflags bits the driver reads
 * (ECVF_CHARGING_ON: the controller drives its relay closed; ECVF_EV_CONNECTED).
 * The controller reports two states in `$AT`/`$GS`: its own EVSE state and the pilot state it
 * measures. In A/B/C and while sleeping the pilot is what the EV shows; in an error state the
 * controller holds the pilot at a constant level and offers nothing, which the HAL reports as
 * F (EVSE not available) together with the fault. While sleeping the controller offers no PWM,
 * so an EV cannot charge: the pilot is reported as B (EV connected) or A from the flags. State D (ventilation required) is refused by
 * OpenEVSE (it opens its relay and faults), reported as pilot D plus `internal`.
 *
 * Must not: decide anything; keep state.
 */
import type { FaultCode, PilotState } from '../../types.js';

export const EVSE_STATE = {
  unknown: 0x00,
  a: 0x01,
  b: 0x02,
  c: 0x03,
  d: 0x04,
  diodeCheckFailed: 0x05,
  gfciFault: 0x06,
  noGround: 0x07,
  stuckRelay: 0x08,
  gfiTestFailed: 0x09,
  overTemperature: 0x0a,
  overCurrent: 0x0b,
  pilotError: 0x0c,
  tempSensorFault: 0x0d,
  relayClosureFault: 0x0e,
  sleeping: 0xfe,
  disabled: 0xff,
} as const;

/** m_wVFlags bits the driver uses. */
export const VFLAG = {
  hardFault: 0x0002,
  chargingOn: 0x0040,
  evConnected: 0x0100,
} as const;

interface StateRow {
  name: string;
  /** Fixed pilot for this state; 'connection': A or B from the EV-connected flag (the pilot
   * state the controller keeps while sleeping is not refreshed); absent: the measured state. */
  pilot?: PilotState | 'connection';
  fault?: FaultCode;
  /** The controller is enabled (PWM may run); false while sleeping or disabled. */
  enabled: boolean;
}

/** The mapping table. Codes not listed: pilot F + `internal` (unknown state). */
export const EVSE_STATE_TABLE: ReadonlyMap<number, StateRow> = new Map<number, StateRow>([
  [EVSE_STATE.unknown, { name: 'unknown', pilot: 'F', enabled: true }],
  [EVSE_STATE.a, { name: 'A: no EV', enabled: true }],
  [EVSE_STATE.b, { name: 'B: EV connected', enabled: true }],
  [EVSE_STATE.c, { name: 'C: charging', enabled: true }],
  [EVSE_STATE.d, { name: 'D: ventilation required (refused)', pilot: 'D', fault: 'internal', enabled: true }],
  [EVSE_STATE.diodeCheckFailed, { name: 'diode check failed', pilot: 'F', fault: 'pilotFault', enabled: true }],
  [EVSE_STATE.gfciFault, { name: 'GFCI fault', pilot: 'F', fault: 'rcd', enabled: true }],
  [EVSE_STATE.noGround, { name: 'no ground', pilot: 'F', fault: 'groundFault', enabled: true }],
  [EVSE_STATE.stuckRelay, { name: 'stuck relay', pilot: 'F', fault: 'contactorWelded', enabled: true }],
  [EVSE_STATE.gfiTestFailed, { name: 'GFI self-test failed', pilot: 'F', fault: 'rcd', enabled: true }],
  [EVSE_STATE.overTemperature, { name: 'over temperature', pilot: 'F', fault: 'overTemperature', enabled: true }],
  [EVSE_STATE.overCurrent, { name: 'over current', pilot: 'F', fault: 'overCurrent', enabled: true }],
  [EVSE_STATE.pilotError, { name: 'pilot self-test error', pilot: 'F', fault: 'pilotFault', enabled: true }],
  [EVSE_STATE.tempSensorFault, { name: 'temperature sensor fault', pilot: 'F', fault: 'internal', enabled: true }],
  [EVSE_STATE.relayClosureFault, { name: 'relay closure fault', pilot: 'F', fault: 'contactorStuckOpen', enabled: true }],
  [EVSE_STATE.sleeping, { name: 'sleeping', pilot: 'connection', enabled: false }],
  [EVSE_STATE.disabled, { name: 'disabled', pilot: 'F', enabled: false }],
]);

/** A state report: from `$AT`, `$GS`, legacy `$ST` or `$AB`. Unknown fields are null. */
export interface RapiStatus {
  evseState: number;
  pilotState: number | null;
  currentCapacityA: number | null;
  vflags: number | null;
}

/** What the HAL makes of a state report. */
export interface RapiView {
  pilot: PilotState;
  /** Fault the controller's state stands for (null: none). */
  fault: FaultCode | null;
  detail: string;
  /** The controller drives its relay closed (null: not reported). */
  relayClosed: boolean | null;
  /** The controller is enabled (not sleeping, not disabled). */
  enabled: boolean;
  evConnected: boolean | null;
}

const PILOT_BY_CODE: ReadonlyMap<number, PilotState> = new Map<number, PilotState>([
  [EVSE_STATE.a, 'A'],
  [EVSE_STATE.b, 'B'],
  [EVSE_STATE.c, 'C'],
  [EVSE_STATE.d, 'D'],
]);

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

export function interpretStatus(status: RapiStatus): RapiView {
  const row = EVSE_STATE_TABLE.get(status.evseState);
  const evConnected = status.vflags === null ? null : (status.vflags & VFLAG.evConnected) !== 0;
  const relayClosed = status.vflags === null ? status.evseState === EVSE_STATE.c : (status.vflags & VFLAG.chargingOn) !== 0;
  if (!row) {
    return {
      pilot: 'F',
      fault: 'internal',
      detail: `unknown EVSE state ${hex(status.evseState)}`,
      relayClosed,
      enabled: true,
      evConnected,
    };
  }
  const measured = status.pilotState === null ? undefined : PILOT_BY_CODE.get(status.pilotState);
  const fallback: PilotState = PILOT_BY_CODE.get(status.evseState) ?? (evConnected ? 'B' : 'A');
  const hardFault = status.vflags !== null && (status.vflags & VFLAG.hardFault) !== 0;
  const connection: PilotState = evConnected === null ? (measured ?? 'A') : evConnected ? 'B' : 'A';
  return {
    pilot: row.pilot === 'connection' ? connection : (row.pilot ?? measured ?? fallback),
    fault: row.fault ?? null,
    detail: `controller state ${hex(status.evseState)} (${row.name})${hardFault ? ', hard fault' : ''}`,
    relayClosed,
    enabled: row.enabled,
    evConnected,
  };
}
