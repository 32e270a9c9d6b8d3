/**
 * The text form of a device model address, for logs, error texts and evsectl:
 * `Component(instance)[evse,connector].Variable[instance]`, e.g. `OCPPCommCtrlr.HeartbeatInterval`,
 * `EVSE[1].Power`, `Connector[1,2].AvailabilityState`, `DeviceDataCtrlr.ItemsPerMessage[GetReport]`.
 *
 * Owns: formatting and parsing that form, and the case-insensitive lookup keys (component and
 * variable names and instances are case-insensitive in 2.0.1). Must not: know which addresses exist.
 */
import type { ComponentType, VariableType } from '../../schemas/generated/v201/types.js';

export interface Address {
  component: ComponentType;
  variable: VariableType;
}

/** '' and absent instances are the same: no instance (B06.FR.15). */
export function instanceKey(instance: string | undefined): string {
  return (instance ?? '').toLowerCase();
}

export function componentKey(c: ComponentType): string {
  return `${c.name.toLowerCase()}|${instanceKey(c.instance)}|${c.evse?.id ?? ''}|${c.evse?.connectorId ?? ''}`;
}

export function variableKey(name: string, instance: string | undefined): string {
  return `${name.toLowerCase()}|${instanceKey(instance)}`;
}

export function componentLabel(c: ComponentType): string {
  const instance = c.instance ? `(${c.instance})` : '';
  const evse = c.evse ? `[${c.evse.id}${c.evse.connectorId !== undefined ? `,${c.evse.connectorId}` : ''}]` : '';
  return `${c.name}${instance}${evse}`;
}

export function variableLabelOf(v: VariableType): string {
  return v.instance ? `${v.name}[${v.instance}]` : v.name;
}

export function formatAddress(a: Address): string {
  return `${componentLabel(a.component)}.${variableLabelOf(a.variable)}`;
}

const NAME = '[A-Za-z0-9_*\\-:+|@.=]+?';
const ADDRESS = new RegExp(
  `^(?<component>${NAME})(?:\\((?<cinstance>[^()]+)\\))?(?:\\[(?<evse>\\d+)(?:,(?<connector>\\d+))?\\])?` +
    `\\.(?<variable>[A-Za-z0-9_*\\-:+|@=]+)(?:\\[(?<vinstance>[^\\[\\]]+)\\])?$`,
);

/** Parse the text form; null when it is not one. */
export function parseAddress(text: string): Address | null {
  const m = ADDRESS.exec(text.trim());
  const g = m?.groups;
  if (!g || !g.component || !g.variable) return null;
  const component: ComponentType = { name: g.component };
  if (g.cinstance) component.instance = g.cinstance;
  if (g.evse) component.evse = { id: Number(g.evse), ...(g.connector ? { connectorId: Number(g.connector) } : {}) };
  const variable: VariableType = { name: g.variable };
  if (g.vinstance) variable.instance = g.vinstance;
  return { component, variable };
}
