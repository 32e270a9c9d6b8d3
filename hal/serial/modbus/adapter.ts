/**
 * The port object modbus-serial talks to, on top of a serial port owner.
 *
 * Owns: the small port interface ModbusRTU expects (`open`, `close`, `write`, `isOpen`, events
 * `data`, `error`, `close`) and RTU response framing: after each request it knows the unit and
 * function it expects and the length of a normal (3 + 2n + 2 bytes for functions 3/4, 8 for
 * 5/6/15/16) or exception (5 bytes) response, and emits exactly that slice as one `data` event,
 * skipping stray bytes before it. Bytes left over from an earlier exchange are dropped when the
 * next request is written.
 *
 * Must not: open or close the tty (the owner does; `close` only detaches), check CRCs
 * (modbus-serial does and reports "CRC error").
 */
import { EventEmitter } from 'node:events';
import type { ByteChannel } from '../port.js';

const EXCEPTION_LENGTH = 5;
const MAX_BUFFER_BYTES = 512;

export interface AdapterCounters {
  /** Bytes discarded: before a response, after one, or left from an earlier exchange. */
  strayBytes: number;
  /** Requests the port owner could not write (the exchange then times out). */
  writeFailures: number;
  lastWriteError: string;
}

function expectedLength(request: Buffer): number | null {
  const code = request[1];
  if (code === 3 || code === 4) return 3 + 2 * request.readUInt16BE(4) + 2;
  if (code === 5 || code === 6 || code === 15 || code === 16) return 8;
  return null;
}

export class ModbusPortAdapter extends EventEmitter {
  private buffer = Buffer.alloc(0);
  private unitId = -1;
  private functionCode = -1;
  private length: number | null = null;
  private attached = false;
  private offData: (() => void) | null = null;
  private readonly stats: AdapterCounters = { strayBytes: 0, writeFailures: 0, lastWriteError: '' };

  constructor(private readonly channel: ByteChannel) {
    super();
  }

  get isOpen(): boolean {
    return this.attached && this.channel.status() === 'open';
  }

  counters(): AdapterCounters {
    return { ...this.stats };
  }

  /** Attach to the owner (the tty is already open, or reopening). */
  open(callback?: (error: Error | null) => void): void {
    if (!this.attached) {
      this.attached = true;
      this.offData = this.channel.onData((bytes) => this.onBytes(bytes));
    }
    callback?.(null);
  }

  /** Detach from the owner; the tty stays with its owner. */
  close(callback?: (error: Error | null) => void): void {
    this.offData?.();
    this.offData = null;
    this.attached = false;
    this.emit('close');
    callback?.(null);
  }

  write(data: Buffer): void {
    if (this.buffer.length > 0) this.stats.strayBytes += this.buffer.length;
    this.buffer = Buffer.alloc(0);
    this.unitId = data[0] ?? -1;
    this.functionCode = data[1] ?? -1;
    this.length = data.length >= 6 ? expectedLength(data) : null;
    // A failed write surfaces as modbus-serial's transaction timeout (and the owner reports a
    // lost port); it is counted here for diagnostics.
    this.channel.write(data).catch((error: unknown) => {
      this.stats.writeFailures++;
      this.stats.lastWriteError = error instanceof Error ? error.message : String(error);
    });
  }

  private onBytes(bytes: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, bytes]);
    if (this.buffer.length > MAX_BUFFER_BYTES) {
      this.stats.strayBytes += this.buffer.length - MAX_BUFFER_BYTES;
      this.buffer = this.buffer.subarray(this.buffer.length - MAX_BUFFER_BYTES);
    }
    this.extract();
  }

  private extract(): void {
    if (this.length === null) return;
    for (let i = 0; i + EXCEPTION_LENGTH <= this.buffer.length; i++) {
      if (this.buffer[i] !== this.unitId) continue;
      const code = this.buffer[i + 1];
      const size = code === this.functionCode ? this.length : code === (this.functionCode | 0x80) ? EXCEPTION_LENGTH : null;
      if (size === null) continue;
      if (i + size > this.buffer.length) return; // header found, rest still on the wire
      this.stats.strayBytes += i;
      const frame = Buffer.from(this.buffer.subarray(i, i + size));
      this.buffer = this.buffer.subarray(i + size);
      this.length = null; // one response per request
      this.emit('data', frame);
      return;
    }
  }
}
