/**
 * The device model as evsectl will see it: every variable with its value and where the value
 * lives, and writes by a technician on site that run exactly the checks a CSMS write runs.
 *
 * Owns: the listing shape (address text, mutability, data type, value — never for WriteOnly —
 * and the backing setting key) and the `by: 'technician'` write log. Must not: bypass
 * DeviceModel (no write that a CSMS could not make, ReadOnly stays read-only).
 */
import type { Logger } from 'pino';
import type { AttributeEnumType } from '../../schemas/generated/v201/types.js';
import { formatAddress, parseAddress, type Address } from './address.js';
import type { DeviceModel, SetOutcome } from './device-model.js';
import { logWrite } from './handlers.js';
import type { DataType, Mutability } from './model.js';

export interface VariableListing {
  /** Text form, e.g. `OCPPCommCtrlr.MessageAttempts[TransactionEvent]`, `Connector[1,1].AvailabilityState`. */
  address: string;
  mutability: Mutability;
  dataType: DataType;
  unit?: string;
  /** Absent for WriteOnly variables. */
  value?: string;
  /** Where the value lives: a station setting (shared with OCPP 1.6), the device model store, or live. */
  source: 'setting' | 'stored' | 'live';
  /** The station setting behind the value, when source is 'setting'. */
  setting?: string;
}

/** Every variable's Actual attribute, in report order. */
export function listVariables(dm: DeviceModel): VariableListing[] {
  return dm.entries().map((t) => {
    const attribute = t.variable.attributes.find((a) => a.type === 'Actual') ?? t.variable.attributes[0]!;
    const ch = t.variable.characteristics;
    return {
      address: formatAddress(t),
      mutability: t.variable.mutability,
      dataType: ch.dataType,
      ...(ch.unit !== undefined ? { unit: ch.unit } : {}),
      ...(t.variable.mutability === 'WriteOnly' ? {} : { value: dm.read(t, attribute) }),
      source: attribute.source.kind,
      ...(attribute.source.kind === 'setting' ? { setting: attribute.source.key } : {}),
    };
  });
}

export type TechnicianSetResult = SetOutcome | { status: 'BadAddress'; reason: string };

/**
 * Write a variable on behalf of a technician (address as text or parsed). Same checks and same
 * effect as a CSMS SetVariables; logged with `by: 'technician'`.
 */
export function setFromTechnician(
  dm: DeviceModel,
  address: string | Address,
  value: string,
  log: Pick<Logger, 'info'>,
  attributeType: AttributeEnumType = 'Actual',
): TechnicianSetResult {
  const parsed = typeof address === 'string' ? parseAddress(address) : address;
  if (!parsed) {
    return {
      status: 'BadAddress',
      reason: `"${String(address)}" is not a device model address (e.g. OCPPCommCtrlr.HeartbeatInterval)`,
    };
  }
  const outcome = dm.set(parsed.component, parsed.variable, value, attributeType);
  logWrite(log, outcome, { component: parsed.component, variable: parsed.variable, value }, 'technician');
  return outcome;
}
