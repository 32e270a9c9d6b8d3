/**
 * The CAN channel contract of the `can` driver, and its implementation on a Linux SocketCAN
 * raw socket (the `socketcan` package).
 *
 * Owns: `CanChannel` (send a classic frame, receive frames, errors, close), frame checks, and
 * `SocketCanChannel`: non-blocking sends whose result is checked, error frames and a socket the
 * kernel hangs up turned into HalErrors, and the diagnosis of an interface that cannot be
 * opened (socketcan only says "Error while creating channel"; /sys/class/net tells why).
 * Semantics every implementation keeps (the in-memory FakeBus of the tests too): a frame sent on
 * one end is received by every other end on the bus, asynchronously, in sending order, never by
 * the sender itself; listeners that throw are reported, never crash the receive path.
 *
 * Must not: know message meanings (codec.ts), retry, or queue frames itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HalError } from '../errors.js';
import { loadSocketCan } from './socketcan.js';
import type { RawChannel, SocketCan } from './socketcan.js';

/** A classic CAN 2.0 frame. `data` holds 0..8 bytes; `id` is 11-bit, or 29-bit with `ext`. */
export interface CanFrame {
  readonly id: number;
  readonly ext?: boolean;
  readonly rtr?: boolean;
  readonly data: Buffer;
}

export type CanFrameListener = (frame: CanFrame) => void;
export type CanErrorListener = (error: HalError) => void;

export interface CanChannel {
  /** Interface or end name, used in error details (e.g. `can0`). */
  readonly name: string;
  /**
   * Queue one frame for sending without blocking. Throws RangeError for a malformed frame,
   * HalError 'stopped' after close(), and HalError 'timeout' when the interface did not take
   * the frame (transmit queue full, interface down, bus-off).
   */
  send(frame: CanFrame): void;
  /** Frames from the other nodes; returns the unsubscribe function. */
  onFrame(listener: CanFrameListener): () => void;
  /** Bus errors (error frames) and the loss of the interface; returns the unsubscribe function. */
  onError(listener: CanErrorListener): () => void;
  /** Stop receiving and release the socket; idempotent. */
  close(): void;
  isOpen(): boolean;
}

export const CAN_MAX_DATA_BYTES = 8;
export const CAN_SFF_MAX_ID = 0x7ff;
export const CAN_EFF_MAX_ID = 0x1fffffff;
/** What a successful send of a classic frame returns from the socket (sizeof struct can_frame). */
const CAN_MTU = 16;
/** ARPHRD_CAN: the link type of CAN interfaces in /sys/class/net/<if>/type. */
const ARPHRD_CAN = '280';
/** Longest Linux interface name (IFNAMSIZ - 1). */
const IFNAME_MAX = 15;

/** Throw RangeError unless `frame` is a well-formed classic CAN frame. */
export function checkFrame(frame: CanFrame): void {
  const maxId = frame.ext ? CAN_EFF_MAX_ID : CAN_SFF_MAX_ID;
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > maxId) {
    throw new RangeError(`CAN id must be an integer within 0..0x${maxId.toString(16)}, got ${String(frame.id)}`);
  }
  if (!Buffer.isBuffer(frame.data) || frame.data.length > CAN_MAX_DATA_BYTES) {
    throw new RangeError(`CAN data must be a Buffer of at most ${CAN_MAX_DATA_BYTES} bytes`);
  }
}

export function formatId(id: number): string {
  return `0x${id.toString(16).toUpperCase().padStart(3, '0')}`;
}

/** A listener list whose listeners cannot break delivery: a throw becomes a process warning. */
export class Listeners<T> {
  private list: ((value: T) => void)[] = [];

  add(listener: (value: T) => void): () => void {
    this.list = [...this.list, listener];
    return () => {
      this.list = this.list.filter((l) => l !== listener);
    };
  }

  emit(value: T, what: string): void {
    for (const listener of this.list) {
      try {
        listener(value);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        process.emitWarning(`CAN ${what} listener threw: ${message}`, { code: 'EVSED_HAL_CAN_LISTENER' });
      }
    }
  }
}

/** Names of the error classes in the id of a SocketCAN error frame (linux/can/error.h). */
const ERROR_CLASSES: readonly [number, string][] = [
  [0x001, 'transmit timeout'],
  [0x002, 'arbitration lost'],
  [0x004, 'controller problem'],
  [0x008, 'protocol violation'],
  [0x010, 'transceiver status'],
  [0x020, 'no acknowledgement'],
  [0x040, 'bus-off'],
  [0x080, 'bus error'],
  [0x100, 'controller restarted'],
];

export function describeErrorFrame(errorClass: number): string {
  const names = ERROR_CLASSES.filter(([bit]) => (errorClass & bit) !== 0).map(([, name]) => name);
  return `${names.length > 0 ? names.join(', ') : 'unknown error'} (class ${formatId(errorClass)})`;
}

/** What SocketCanChannel.open needs from the system; tests replace it. */
export interface SocketCanDeps {
  socketcan?: Pick<SocketCan, 'createRawChannelWithOptions'>;
  /** Where network interfaces are listed (default /sys/class/net). */
  sysClassNet?: string;
}

interface RawMessage {
  id: number;
  ext?: boolean;
  rtr?: boolean;
  err?: boolean;
  data: Buffer;
}

export class SocketCanChannel implements CanChannel {
  private readonly frames = new Listeners<CanFrame>();
  private readonly errors = new Listeners<HalError>();
  private open = true;
  /** The kernel hung up the socket: the native channel has stopped itself. */
  private hungUp = false;

  private constructor(
    readonly name: string,
    private readonly raw: RawChannel,
  ) {}

  /**
   * Open a raw CAN socket on `iface` with non-blocking sends. Throws HalError
   * 'interfaceMissing' (`network interface does not exist: can0`) when there is no such CAN
   * interface, 'portUnavailable' when it exists but the socket cannot be opened, and
   * 'notSupported' when the socketcan package cannot load.
   */
  static open(iface: string, deps: SocketCanDeps = {}): SocketCanChannel {
    if (!/^[^\s/]+$/.test(iface) || iface.length > IFNAME_MAX || iface === '.' || iface === '..') {
      throw new HalError('interfaceMissing', `${JSON.stringify(iface)} is not a valid interface name`);
    }
    const socketcan = deps.socketcan ?? loadSocketCan();
    let raw: RawChannel;
    try {
      raw = socketcan.createRawChannelWithOptions(iface, { timestamps: false, non_block_send: true });
    } catch (error) {
      throw explainOpenFailure(iface, error, deps.sysClassNet ?? '/sys/class/net');
    }
    const channel = new SocketCanChannel(iface, raw);
    raw.addListener('onMessage', (message: RawMessage) => channel.receive(message));
    raw.addListener('onStopped', () => channel.stoppedByKernel());
    raw.start();
    return channel;
  }

  send(frame: CanFrame): void {
    if (!this.open) throw new HalError('stopped', `${this.name}: channel closed`);
    checkFrame(frame);
    const message = { id: frame.id, ext: frame.ext === true, rtr: frame.rtr === true, data: frame.data };
    // The typings say void; the native send returns what send(2) returned.
    const written: unknown = (this.raw.send as (m: typeof message) => unknown)(message);
    if (written !== CAN_MTU) {
      throw new HalError(
        'timeout',
        `${this.name}: frame ${formatId(frame.id)} not queued (send returned ${String(written)}: ` +
          'transmit queue full, interface down or bus-off)',
      );
    }
  }

  onFrame(listener: (frame: CanFrame) => void): () => void {
    return this.frames.add(listener);
  }

  onError(listener: (error: HalError) => void): () => void {
    return this.errors.add(listener);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    if (!this.hungUp) this.raw.stop();
  }

  isOpen(): boolean {
    return this.open;
  }

  private receive(message: RawMessage): void {
    if (!this.open) return;
    if (message.err) {
      const error = new HalError('badReply', `${this.name}: CAN error frame: ${describeErrorFrame(message.id)}`);
      this.errors.emit(error, 'error');
      return;
    }
    const frame: CanFrame = {
      id: message.id,
      ext: message.ext === true,
      rtr: message.rtr === true,
      data: message.data,
    };
    this.frames.emit(frame, 'frame');
  }

  /** The native channel reports a stop; on our own close() it is expected and ignored. */
  private stoppedByKernel(): void {
    if (!this.open) return;
    this.hungUp = true;
    this.open = false;
    this.errors.emit(new HalError('interfaceMissing', `${this.name}: the kernel closed the CAN socket`), 'error');
  }
}

/** Why createRawChannel failed: socketcan only says "Error while creating channel". */
export function explainOpenFailure(iface: string, error: unknown, sysClassNet: string): HalError {
  const native = error instanceof Error ? error.message : String(error);
  const options = { cause: error };
  if (!existsSync(sysClassNet)) {
    return new HalError(
      'interfaceMissing',
      `${iface} (socketcan: ${native}; ${sysClassNet} is not there to tell why)`,
      options,
    );
  }
  const dir = path.join(sysClassNet, iface);
  if (!existsSync(dir)) return new HalError('interfaceMissing', iface, options);
  let linkType = 'unknown';
  try {
    linkType = readFileSync(path.join(dir, 'type'), 'utf8').trim();
  } catch (readError) {
    linkType = `unreadable: ${readError instanceof Error ? readError.message : String(readError)}`;
  }
  if (linkType !== ARPHRD_CAN) {
    return new HalError('interfaceMissing', `${iface} is not a CAN interface (link type ${linkType})`, options);
  }
  return new HalError(
    'portUnavailable',
    `CAN interface ${iface} exists but its raw socket cannot be opened (socketcan: ${native}; can-raw module, permissions?)`,
    options,
  );
}
