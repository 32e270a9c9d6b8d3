/**
 * OCPP 1.6 connector status, derived from the connector view by lookup tables
 * (1.6 §4.9, errata 3.19–3.22, 3.64).
 *
 * Owns: ChargePointStatus per session state, ChargePointErrorCode per hardware fault, the status
 * of connector 0, and sending StatusNotification for changes (only what changed, only when
 * registration allows sending; after a reconnect only connectors whose status differs from the
 * last one reported, R-O5).
 * Must not: decide session state (the statechart does).
 */
import type { FaultCode } from '../../../hal/types.js';
import type { ConnectorStateName, ConnectorView } from '../../domain/connector.js';
import type { ReportedStatus } from '../adapter.js';

export type ChargePointStatus =
  | 'Available'
  | 'Preparing'
  | 'Charging'
  | 'SuspendedEVSE'
  | 'SuspendedEV'
  | 'Finishing'
  | 'Reserved'
  | 'Unavailable'
  | 'Faulted';

export type ChargePointErrorCode =
  | 'ConnectorLockFailure'
  | 'EVCommunicationError'
  | 'GroundFailure'
  | 'HighTemperature'
  | 'InternalError'
  | 'LocalListConflict'
  | 'NoError'
  | 'OtherError'
  | 'OverCurrentFailure'
  | 'PowerMeterFailure'
  | 'PowerSwitchFailure'
  | 'ReaderFailure'
  | 'ResetFailure'
  | 'UnderVoltage'
  | 'OverVoltage'
  | 'WeakSignal';

export const V16_STATUS: Record<ConnectorStateName, ChargePointStatus> = {
  available: 'Available',
  reserved: 'Reserved',
  'preparing.evConnected': 'Preparing',
  'preparing.authorized': 'Preparing',
  // Authorized with the EV connected but not (yet) asking for energy: energy is offered, the EV
  // takes none (errata 3.64).
  energyOffered: 'SuspendedEV',
  charging: 'Charging',
  pausedByEv: 'SuspendedEV',
  pausedByCharger: 'SuspendedEVSE',
  finishing: 'Finishing',
  // The EV left but the transaction goes on (StopTransactionOnEVSideDisconnect = false, §4.10).
  evDisconnected: 'SuspendedEV',
  unavailable: 'Unavailable',
  faulted: 'Faulted',
};

/** Hardware fault → 1.6 error code. EVCommunicationError is not allowed with Faulted (§4.9). */
export const V16_ERROR_CODE: Record<FaultCode, ChargePointErrorCode> = {
  rcd: 'GroundFailure',
  groundFault: 'GroundFailure',
  overTemperature: 'HighTemperature',
  overCurrent: 'OverCurrentFailure',
  overVoltage: 'OverVoltage',
  underVoltage: 'UnderVoltage',
  contactorWelded: 'PowerSwitchFailure',
  contactorStuckOpen: 'PowerSwitchFailure',
  pilotFault: 'OtherError',
  lockFailure: 'ConnectorLockFailure',
  meterFailure: 'PowerMeterFailure',
  readerFailure: 'ReaderFailure',
  controllerLost: 'InternalError',
  emergencyStop: 'OtherError',
  internal: 'InternalError',
};

export interface V16Status extends ReportedStatus {
  status: ChargePointStatus;
  errorCode: ChargePointErrorCode;
  /** Fault code name for vendorErrorCode (≤ 50 chars), when faulted. */
  vendorErrorCode?: string;
  info?: string;
}

export function v16StatusOf(view: ConnectorView): V16Status {
  const status = V16_STATUS[view.state];
  const fault = view.faults[0];
  if (status === 'Faulted') {
    if (fault) return { status, errorCode: V16_ERROR_CODE[fault], vendorErrorCode: fault };
    // Faulted by the pilot (state E/F) without a fault input.
    return { status, errorCode: 'OtherError', vendorErrorCode: 'pilotFault', info: `pilot state ${view.pilot}` };
  }
  if (view.state === 'evDisconnected') return { status, errorCode: 'NoError', info: 'EV side disconnected' };
  return { status, errorCode: 'NoError' };
}

/** Connector 0 uses only Available, Unavailable and Faulted (§4.9). */
export function v16StationStatus(operative: boolean, connectors: readonly ConnectorView[]): V16Status {
  const boardFault = connectors.length > 0 && connectors.every((c) => c.state === 'faulted')
    ? connectors[0]!.faults.find((f) => connectors.every((c) => c.faults.includes(f)))
    : undefined;
  if (boardFault) return { status: 'Faulted', errorCode: V16_ERROR_CODE[boardFault], vendorErrorCode: boardFault };
  return { status: operative ? 'Available' : 'Unavailable', errorCode: 'NoError' };
}

export function sameStatus(a: V16Status | undefined, b: V16Status): boolean {
  return !!a && a.status === b.status && a.errorCode === b.errorCode && a.info === b.info;
}
