/**
 * One RS-485 Modbus RTU bus: one port owner, one modbus-serial client, requests in series.
 *
 * Owns: the single ModbusRTU client of a port (given a ModbusPortAdapter over the port owner,
 * so the one-owner rule holds however many meters share the bus), the serialisation of
 * requests from every meter on it (one transaction on the wire at a time; the unit id is set
 * per request), a quiet gap after a timeout so a late answer cannot be taken for the next one,
 * and the mapping of modbus-serial's failures onto the HAL catalogue:
 *   no answer in time → 'timeout'; CRC error, exception response, wrong length → 'badReply';
 *   port not open → 'portUnavailable'.
 *
 * Must not: know meters or registers' meaning.
 */
import modbusSerial from 'modbus-serial';
import type { ModbusRTU as ModbusClient } from 'modbus-serial/ModbusRTU.js';
import { HalError } from '../../errors.js';
import type { HalClock } from '../../types.js';
import type { ByteChannel } from '../port.js';
import { ModbusPortAdapter } from './adapter.js';
import type { AdapterCounters } from './adapter.js';

/** modbus-serial is CommonJS: its default import is the ModbusRTU class itself. */
const ModbusRTU = modbusSerial as unknown as new (port: unknown) => ModbusClient;

export interface ModbusBusOptions {
  /** How long one request waits for its response, ms. */
  timeoutMs: number;
  /** Silence kept on the bus after a timeout before the next request, ms. */
  quietAfterTimeoutMs: number;
  clock: HalClock;
}

export interface ModbusBusCounters extends AdapterCounters {
  requests: number;
  timeouts: number;
  crcErrors: number;
  exceptions: number;
  otherErrors: number;
  clientErrors: number;
}

const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  6: 'server device busy',
};

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ModbusBus {
  private readonly adapter: ModbusPortAdapter;
  private readonly client: ModbusClient;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly stats = { requests: 0, timeouts: 0, crcErrors: 0, exceptions: 0, otherErrors: 0, clientErrors: 0 };

  constructor(
    readonly channel: ByteChannel,
    private readonly options: ModbusBusOptions,
  ) {
    this.adapter = new ModbusPortAdapter(channel);
    this.client = new ModbusRTU(this.adapter);
    this.client.setTimeout(options.timeoutMs);
    // modbus-serial re-emits port errors on the client; they also fail the transaction in flight.
    (this.client as unknown as NodeJS.EventEmitter).on('error', () => this.stats.clientErrors++);
  }

  get path(): string {
    return this.channel.path;
  }

  counters(): ModbusBusCounters {
    return { ...this.stats, ...this.adapter.counters() };
  }

  /** Attach the client to the (already open) port owner. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.open((error: unknown) => (error ? reject(error) : resolve()));
    });
  }

  /** Function 0x04. Resolves with the registers' raw bytes (2 per register, big-endian). */
  readInputRegisters(unitId: number, address: number, count: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new HalError('stopped', `${this.path}: Modbus bus closed`));
    const result = this.tail.then(() => this.exchange(unitId, address, count));
    this.tail = result.then(
      () => undefined,
      (error: unknown) => (error instanceof HalError && error.code === 'timeout' ? this.quiet() : undefined),
    );
    return result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.adapter.close();
  }

  private quiet(): Promise<void> {
    return new Promise((resolve) => this.options.clock.setTimeout(resolve, this.options.quietAfterTimeoutMs));
  }

  private async exchange(unitId: number, address: number, count: number): Promise<Buffer> {
    const where = `${this.path} unit ${unitId}, input registers 0x${address.toString(16).padStart(4, '0')}+${count}`;
    if (this.closed) throw new HalError('stopped', `${this.path}: Modbus bus closed`);
    if (!this.adapter.isOpen) throw new HalError('portUnavailable', `${where}: port ${this.channel.status()}`);
    this.stats.requests++;
    this.client.setID(unitId);
    try {
      const result = await this.client.readInputRegisters(address, count);
      return Buffer.from(result.buffer);
    } catch (error) {
      throw this.translate(error, where);
    }
  }

  private translate(error: unknown, where: string): HalError {
    const e = error as { name?: string; message?: string; modbusCode?: number; errno?: string };
    if (e.name === 'TransactionTimedOutError' || e.errno === 'ETIMEDOUT') {
      this.stats.timeouts++;
      return new HalError('timeout', `${where}: no answer in ${this.options.timeoutMs} ms`, { cause: error });
    }
    if (typeof e.modbusCode === 'number') {
      this.stats.exceptions++;
      const name = EXCEPTION_NAMES[e.modbusCode] ?? 'unknown';
      return new HalError('badReply', `${where}: exception ${e.modbusCode} (${name})`, { cause: error });
    }
    if (e.message === 'CRC error') {
      this.stats.crcErrors++;
      return new HalError('badReply', `${where}: CRC error`, { cause: error });
    }
    if (e.name === 'PortNotOpenError') {
      return new HalError('portUnavailable', `${where}: port not open`, { cause: error });
    }
    this.stats.otherErrors++;
    return new HalError('badReply', `${where}: ${describe(error)}`, { cause: error });
  }
}
