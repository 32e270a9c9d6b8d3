/**
 * The charging infrastructure part of evsed's 2.0.1 device model (part 2 §2.13): the
 * ChargingStation component, one EVSE component per EVSE and one Connector component per
 * connector, generated from the runtime's connectors (each knows its EVSE id and connector id).
 *
 * Owns: how availability is summarised upwards — a connector reports the status it would send in
 * StatusNotification; an EVSE and the station summarise their parts with the rules below — and
 * the live values (power, phases, problems). Must not: change state or cache values.
 */
import type { ConnectorRuntime } from '../../../domain/connector.js';
import { V201_STATUS, type ConnectorStatus } from '../status.js';
import { constant, live, type CatalogSources, type ComponentDef } from './model.js';

export const AVAILABILITY_STATES: readonly ConnectorStatus[] = ['Available', 'Occupied', 'Reserved', 'Unavailable', 'Faulted'];

/** The status a connector reports in StatusNotification (G01). */
export function connectorAvailability(c: ConnectorRuntime): ConnectorStatus {
  return V201_STATUS[c.view().state];
}

/**
 * An EVSE delivers to one EV at a time: Occupied if any connector is, else Reserved if any is,
 * else Faulted / Unavailable when every connector is, else Available if any is, else Unavailable
 * (a mix of faulted and unavailable connectors).
 */
export function evseAvailability(parts: readonly ConnectorStatus[]): ConnectorStatus {
  if (parts.includes('Occupied')) return 'Occupied';
  if (parts.includes('Reserved')) return 'Reserved';
  if (parts.every((s) => s === 'Faulted')) return 'Faulted';
  if (parts.every((s) => s === 'Unavailable')) return 'Unavailable';
  return parts.includes('Available') ? 'Available' : 'Unavailable';
}

/**
 * The station: Unavailable when set inoperative; otherwise Available if any EVSE can take an EV,
 * Faulted / Unavailable when every EVSE is, Occupied if any EVSE is busy, then Reserved.
 */
export function stationAvailability(operative: boolean, evses: readonly ConnectorStatus[]): ConnectorStatus {
  if (!operative) return 'Unavailable';
  if (evses.includes('Available')) return 'Available';
  if (evses.every((s) => s === 'Faulted')) return 'Faulted';
  if (evses.every((s) => s === 'Unavailable')) return 'Unavailable';
  if (evses.includes('Occupied')) return 'Occupied';
  return evses.includes('Reserved') ? 'Reserved' : 'Unavailable';
}

/** Connectors grouped by EVSE id, both in ascending id order. */
export function evsesOf(connectors: readonly ConnectorRuntime[]): Array<{ evseId: number; connectors: ConnectorRuntime[] }> {
  const byEvse = new Map<number, ConnectorRuntime[]>();
  for (const c of connectors) {
    const list = byEvse.get(c.info.evseId) ?? [];
    list.push(c);
    byEvse.set(c.info.evseId, list);
  }
  return [...byEvse.entries()]
    .sort(([a], [b]) => a - b)
    .map(([evseId, list]) => ({ evseId, connectors: list.sort((a, b) => a.info.connectorId - b.info.connectorId) }));
}

const hasProblem = (list: readonly ConnectorRuntime[]) => list.some((c) => c.view().faults.length > 0);
const bool = (b: boolean) => (b ? 'true' : 'false');

export function infrastructureComponents(s: CatalogSources): ComponentDef[] {
  const evses = evsesOf(s.runtime.connectors);
  const all = s.runtime.connectors;
  const evseStatus = (list: readonly ConnectorRuntime[]) => evseAvailability(list.map(connectorAvailability));
  const phases = (list: readonly ConnectorRuntime[]) => String(Math.max(...list.map((c) => c.info.phases)));
  const station = s.config.station;

  const out: ComponentDef[] = [
    {
      name: 'ChargingStation',
      variables: [
        live(
          'AvailabilityState',
          'OptionList',
          () =>
            stationAvailability(
              s.runtime.view().operative,
              evses.map((e) => evseStatus(e.connectors)),
            ),
          { valuesList: AVAILABILITY_STATES },
        ),
        constant('Available', 'boolean', 'true'),
        constant('FirmwareVersion', 'string', station.firmwareVersion),
        constant('Model', 'string', station.model),
        live('Problem', 'boolean', () => bool(hasProblem(all))),
        ...(station.serialNumber ? [constant('SerialNumber', 'string', station.serialNumber)] : []),
        constant('SupplyPhases', 'integer', phases(all)),
        constant('VendorName', 'string', station.vendor),
      ],
    },
  ];
  for (const e of evses) {
    // Power: the most one connector of this EVSE can deliver (one EV at a time).
    const maxPowerW = Math.max(...e.connectors.map((c) => c.info.phases * c.info.nominalVoltageV * c.info.maxCurrentA));
    out.push({
      name: 'EVSE',
      evse: { id: e.evseId },
      variables: [
        constant('AllowReset', 'boolean', 'false'),
        live('AvailabilityState', 'OptionList', () => evseStatus(e.connectors), { valuesList: AVAILABILITY_STATES }),
        constant('Available', 'boolean', 'true'),
        live('Power', 'decimal', () => String(e.connectors.reduce((sum, c) => sum + c.view().meter.powerW, 0)), {
          unit: 'W',
          maxLimit: maxPowerW,
        }),
        live('Problem', 'boolean', () => bool(hasProblem(e.connectors))),
        constant('SupplyPhases', 'integer', phases(e.connectors)),
      ],
    });
  }
  for (const e of evses) {
    for (const c of e.connectors) {
      out.push({
        name: 'Connector',
        evse: { id: e.evseId, connectorId: c.info.connectorId },
        variables: [
          live('AvailabilityState', 'OptionList', () => connectorAvailability(c), { valuesList: AVAILABILITY_STATES }),
          constant('Available', 'boolean', 'true'),
          constant('ConnectorType', 'string', c.info.type),
          live('Problem', 'boolean', () => bool(hasProblem([c]))),
          constant('SupplyPhases', 'integer', String(c.info.phases)),
        ],
      });
    }
  }
  return out;
}
