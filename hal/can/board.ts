/**
 * The CAN charger board: the `Board` of the `can` driver, talking to one or more I/O
 * controllers over evsed-io frames (evsed-io.kcd, README.md next to it).
 *
 * Owns: the one CAN channel of the process (opened by start(), reopened every heartbeatTimeoutMs
 * after the kernel hung it up — interface down or removed —, closed by stop()), the codec on
 * it, evsed's heartbeat (every heartbeatPeriodMs, from start() to stop()), the controller nodes
 * (node.ts) and their connectors (connector.ts), dispatching decoded frames to them, the RFID
 * token assembly, event delivery, counters and diagnostics. start() resolves once every node
 * answered its SyncRequest or was found lost (then its connectors carry controllerLost): a
 * missing controller does not keep evsed from running. stop() switches PWM off and opens every
 * contactor, waits for the feedback (at most ackTimeoutMs), then closes the channel; afterwards
 * every command rejects with HalError 'stopped'.
 *
 * Must not: import statecharts/ or src/, decide anything about sessions, let a frame from the
 * bus throw into the channel (refused frames are counted and reported as diagnostics).
 */
import { HalError } from '../errors.js';
import { EventBus } from '../events.js';
import type { Board, HalEvent, HalListener } from '../types.js';
import type { CanChannel } from './channel.js';
import { CanCodec } from './codec.js';
import type { CodecStats, DecodedMessage } from './codec.js';
import { CanConnector } from './connector.js';
import { RFID_BYTES_PER_FRAME, RFID_MAX_BYTES } from './messages.js';
import type { MessageName, SignalValues } from './messages.js';
import { CanNode } from './node.js';
import type { CanNodeSnapshot } from './node.js';
import { resolveCanOptions } from './options.js';
import type { CanBoardOptions, CanDiagnostic } from './options.js';

export interface CanBoardStats extends CodecStats {
  /** Heartbeats whose Counter did not advance (all nodes). */
  staleHeartbeats: number;
  /** Frames the channel did not take. */
  sendErrors: number;
  /** Error frames and interface losses reported by the channel. */
  busErrors: number;
}

export interface CanBoard extends Board {
  readonly driver: 'can';
  stats(): CanBoardStats;
  nodes(): CanNodeSnapshot[];
}

interface TokenParts {
  length: number;
  bytes: number[];
}

export function createCanBoard(options: CanBoardOptions): CanBoard {
  const resolved = resolveCanOptions(options);
  const { clock } = resolved;
  const events = new EventBus(resolved.onListenerError);
  const emit = (event: HalEvent) => events.emit(event);
  let channel: CanChannel | null = null;
  let starting: Promise<void> | null = null;
  let startWaiter: { resolve(): void; reject(error: HalError): void } | null = null;
  let stopping: Promise<void> | null = null;
  let heartbeat: { cancel(): void } | null = null;
  let reopen: { cancel(): void } | null = null;
  let reopenAttempts = 0;
  let counter = 0;
  let sendErrors = 0;
  let busErrors = 0;
  const tokens = new Map<string, TokenParts>();

  const diagnostic = (d: CanDiagnostic) => resolved.onDiagnostic(d);
  const codec = new CanCodec({
    bus: resolved.bus,
    role: 'evsed',
    nodes: resolved.nodes,
    transmit: (frame) => {
      if (!channel) throw new HalError('interfaceMissing', `${resolved.interface}: the CAN socket is closed`);
      channel.send(frame);
    },
    onMessage: (m) => dispatch(m),
    onProblem: (kind, detail) => diagnostic({ kind, detail }),
  });

  const send = (node: number, name: MessageName, values: SignalValues): void => {
    try {
      codec.send(node, name, values);
    } catch (error) {
      if (error instanceof HalError) {
        sendErrors++;
        diagnostic({ kind: 'send', detail: `${name} to node ${node}: ${error.message}`, code: error.code });
      }
      throw error;
    }
  };
  /** Send when there is a channel (before start() and after stop() there is nobody to tell). */
  const post = (node: number, name: MessageName, values: SignalValues): void => {
    if (!channel) return;
    try {
      send(node, name, values);
    } catch (error) {
      if (!(error instanceof HalError)) throw error; // a bug, not the bus
    }
  };

  const nodes = new Map<number, CanNode>();
  const connectors: CanConnector[] = [];
  for (const nodeId of resolved.nodes) {
    const holder: { node: CanNode | null } = { node: null };
    const nodeOf = (): CanNode => {
      if (!holder.node) throw new Error(`node ${nodeId} is not built yet`);
      return holder.node;
    };
    const own = resolved.connectors
      .filter((place) => place.node === nodeId)
      .map(
        (place) =>
          new CanConnector(place.info, nodeId, place.channel, {
            options: resolved,
            emit,
            send: (name, values) => send(nodeId, name, values),
            post: (name, values) => post(nodeId, name, values),
            nodeFaults: () => nodeOf().faults(),
            online: () => nodeOf().reachable(),
            stopped: () => stopping !== null,
          }),
      );
    holder.node = new CanNode(nodeId, own, {
      options: resolved,
      send: (name, values) => post(nodeId, name, values),
      settled: () => checkStarted(),
    });
    nodes.set(nodeId, holder.node);
  }
  // Connectors in configuration order, whatever their nodes.
  for (const place of resolved.connectors) {
    const found = nodes.get(place.node)?.connector(place.channel);
    if (found) connectors.push(found);
  }

  function checkStarted(): void {
    if (startWaiter && [...nodes.values()].every((n) => n.status() === 'online' || n.status() === 'lost')) {
      startWaiter.resolve();
      startWaiter = null;
    }
  }

  function dispatch(m: DecodedMessage): string | void {
    const node = nodes.get(m.node);
    if (!node) return `node ${m.node} is not configured`;
    const v = m.values;
    switch (m.name) {
      case 'ControllerHeartbeat':
        return node.onHeartbeat(v.Counter ?? -1, v.EvsedAlive === 1);
      case 'ControllerHello':
        return node.onHello(v);
      case 'SyncDone':
        return node.onSyncDone(v.Seq ?? -1);
      case 'RfidToken':
        return onToken(node, v);
      case 'FaultState':
        if (v.Channel === 0) return node.onNodeFaults(v);
        break;
    }
    const connector = node.connector(v.Channel);
    if (!connector) return `node ${node.node} has no channel ${String(v.Channel)}`;
    return connector.handle(m.name, v);
  }

  function onToken(node: CanNode, v: SignalValues): string | void {
    const ch = v.Channel ?? -1;
    const connector = ch === 0 ? 0 : node.connector(ch)?.info.id;
    if (connector === undefined) return `node ${node.node} has no channel ${ch}`;
    const key = `${node.node}/${ch}`;
    const part = v.Part ?? -1;
    const length = v.Length ?? 0;
    const parts = part === 0 ? { length, bytes: [] } : tokens.get(key);
    tokens.delete(key);
    if (length < 1 || length > RFID_MAX_BYTES) return `token length ${length} is not within 1..${RFID_MAX_BYTES}`;
    if (!parts || parts.length !== length || parts.bytes.length !== part * RFID_BYTES_PER_FRAME) {
      return `RfidToken part ${part} does not continue a token`;
    }
    const take = Math.min(RFID_BYTES_PER_FRAME, length - parts.bytes.length);
    for (let i = 0; i < take; i++) parts.bytes.push(v[`Byte${i}`] ?? 0);
    const complete = parts.bytes.length === length;
    if (complete !== (v.Last === 1)) return `RfidToken part ${part}: Last does not match the length ${length}`;
    if (!complete) {
      tokens.set(key, parts);
      return;
    }
    const token = Buffer.from(parts.bytes).toString('hex').toUpperCase();
    emit({ type: 'hal.rfid', connector, token });
  }

  function sendHeartbeat(): void {
    counter = (counter + 1) % 256;
    post(0, 'EvsedHeartbeat', { Counter: counter, Timeout: Math.round(resolved.heartbeatTimeoutMs / 100) / 10 });
  }

  /** Use `opened` as the channel; when it closes under us (the kernel hung up the socket:
   * interface down or removed) try to open it again every heartbeatTimeoutMs. */
  function attach(opened: CanChannel): void {
    channel = opened;
    opened.onFrame((frame) => codec.receive(frame));
    opened.onError((error) => {
      busErrors++;
      diagnostic({ kind: 'channel', detail: error.message, code: error.code });
      if (channel === opened && !opened.isOpen() && !stopping) {
        channel = null;
        reopen ??= clock.setInterval(tryReopen, resolved.heartbeatTimeoutMs);
      }
    });
  }

  function tryReopen(): void {
    reopenAttempts++;
    try {
      attach(resolved.openChannel(resolved.interface));
    } catch (error) {
      if (!(error instanceof HalError)) throw error;
      // Reported once per outage; the attempts are counted in the success message.
      if (reopenAttempts === 1)
        diagnostic({ kind: 'channel', detail: `reopening: ${error.message}`, code: error.code });
      return;
    }
    diagnostic({ kind: 'channel', detail: `${resolved.interface}: reopened after ${reopenAttempts} attempt(s)` });
    reopen?.cancel();
    reopen = null;
    reopenAttempts = 0;
  }

  async function start(): Promise<void> {
    attach(resolved.openChannel(resolved.interface));
    const settled = new Promise<void>((resolve, reject) => (startWaiter = { resolve, reject }));
    sendHeartbeat();
    heartbeat = clock.setInterval(sendHeartbeat, resolved.heartbeatPeriodMs);
    for (const node of nodes.values()) node.start();
    checkStarted();
    await settled;
  }

  async function stop(): Promise<void> {
    startWaiter?.reject(new HalError('stopped', 'stop() was called during start()'));
    startWaiter = null;
    await Promise.all(
      connectors.map((c) =>
        c.shutdown().catch((error: unknown) => {
          if (!(error instanceof HalError)) throw error;
          diagnostic({ kind: 'send', detail: `stop: connector ${c.info.id}: ${error.message}`, code: error.code });
        }),
      ),
    );
    heartbeat?.cancel();
    heartbeat = null;
    reopen?.cancel();
    reopen = null;
    for (const node of nodes.values()) node.stop();
    channel?.close();
    channel = null;
    for (const c of connectors) c.release();
  }

  return {
    driver: 'can',
    connectors,
    start() {
      if (stopping) return Promise.reject(new HalError('stopped'));
      if (!starting) {
        starting = start().catch((error: unknown) => {
          if (!stopping) {
            heartbeat?.cancel();
            heartbeat = null;
            for (const node of nodes.values()) node.stop();
            channel?.close();
            channel = null;
            starting = null; // a failed start may be retried
          }
          throw error;
        });
      }
      return starting;
    },
    stop() {
      stopping ??= stop();
      return stopping;
    },
    on(listener: HalListener) {
      return events.on(listener);
    },
    stats: () => ({
      ...codec.stats(),
      staleHeartbeats: [...nodes.values()].reduce((sum, n) => sum + n.snapshot().staleHeartbeats, 0),
      sendErrors,
      busErrors,
    }),
    nodes: () => [...nodes.values()].map((n) => n.snapshot()),
  };
}
