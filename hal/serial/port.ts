/**
 * Ownership of serial ports: exactly one owner per tty in this process.
 *
 * Owns: opening a tty with an exclusive lock (serialport `lock: true`, an flock on the device, so
 * another process cannot open it either), the in-process registry that refuses a second owner of
 * the same path (HalError 'portLocked'), the ordered write queue, fan-out of received bytes, and
 * the life of the link: when the port closes, errors or hangs up (cable pulled, USB adapter
 * gone, the far end of a pty closed; see hangup.ts) the owner reports `lost` and retries the open with exponential back-off
 * until the device is back, then reports `open` again so drivers can resynchronise.
 *
 * Must not: interpret bytes (drivers do: RAPI lines, Modbus frames, card reader lines), decide
 * anything about faults (drivers translate `lost` into their fault), retry writes.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { HalError } from '../errors.js';
import type { HalClock } from '../types.js';
import { hangUpAwareBinding } from './hangup.js';

export const PARITIES = ['none', 'even', 'odd'] as const;
export type Parity = (typeof PARITIES)[number];

/** Line settings of a tty. */
export interface SerialLineSettings {
  baudRate: number;
  dataBits: 7 | 8;
  parity: Parity;
  stopBits: 1 | 2;
}

export interface PortOwnerOptions extends SerialLineSettings {
  /** Device path, e.g. /dev/ttyUSB0 or a udev symlink. */
  path: string;
  /** First delay before reopening a lost port, ms; doubles up to `reopenMaxMs`. */
  reopenInitialMs: number;
  reopenMaxMs: number;
  clock: HalClock;
}

/** `closed`: never opened or released; `open`: usable; `lost`: was open, reopening. */
export type PortStatus = 'closed' | 'open' | 'lost';

export type PortStatusListener = (status: PortStatus, detail: string) => void;

/** What a driver needs from a port: bytes in, bytes out, and whether the link is up. */
export interface ByteChannel {
  readonly path: string;
  status(): PortStatus;
  /** Queue bytes for the port; rejects HalError 'portUnavailable' when it is not open. */
  write(bytes: Uint8Array | string): Promise<void>;
  onData(listener: (bytes: Buffer) => void): () => void;
  onStatus(listener: PortStatusListener): () => void;
}

export interface PortCounters {
  /** Times the port was lost after having been open. */
  losses: number;
  /** Successful reopens after a loss. */
  reopens: number;
  /** Failed reopen attempts. */
  reopenFailures: number;
  bytesIn: number;
  bytesOut: number;
}

/** Owners alive in this process, by resolved path. */
const owners = new Map<string, SerialPortOwner>();

function keyOf(devicePath: string): string {
  return path.resolve(devicePath);
}

function realPathOf(devicePath: string): string | null {
  try {
    return realpathSync(devicePath);
  } catch {
    return null; // the device does not exist (yet): nothing to compare
  }
}

/** Paths owned in this process (diagnostics and tests). */
export function ownedPorts(): string[] {
  return [...owners.values()].map((o) => o.path);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Map an open failure of serialport to the HAL catalogue. */
function openError(devicePath: string, error: unknown): HalError {
  const message = describe(error);
  if (/cannot lock port|resource temporarily unavailable|EWOULDBLOCK|EAGAIN/i.test(message)) {
    return new HalError('portLocked', `${devicePath}: ${message}`, { cause: error });
  }
  return new HalError('portUnavailable', `${devicePath}: ${message}`, { cause: error });
}

export class SerialPortOwner implements ByteChannel {
  readonly path: string;
  private port: SerialPort | null = null;
  private state: PortStatus = 'closed';
  private released = false;
  private reopenTimer: { cancel(): void } | null = null;
  private reopenDelayMs: number;
  private writeTail: Promise<void> = Promise.resolve();
  private readonly dataListeners = new Set<(bytes: Buffer) => void>();
  private readonly statusListeners = new Set<PortStatusListener>();
  private readonly stats: PortCounters = { losses: 0, reopens: 0, reopenFailures: 0, bytesIn: 0, bytesOut: 0 };
  private lastDetail = 'not opened yet';

  /** The device the path resolved to when opened (compared with other owners' devices). */
  private realPath: string | null = null;

  /** Nothing is opened or claimed until open(). */
  constructor(private readonly options: PortOwnerOptions) {
    this.path = options.path;
    this.reopenDelayMs = options.reopenInitialMs;
  }

  status(): PortStatus {
    return this.state;
  }

  /** Why the port is in its status (last error, or "open"). */
  detail(): string {
    return this.lastDetail;
  }

  counters(): PortCounters {
    return { ...this.stats };
  }

  /** Claim the path in this process and open it. Rejects HalError 'portLocked' when this
   * process already owns the path (or the same device under another name) or another process
   * holds its lock, 'portUnavailable' when it cannot be opened (missing, no permission); the
   * claim is given back on failure. */
  async open(): Promise<void> {
    if (this.released) throw new HalError('stopped', `${this.path} has been released`);
    if (this.state === 'open') return;
    this.claim();
    try {
      this.port = await this.openOnce();
    } catch (error) {
      this.unclaim();
      throw error;
    }
    this.setStatus('open', 'open');
  }

  write(bytes: Uint8Array | string): Promise<void> {
    const port = this.port;
    if (this.state !== 'open' || !port) {
      return Promise.reject(new HalError('portUnavailable', `${this.path} is ${this.state} (${this.lastDetail})`));
    }
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
    const done = this.writeTail.then(
      () =>
        new Promise<void>((resolve, reject) => {
          if (this.port !== port || this.state !== 'open') {
            reject(new HalError('portUnavailable', `${this.path} was lost before the write`));
            return;
          }
          port.write(data, (error) => {
            if (error) reject(new HalError('portUnavailable', `${this.path}: write failed: ${describe(error)}`, { cause: error }));
            else {
              this.stats.bytesOut += data.length;
              resolve();
            }
          });
        }),
    );
    this.writeTail = done.catch(() => undefined); // the queue goes on; the caller sees the error
    return done;
  }

  onData(listener: (bytes: Buffer) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onStatus(listener: PortStatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Close the port, stop reopening, give the path back to the registry. Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.reopenTimer?.cancel();
    this.reopenTimer = null;
    this.unclaim();
    const port = this.port;
    this.port = null;
    this.setStatus('closed', 'released');
    if (port?.isOpen) {
      await new Promise<void>((resolve) => {
        port.close((error) => {
          // Closing a port that vanished at the same moment: the device is gone either way.
          if (error) this.lastDetail = `close failed: ${describe(error)}`;
          resolve();
        });
      });
    }
    port?.removeAllListeners();
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private claim(): void {
    const key = keyOf(this.path);
    const held = owners.get(key);
    if (held && held !== this) throw new HalError('portLocked', `${this.path} is already owned in this process`);
    const real = realPathOf(this.path);
    if (real !== null) {
      for (const other of owners.values()) {
        if (other !== this && other.realPath === real) {
          throw new HalError('portLocked', `${this.path} is the same device as ${other.path}, already owned in this process`);
        }
      }
    }
    this.realPath = real;
    owners.set(key, this);
  }

  private unclaim(): void {
    const key = keyOf(this.path);
    if (owners.get(key) === this) owners.delete(key);
  }

  private openOnce(): Promise<SerialPort> {
    const { baudRate, dataBits, parity, stopBits } = this.options;
    // serialport takes a `binding` beside its options (its typings leave it out).
    const settings = { binding: hangUpAwareBinding, path: this.path, baudRate, dataBits, parity, stopBits, lock: true, autoOpen: false };
    const port = new SerialPort(settings as ConstructorParameters<typeof SerialPort>[0]);
    return new Promise((resolve, reject) => {
      port.open((error) => {
        if (error) {
          port.removeAllListeners();
          reject(openError(this.path, error));
          return;
        }
        port.on('data', (chunk: Buffer) => this.deliver(port, chunk));
        port.on('close', (error: Error | null) => this.onPortGone(port, error ? describe(error) : 'closed'));
        port.on('error', (error: Error) => {
          this.lastDetail = describe(error);
          if (!port.isOpen) this.onPortGone(port, describe(error));
        });
        resolve(port);
      });
    });
  }

  private deliver(port: SerialPort, chunk: Buffer): void {
    if (port !== this.port) return;
    this.stats.bytesIn += chunk.length;
    for (const listener of [...this.dataListeners]) listener(chunk);
  }

  private onPortGone(port: SerialPort, detail: string): void {
    if (port !== this.port || this.released) return;
    this.port = null;
    port.removeAllListeners();
    port.on('error', () => undefined); // a dead port may still report its own close failure
    this.stats.losses++;
    this.reopenDelayMs = this.options.reopenInitialMs;
    this.setStatus('lost', detail);
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.released || this.reopenTimer) return;
    const delayMs = this.reopenDelayMs;
    this.reopenDelayMs = Math.min(this.reopenDelayMs * 2, this.options.reopenMaxMs);
    this.reopenTimer = this.options.clock.setTimeout(() => {
      this.reopenTimer = null;
      void this.tryReopen();
    }, delayMs);
  }

  private async tryReopen(): Promise<void> {
    if (this.released || this.state === 'open') return;
    try {
      const port = await this.openOnce();
      if (this.released) {
        port.removeAllListeners();
        port.close(() => undefined);
        return;
      }
      this.port = port;
      this.stats.reopens++;
      this.setStatus('open', 'reopened');
    } catch (error) {
      this.stats.reopenFailures++;
      this.lastDetail = describe(error);
      this.scheduleReopen();
    }
  }

  private setStatus(status: PortStatus, detail: string): void {
    this.lastDetail = detail;
    if (status === this.state) return;
    this.state = status;
    for (const listener of [...this.statusListeners]) listener(status, detail);
  }
}
