/**
 * Persistent OCPP 2.0.1 device model values that are not station settings: variables only the
 * device model has (no domain service reads them) and attributes other than Actual. One row per
 * addressed attribute, keyed by the canonical names of the device model catalogue; values are the
 * strings OCPP carries. Station settings live in `settings` (src/store/settings.ts), not here.
 *
 * Must not: validate values or know which variables exist (src/ocpp/v201/device-model owns both);
 * it stores what it is given.
 */
import type { Db } from './db.js';

/** Where a value belongs. Absent parts are '' (instances) or 0 (EVSE / connector). */
export interface DeviceModelAddress {
  component: string;
  componentInstance: string;
  evseId: number;
  connectorId: number;
  variable: string;
  variableInstance: string;
  attribute: 'Actual' | 'Target' | 'MinSet' | 'MaxSet';
}

export interface DeviceModelRow {
  address: DeviceModelAddress;
  value: string;
  updatedAtMs: number;
}

export interface DeviceModelStore {
  get(address: DeviceModelAddress): string | undefined;
  /** Insert or replace; durable when it returns (the database runs synchronous=FULL). */
  set(address: DeviceModelAddress, value: string): void;
  delete(address: DeviceModelAddress): void;
  all(): DeviceModelRow[];
}

interface Row {
  component: string;
  component_instance: string;
  evse_id: number;
  connector_id: number;
  variable: string;
  variable_instance: string;
  attribute: DeviceModelAddress['attribute'];
  value: string;
  updated_at: number;
}

const KEY_COLUMNS = 'component, component_instance, evse_id, connector_id, variable, variable_instance, attribute';
const KEY_MATCH = KEY_COLUMNS.split(', ')
  .map((column) => `${column} = ?`)
  .join(' AND ');

function keyOf(a: DeviceModelAddress): [string, string, number, number, string, string, string] {
  return [a.component, a.componentInstance, a.evseId, a.connectorId, a.variable, a.variableInstance, a.attribute];
}

export function createDeviceModelStore(db: Db, now: () => number = Date.now): DeviceModelStore {
  const getStmt = db.prepare<ReturnType<typeof keyOf>, { value: string }>(
    `SELECT value FROM device_model_values WHERE ${KEY_MATCH}`,
  );
  const setStmt = db.prepare(
    `INSERT INTO device_model_values (${KEY_COLUMNS}, value, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ` +
      `ON CONFLICT(${KEY_COLUMNS}) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const delStmt = db.prepare(`DELETE FROM device_model_values WHERE ${KEY_MATCH}`);
  const allStmt = db.prepare<[], Row>(`SELECT * FROM device_model_values ORDER BY ${KEY_COLUMNS}`);
  return {
    get(address) {
      return getStmt.get(...keyOf(address))?.value;
    },
    set(address, value) {
      setStmt.run(...keyOf(address), value, now());
    },
    delete(address) {
      delStmt.run(...keyOf(address));
    },
    all() {
      return allStmt.all().map((r) => ({
        address: {
          component: r.component,
          componentInstance: r.component_instance,
          evseId: r.evse_id,
          connectorId: r.connector_id,
          variable: r.variable,
          variableInstance: r.variable_instance,
          attribute: r.attribute,
        },
        value: r.value,
        updatedAtMs: r.updated_at,
      }));
    },
  };
}
