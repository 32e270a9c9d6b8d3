/**
 * `evsectl hw info`: what the hardware driver talks to and how that is going — every tty, RAPI
 * controller, Modbus bus and meter, card reader (serial), the CAN channel and each controller
 * node (can), or the simulated board — one row each with a state, a detail and its counters.
 *
 * Owns: turning a driver's own diagnostics into that one table shape.
 * Must not: construct or command the board; load a driver (type imports only: their native
 * addons stay unloaded when another driver runs).
 */
import type { CanBoard } from '../../hal/can/index.js';
import type { SerialBoard } from '../../hal/serial/index.js';
import type { Board } from '../../hal/types.js';

export interface HardwareDevice {
  kind: 'port' | 'controller' | 'meter' | 'bus' | 'reader' | 'channel' | 'node' | 'board';
  name: string;
  state: string;
  detail: string;
  counters: Record<string, number>;
}

export interface HardwareInfo {
  driver: string;
  devices: HardwareDevice[];
}

/** Numbers only, nested records flattened (`garbled.checksum`), zeros left out. */
function numbers(record: object, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'number' && value !== 0) out[prefix + key] = value;
    else if (value && typeof value === 'object') Object.assign(out, numbers(value as object, `${prefix}${key}.`));
  }
  return out;
}

function serialDevices(board: SerialBoard): HardwareDevice[] {
  const d = board.diagnostics();
  const devices: HardwareDevice[] = d.ports.map((p) => ({
    kind: 'port',
    name: p.path,
    state: p.status,
    detail: p.detail === p.status ? '' : p.detail,
    counters: numbers(p.counters),
  }));
  for (const c of d.connectors) {
    const fw = c.firmware ? `firmware ${c.firmware.version}, RAPI ${c.firmware.protocol}` : 'firmware unknown';
    const relay = c.relayClosed === null ? 'relay unknown' : c.relayClosed ? 'relay closed' : 'relay open';
    const problem = c.link.state === 'up' ? c.lastSyncError : c.link.detail || c.lastError;
    devices.push({
      kind: 'controller',
      name: `connector ${c.connector} (${c.controllerPort})`,
      state: c.link.state,
      detail: [fw, relay, ...(c.hold ? ['held asleep'] : []), ...(problem ? [problem] : [])].join('; '),
      counters: numbers({ ...c.counters, lastPollError: undefined }),
    });
    devices.push({
      kind: 'meter',
      name: `connector ${c.connector}`,
      state: c.meter.healthy === null ? 'unknown' : c.meter.healthy ? 'ok' : 'failing',
      detail: [c.meter.source, ...(c.meter.counters.lastError ? [`last error: ${c.meter.counters.lastError}`] : [])].join('; '),
      counters: numbers({ ...c.meter.counters, lastError: undefined }),
    });
  }
  for (const b of d.buses) devices.push({ kind: 'bus', name: b.path, state: 'modbus', detail: '', counters: numbers(b.counters) });
  for (const r of d.readers) {
    devices.push({ kind: 'reader', name: r.path, state: r.connector === 0 ? 'shared' : `connector ${r.connector}`, detail: '', counters: numbers(r.counters) });
  }
  return devices;
}

function canDevices(board: CanBoard, iface: string): HardwareDevice[] {
  const devices: HardwareDevice[] = [{ kind: 'channel', name: iface, state: 'open', detail: 'SocketCAN raw', counters: numbers(board.stats()) }];
  for (const n of board.nodes()) {
    const detail = [
      n.firmware ? `firmware ${n.firmware}` : 'firmware unknown',
      n.controllerSeesEvsed ? 'hears evsed' : 'does not hear evsed',
      ...(n.helloReason ? [`last hello: ${n.helloReason}`] : []),
    ].join('; ');
    devices.push({ kind: 'node', name: `node ${n.node}`, state: n.status, detail, counters: numbers({ reboots: n.reboots, staleHeartbeats: n.staleHeartbeats }) });
  }
  return devices;
}

/** `canInterface`: the interface name to show for the CAN channel (`hardware.can.interface`). */
export function describeHardware(board: Board, canInterface = 'can'): HardwareInfo {
  switch (board.driver) {
    case 'serial':
      return { driver: 'serial', devices: serialDevices(board as SerialBoard) };
    case 'can':
      return { driver: 'can', devices: canDevices(board as CanBoard, canInterface) };
    default:
      return {
        driver: board.driver,
        devices: [{ kind: 'board', name: `${board.driver} board`, state: 'running', detail: `${board.connectors.length} connector(s), no physical devices`, counters: {} }],
      };
  }
}
