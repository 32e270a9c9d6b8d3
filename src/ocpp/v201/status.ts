/**
 * OCPP 2.0.1 connector status (G01) and charging state (E), derived from the connector view by
 * lookup tables.
 *
 * Owns: ConnectorStatusEnumType per session state and the transaction chargingState per session
 * state. Must not: decide session state.
 */
import type { ConnectorStateName, ConnectorView } from '../../domain/connector.js';
import type { ReportedStatus } from '../adapter.js';

export type ConnectorStatus = 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';
export type ChargingState = 'Charging' | 'EVConnected' | 'SuspendedEV' | 'SuspendedEVSE' | 'Idle';

/** Occupied = a vehicle or cable is at the connector; Available otherwise (G01). */
export const V201_STATUS: Record<ConnectorStateName, ConnectorStatus> = {
  available: 'Available',
  reserved: 'Reserved',
  'preparing.evConnected': 'Occupied',
  'preparing.authorized': 'Available',
  energyOffered: 'Occupied',
  charging: 'Occupied',
  pausedByEv: 'Occupied',
  pausedByCharger: 'Occupied',
  finishing: 'Occupied',
  evDisconnected: 'Available',
  unavailable: 'Unavailable',
  faulted: 'Faulted',
};

export const V201_CHARGING_STATE: Record<ConnectorStateName, ChargingState> = {
  available: 'Idle',
  reserved: 'Idle',
  'preparing.evConnected': 'EVConnected',
  'preparing.authorized': 'Idle',
  energyOffered: 'SuspendedEV',
  charging: 'Charging',
  pausedByEv: 'SuspendedEV',
  pausedByCharger: 'SuspendedEVSE',
  finishing: 'EVConnected',
  evDisconnected: 'Idle',
  unavailable: 'Idle',
  faulted: 'Idle',
};

export interface V201Status extends ReportedStatus {
  status: ConnectorStatus;
  errorCode: null;
}

export function v201StatusOf(view: ConnectorView): V201Status {
  return { status: V201_STATUS[view.state], errorCode: null };
}

export function sameV201Status(a: V201Status | undefined, b: V201Status): boolean {
  return !!a && a.status === b.status;
}
