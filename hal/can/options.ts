/**
 * Options of the CAN board, their defaults and their validation.
 *
 * Owns: `CanBoardOptions` (what src/main.ts passes from `hardware.can`), the connector → node /
 * channel mapping, and `resolveCanOptions`, which throws a RangeError naming the first bad
 * option (`can option heartbeatTimeoutMs must be …`).
 *
 * Must not: open anything or hold state.
 */
import { HalError } from '../errors.js';
import type { HalErrorCode } from '../errors.js';
import { MIN_OFFER_A } from '../pwm.js';
import type { ConnectorInfo, HalClock, HalEvent } from '../types.js';
import { realHalClock } from '../types.js';
import type { CanChannel } from './channel.js';
import { SocketCanChannel } from './channel.js';
import { defaultKcdPath, loadKcd } from './codec.js';
import type { ProblemKind } from './codec.js';
import { CHANNEL_MAX, CHANNEL_MIN, NODE_MAX, NODE_MIN } from './messages.js';
import type { KcdBus } from './socketcan.js';

/** Where one connector lives on the bus: controller node (1..15) and its channel (1..15). */
export interface CanConnectorMapping {
  connector: number;
  node: number;
  channel: number;
}

/** A diagnostic of the driver: a frame refused, a bus error, a send failure. Never silent. */
export interface CanDiagnostic {
  kind: ProblemKind | 'channel' | 'send';
  detail: string;
  code?: HalErrorCode;
}

export interface CanBoardOptions {
  /** CAN network interface, e.g. `can0` (config `hardware.can.interface`). */
  interface: string;
  /** The connectors, in configuration order; ids must be distinct positive integers. */
  connectors: readonly ConnectorInfo[];
  /** Node and channel of every connector (default: all on node 1, channel = position 1, 2, …). */
  mapping?: readonly CanConnectorMapping[];
  /** evsed's heartbeat period, ms (default 200). */
  heartbeatPeriodMs?: number;
  /** A controller whose heartbeat stays away this long is lost, ms (default 1000, ≥ 2 periods).
   * Also sent to the controllers as the timeout after which they open the contactors. */
  heartbeatTimeoutMs?: number;
  /** Deadline for an offer acknowledgement, contactor feedback and a meter reading, ms (default 500). */
  ackTimeoutMs?: number;
  /** Deadline for the lock and the RCD test, which move mechanics, ms (default 3000). */
  actuatorTimeoutMs?: number;
  /** The frame database (default: evsed-io.kcd shipped with the driver). */
  kcdPath?: string;
  /** Time source; real time by default, a manual clock in tests. */
  clock?: HalClock;
  /** Opens the channel at start() (default: a SocketCAN raw socket; tests pass a fake bus end). */
  openChannel?: (iface: string) => CanChannel;
  /** Refused frames, bus errors and send failures (default: a process warning, code EVSED_HAL_CAN). */
  onDiagnostic?: (diagnostic: CanDiagnostic) => void;
  /** Receives errors thrown by event listeners (default: a process warning). */
  onListenerError?: (error: unknown, event: HalEvent) => void;
}

export interface ResolvedCanOptions {
  interface: string;
  connectors: readonly { info: ConnectorInfo; node: number; channel: number }[];
  nodes: readonly number[];
  heartbeatPeriodMs: number;
  heartbeatTimeoutMs: number;
  ackTimeoutMs: number;
  actuatorTimeoutMs: number;
  bus: KcdBus;
  clock: HalClock;
  openChannel: (iface: string) => CanChannel;
  onDiagnostic: (diagnostic: CanDiagnostic) => void;
  onListenerError: ((error: unknown, event: HalEvent) => void) | undefined;
}

export const CAN_DEFAULTS = {
  heartbeatPeriodMs: 200,
  heartbeatTimeoutMs: 1000,
  ackTimeoutMs: 500,
  actuatorTimeoutMs: 3000,
} as const;

/** EvsedHeartbeat.Timeout carries at most 25.5 s. */
const MAX_HEARTBEAT_TIMEOUT_MS = 25_500;

function positiveMs(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0)
    throw new RangeError(`can option ${name} must be a positive number of ms, got ${v}`);
  return v;
}

function inRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`can option ${name} must be an integer within ${min}..${max}, got ${value}`);
  }
}

function defaultDiagnostic(diagnostic: CanDiagnostic): void {
  process.emitWarning(`can: ${diagnostic.kind}: ${diagnostic.detail}`, { code: 'EVSED_HAL_CAN' });
}

/** Validate options and fill defaults; throws RangeError naming the first bad option. */
export function resolveCanOptions(options: CanBoardOptions): ResolvedCanOptions {
  if (typeof options.interface !== 'string' || !/^[^\s/]{1,15}$/.test(options.interface)) {
    throw new RangeError(
      `can option interface must be a network interface name (1..15 characters, no / or space), got ${JSON.stringify(options.interface)}`,
    );
  }
  if (options.connectors.length === 0) throw new RangeError('can option connectors must list at least one connector');
  const ids = new Set<number>();
  for (const info of options.connectors) {
    const where = `can option connectors[id=${info.id}]`;
    if (!Number.isInteger(info.id) || info.id < 1 || ids.has(info.id))
      throw new RangeError(`${where}: id must be a distinct positive integer`);
    ids.add(info.id);
    if (!Number.isFinite(info.maxCurrentA) || info.maxCurrentA < MIN_OFFER_A) {
      throw new RangeError(`${where}: maxCurrentA must be at least ${MIN_OFFER_A} A, got ${info.maxCurrentA}`);
    }
    if (info.phases !== 1 && info.phases !== 3) throw new RangeError(`${where}: phases must be 1 or 3`);
  }
  const mapping =
    options.mapping ?? options.connectors.map((info, i) => ({ connector: info.id, node: 1, channel: i + 1 }));
  const places = new Set<string>();
  const byConnector = new Map<number, CanConnectorMapping>();
  mapping.forEach((m, i) => {
    const where = `mapping[${i}]`;
    if (!ids.has(m.connector)) throw new RangeError(`can option ${where}.connector: no connector ${m.connector}`);
    if (byConnector.has(m.connector))
      throw new RangeError(`can option ${where}.connector: connector ${m.connector} is mapped twice`);
    inRange(`${where}.node`, m.node, NODE_MIN, NODE_MAX);
    inRange(`${where}.channel`, m.channel, CHANNEL_MIN, CHANNEL_MAX);
    const place = `${m.node}/${m.channel}`;
    if (places.has(place))
      throw new RangeError(`can option ${where}: node ${m.node} channel ${m.channel} is used twice`);
    places.add(place);
    byConnector.set(m.connector, m);
  });
  const connectors = options.connectors.map((info) => {
    const m = byConnector.get(info.id);
    if (!m) throw new RangeError(`can option mapping: connector ${info.id} is not mapped`);
    return { info, node: m.node, channel: m.channel };
  });
  const heartbeatPeriodMs = positiveMs('heartbeatPeriodMs', options.heartbeatPeriodMs, CAN_DEFAULTS.heartbeatPeriodMs);
  const heartbeatTimeoutMs = positiveMs(
    'heartbeatTimeoutMs',
    options.heartbeatTimeoutMs,
    CAN_DEFAULTS.heartbeatTimeoutMs,
  );
  if (heartbeatTimeoutMs < 2 * heartbeatPeriodMs || heartbeatTimeoutMs > MAX_HEARTBEAT_TIMEOUT_MS) {
    throw new RangeError(
      `can option heartbeatTimeoutMs must be within 2 × heartbeatPeriodMs (${2 * heartbeatPeriodMs})..${MAX_HEARTBEAT_TIMEOUT_MS} ms, got ${heartbeatTimeoutMs}`,
    );
  }
  const kcdPath = options.kcdPath ?? defaultKcdPath();
  let bus: KcdBus;
  try {
    bus = loadKcd(kcdPath);
  } catch (error) {
    if (error instanceof HalError) throw error;
    throw new RangeError(`can option kcdPath: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return {
    interface: options.interface,
    connectors,
    nodes: [...new Set(connectors.map((c) => c.node))].sort((a, b) => a - b),
    heartbeatPeriodMs,
    heartbeatTimeoutMs,
    ackTimeoutMs: positiveMs('ackTimeoutMs', options.ackTimeoutMs, CAN_DEFAULTS.ackTimeoutMs),
    actuatorTimeoutMs: positiveMs('actuatorTimeoutMs', options.actuatorTimeoutMs, CAN_DEFAULTS.actuatorTimeoutMs),
    bus,
    clock: options.clock ?? realHalClock,
    openChannel: options.openChannel ?? ((iface) => SocketCanChannel.open(iface)),
    onDiagnostic: options.onDiagnostic ?? defaultDiagnostic,
    onListenerError: options.onListenerError,
  };
}
