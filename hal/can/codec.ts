/**
 * Encoding and decoding of evsed-io frames with socketcan's DatabaseService and KCD parser.
 *
 * Owns: loading and checking evsed-io.kcd against messages.ts; one DatabaseService per codec,
 * standing on a small in-memory port (it only needs `addListener('onMessage')` and `send`), so
 * it works on any CanChannel — the SocketCAN one and the tests' fake bus alike; node
 * addressing (the KCD holds node 1's ids; node N's frames are translated before and after the
 * DatabaseService); refusing frames before they reach it — unknown or foreign ids, wrong
 * direction, wrong length, remote frames — with counters; checking every outgoing value
 * against its signal's range (socketcan would silently truncate it).
 * Decoded values are rounded to the signal's resolution (0.1 A stays 16, not 16.000000000000004).
 *
 * socketcan 4.0.7 quirks this module works around: decoding a signal wider than 32 bits adds
 * the high word without shifting it (`hi << 32` is `hi` in JavaScript), so evsed-io.kcd keeps
 * every signal ≤ 32 bits and the check below enforces it; a frame shorter than its message is
 * zero-padded rather than refused, hence the length check here; signal min/max only print to
 * the console, so ranges are checked here and the KCD has none; signals keep their last value
 * between sends, so `send` requires every signal of the message.
 *
 * Must not: own the channel (the board or the simulator does), interpret meanings, keep timers.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CanFrame } from './channel.js';
import { formatId } from './channel.js';
import {
  FUNCTION_MASK,
  KCD_NODE_OF,
  MESSAGES,
  MESSAGE_NAMES,
  NODE_MASK,
  NODE_MAX,
  NODE_MIN,
  idForNode,
} from './messages.js';
import type { CanRole, MessageName, SignalValues } from './messages.js';
import { loadSocketCan } from './socketcan.js';
import type { DatabaseService, KcdBus, KcdMessage, RawChannel } from './socketcan.js';

/** Name of the bus in evsed-io.kcd. */
export const KCD_BUS_NAME = 'evsed-io';
/** socketcan's DatabaseService decodes at most this many bits per signal correctly. */
const MAX_SIGNAL_BITS = 32;

/**
 * The shipped evsed-io.kcd: `hal/can/evsed-io.kcd` in the first folder above this module that
 * has it (the compiled module, or the daemon bundle's chunk, sits at some depth under the
 * installation; the file stays in the source tree).
 */
export function defaultKcdPath(): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start, up = 0; up < 6; up += 1, dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'hal', 'can', 'evsed-io.kcd');
    if (existsSync(candidate)) return candidate;
  }
  return path.join(start, 'evsed-io.kcd');
}

/** Parse `kcdPath` with socketcan's KCD parser and check it; throws Error naming the problem. */
export function loadKcd(kcdPath: string = defaultKcdPath()): KcdBus {
  let bus: KcdBus | undefined;
  try {
    bus = loadSocketCan().parseNetworkDescription(kcdPath).buses[KCD_BUS_NAME];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${kcdPath}: cannot be read as a KCD file (${reason})`, { cause: error });
  }
  if (!bus) throw new Error(`${kcdPath}: no bus named ${KCD_BUS_NAME}`);
  const problem = checkBus(bus);
  if (problem) throw new Error(`${kcdPath}: ${problem}`);
  return bus;
}

/** What is wrong with a parsed bus compared with messages.ts, or null. */
export function checkBus(bus: KcdBus): string | null {
  const byName = new Map(bus.messages.map((m) => [m.name, m]));
  for (const extra of bus.messages.filter((m) => !(m.name in MESSAGES))) {
    return `message ${extra.name} is not known to the driver`;
  }
  const functions = new Set<string>();
  for (const name of MESSAGE_NAMES) {
    const shape = MESSAGES[name];
    const message = byName.get(name);
    if (!message) return `message ${name} is missing`;
    if (message.ext || message.muxed) return `${name} must be a standard, non-multiplexed frame`;
    if ((message.id & NODE_MASK) !== (shape.broadcast ? 0 : 1)) {
      return `${name} id ${formatId(message.id)} must end in ${shape.broadcast ? 0 : 1} (node ${shape.broadcast ? 0 : 1})`;
    }
    // A function code carries one per-node message and at most one broadcast (node 0).
    const slot = `${message.id & FUNCTION_MASK}:${shape.broadcast}`;
    if (functions.has(slot)) return `${name} shares its function code with another message`;
    functions.add(slot);
    const producers = message.producers.map((p) => String(p.id));
    if (producers.length !== 1 || producers[0] !== KCD_NODE_OF[shape.producer]) {
      return `${name} must have exactly one producer, node ${KCD_NODE_OF[shape.producer]} (${shape.producer})`;
    }
    const signals = message.signals.map((s) => s.name).sort();
    if (signals.join() !== [...shape.signals].sort().join()) {
      return `${name} signals are ${signals.join(', ')}; expected ${[...shape.signals].sort().join(', ')}`;
    }
    for (const s of message.signals) {
      if (s.bitLength > MAX_SIGNAL_BITS) return `${name}.${s.name} is wider than ${MAX_SIGNAL_BITS} bits`;
      if (s.endianess !== 'little') return `${name}.${s.name} must be little-endian`;
      if (s.bitOffset + s.bitLength > message.length * 8)
        return `${name}.${s.name} lies beyond the ${message.length} bytes`;
      if (!(s.slope > 0)) return `${name}.${s.name} needs a positive slope`;
    }
  }
  return null;
}

export interface DecodedMessage {
  /** Controller node the frame came from or goes to (0 for broadcasts). */
  node: number;
  name: MessageName;
  values: SignalValues;
}

/** A handler returns a reason to have a well-formed frame counted as malformed (bad value). */
export type MessageHandler = (message: DecodedMessage) => string | void;
export type ProblemKind = 'unknown' | 'malformed';

export interface CodecStats {
  /** Frames decoded and handled. */
  received: number;
  sent: number;
  /** Ids not in the database, from unconfigured nodes, in the wrong direction, extended ids. */
  unknown: number;
  /** Wrong length, remote frames, values the handler refused. */
  malformed: number;
  /** Frames addressed to other controllers (controller role only; normal bus traffic). */
  ignored: number;
}

export interface CanCodecOptions {
  bus: KcdBus;
  /** Which side this codec speaks for: it decodes the other side's messages only. */
  role: CanRole;
  /** Controller nodes this side talks to (evsed: every configured node; controller: itself). */
  nodes: readonly number[];
  /** Where encoded frames go (the owner's channel). May throw; the error reaches send(). */
  transmit: (frame: CanFrame) => void;
  onMessage: MessageHandler;
  onProblem?: (kind: ProblemKind, detail: string) => void;
}

interface Port {
  listener: { fn: (message: CanFrame) => void; self: unknown } | null;
  addListener(event: string, fn: (message: CanFrame) => void, self?: unknown): void;
  send(message: CanFrame): void;
}

export class CanCodec {
  private readonly db: DatabaseService;
  private readonly port: Port;
  private readonly templates = new Map<number, KcdMessage>();
  private readonly decimals = new Map<string, number>();
  private readonly nodes: ReadonlySet<number>;
  private readonly counters: CodecStats = { received: 0, sent: 0, unknown: 0, malformed: 0, ignored: 0 };
  private decoded: MessageName | null = null;
  private txNode = 0;

  constructor(private readonly options: CanCodecOptions) {
    for (const node of options.nodes) {
      if (!Number.isInteger(node) || node < NODE_MIN || node > NODE_MAX)
        throw new RangeError(`CAN node ${node} is not within ${NODE_MIN}..${NODE_MAX}`);
    }
    this.nodes = new Set(options.nodes);
    for (const m of options.bus.messages) {
      this.templates.set(m.id, m);
      for (const s of m.signals) this.decimals.set(`${m.name}.${s.name}`, decimalsOf(s.slope));
    }
    const port: Port = {
      listener: null,
      addListener(event, fn, self) {
        if (event !== 'onMessage') throw new Error(`codec port: unsupported event ${event}`);
        port.listener = { fn, self };
      },
      send: (message) => this.transmit(message),
    };
    this.port = port;
    const { DatabaseService } = loadSocketCan();
    this.db = new DatabaseService(port as unknown as RawChannel, options.bus);
    for (const name of MESSAGE_NAMES) this.message(name).onMessageUpdate(() => (this.decoded = name));
  }

  stats(): CodecStats {
    return { ...this.counters };
  }

  /** Decode one received frame and hand it to the handler, or count why not. */
  receive(frame: CanFrame): void {
    const where = `${frame.ext ? 'extended ' : ''}id ${formatId(frame.id)}`;
    if (frame.ext) return this.problem('unknown', `${where}: extended ids are not used`);
    const node = frame.id & NODE_MASK;
    const exact = this.templates.get(frame.id);
    const template =
      exact && MESSAGES[exact.name as MessageName].broadcast
        ? exact // node 0 of a function code is its broadcast
        : node === 0
          ? undefined
          : this.templates.get(idForNode(frame.id, 1));
    if (!template) return this.problem('unknown', `${where}: not in the database`);
    const name = template.name as MessageName;
    const shape = MESSAGES[name];
    const foreignNode = !shape.broadcast && !this.nodes.has(node);
    if (shape.producer === this.options.role || foreignNode) {
      const othersTraffic = this.options.role === 'controller' && foreignNode;
      if (othersTraffic) {
        this.counters.ignored++;
        return;
      }
      const why =
        shape.producer === this.options.role
          ? `sent by ${shape.producer}, not expected here`
          : `node ${node} is not configured`;
      return this.problem('unknown', `${name} (${where}): ${why}`);
    }
    if (frame.rtr) return this.problem('malformed', `${name} (${where}): remote frame`);
    if (frame.data.length !== template.length) {
      return this.problem('malformed', `${name} (${where}): ${frame.data.length} bytes, expected ${template.length}`);
    }
    this.decoded = null;
    const listener = this.port.listener;
    listener?.fn.call(listener.self, { id: template.id, ext: false, rtr: false, data: frame.data });
    if (this.decoded !== name) return this.problem('malformed', `${name} (${where}): not decoded`);
    const values: Record<string, number> = {};
    for (const [signal, s] of Object.entries(this.message(name).signals)) {
      values[signal] = Number((s.value ?? NaN).toFixed(this.decimals.get(`${name}.${signal}`) ?? 0));
    }
    const refused = this.options.onMessage({ node: shape.broadcast ? 0 : node, name, values });
    if (typeof refused === 'string') return this.problem('malformed', `${name} from node ${node}: ${refused}`);
    this.counters.received++;
  }

  /**
   * Encode `values` (every signal of the message, engineering units) and transmit it to
   * `node` (ignored for broadcasts). Throws RangeError for a missing, unknown or out-of-range
   * value or a message this side does not produce; transmit errors pass through.
   */
  send(node: number, name: MessageName, values: SignalValues): void {
    const shape = MESSAGES[name];
    if (shape.producer !== this.options.role)
      throw new RangeError(`${name} is sent by ${shape.producer}, not ${this.options.role}`);
    if (!shape.broadcast && !this.nodes.has(node)) throw new RangeError(`${name}: node ${node} is not configured`);
    const message = this.message(name);
    for (const key of Object.keys(values)) {
      if (!(key in message.signals)) throw new RangeError(`${name} has no signal ${key}`);
    }
    for (const [signal, s] of Object.entries(message.signals)) {
      const value = values[signal];
      if (value === undefined || !Number.isFinite(value))
        throw new RangeError(`${name}.${signal}: a finite value is required, got ${String(value)}`);
      const raw = Math.round((value - s.intercept) / s.slope);
      const [min, max] =
        s.type === 'signed' ? [-(2 ** (s.bitLength - 1)), 2 ** (s.bitLength - 1) - 1] : [0, 2 ** s.bitLength - 1];
      if (raw < min || raw > max) {
        throw new RangeError(
          `${name}.${signal}: ${value}${s.unit ? ` ${s.unit}` : ''} is outside ${min * s.slope + s.intercept}..${max * s.slope + s.intercept}`,
        );
      }
    }
    for (const [signal, s] of Object.entries(message.signals)) s.update(values[signal]!);
    this.txNode = shape.broadcast ? 0 : node;
    this.db.send(name);
  }

  private transmit(message: CanFrame): void {
    const template = this.templates.get(message.id);
    const broadcast = template ? MESSAGES[template.name as MessageName].broadcast : false;
    this.options.transmit({ id: broadcast ? message.id : idForNode(message.id, this.txNode), data: message.data });
    this.counters.sent++;
  }

  private message(name: MessageName) {
    const message = this.db.messages[name];
    if (!message) throw new Error(`DatabaseService has no message ${name}`);
    return message;
  }

  private problem(kind: ProblemKind, detail: string): void {
    this.counters[kind]++;
    this.options.onProblem?.(kind, detail);
  }
}

/** Decimal places of a slope (0.1 → 1, 0.01 → 2, 1 → 0). */
function decimalsOf(slope: number): number {
  const text = String(slope);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}
