/**
 * Simulated Eastron meters (SDM630, SDM120) on one RS-485 bus, answering Modbus RTU on the
 * device end of a pty.
 *
 * Owns: RTU request framing (8-byte requests, CRC-16/Modbus checked: a bad CRC is ignored as a
 * real slave does; requests for other unit ids are ignored), function 0x04 over the meters'
 * float32 input registers (even start and count only, every register defined, at most 80,
 * else exception 2 / 3; any other function: exception 1), one response per request with CRC.
 * Each unit measures either fixed values (setValues) or a simulated RAPI controller's EV
 * (voltage per phase, the EV's current, power Σ V·I) and integrates its import energy in real
 * time from what it measures, settled before every change of current.
 * Injections per unit: corrupted CRCs, exception responses, silence — for the next n requests.
 *
 * Must not: share code with hal/serial (an independent implementation of the wire format).
 */
import { performance } from 'node:perf_hooks';
import type { RapiSim } from './rapi-sim.js';
import { SimPort } from './sim-port.js';

export type SimMeterModel = 'sdm630' | 'sdm120';

export interface SimMeterValues {
  voltageV: number[];
  currentA: number[];
  powerW: number;
  energyKWh: number;
}

export type MeterInjection = { kind: 'crc' } | { kind: 'silence' } | { kind: 'exception'; code: number };

export interface ModbusRequestLog {
  unitId: number;
  functionCode: number;
  address: number;
  count: number;
}

/** What happened on the wire, in order (to check that requests never overlap). */
export interface WireEvent {
  kind: 'request' | 'response';
  unitId: number;
  atMs: number;
}

interface Unit {
  unitId: number;
  model: SimMeterModel;
  source: RapiSim | null;
  fixed: Omit<SimMeterValues, 'energyKWh'> | null;
  energyKWh: number;
  /** Energy fixed by setValues: no integration. */
  energyFrozen: boolean;
  lastSettleMs: number;
  injection: MeterInjection | null;
  injectionsLeft: number;
}

/** CRC-16/Modbus (poly 0xA001 reflected, init 0xFFFF). */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

function withCrc(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length + 2);
  body.copy(out);
  out.writeUInt16LE(crc16(body), body.length);
  return out;
}

const SDM630_REGS = { v: [0, 2, 4], i: [6, 8, 10], p: [12, 14, 16], total: 52, energy: 72 };
const SDM120_REGS = { v: [0], i: [6], p: [12], total: null, energy: 72 };

export class ModbusSim {
  readonly requests: ModbusRequestLog[] = [];
  readonly wire: WireEvent[] = [];
  private readonly port: SimPort;
  private readonly units = new Map<number, Unit>();
  private buffer = Buffer.alloc(0);
  private readonly offs: (() => void)[] = [];

  private constructor(path: string) {
    this.port = new SimPort(path, (bytes) => this.onBytes(bytes));
  }

  static async open(path: string): Promise<ModbusSim> {
    const sim = new ModbusSim(path);
    await sim.port.attach();
    return sim;
  }

  /** Serve a meter at `unitId`, measuring `source` (a simulated controller's EV) or nothing. */
  addUnit(unitId: number, model: SimMeterModel, source: RapiSim | null = null, energyKWh = 0): void {
    const unit: Unit = {
      unitId,
      model,
      source,
      fixed: null,
      energyKWh,
      energyFrozen: false,
      lastSettleMs: performance.now(),
      injection: null,
      injectionsLeft: 0,
    };
    this.units.set(unitId, unit);
    if (source) this.offs.push(source.onElectrical(() => this.settle(unit)));
  }

  /** Fixed measurements from now on; energy keeps integrating from them unless given (then it
   * stays at the value given). */
  setValues(unitId: number, values: Partial<SimMeterValues>): void {
    const unit = this.unit(unitId);
    this.settle(unit);
    const now = this.measure(unit);
    unit.fixed = {
      voltageV: values.voltageV ?? now.voltageV,
      currentA: values.currentA ?? now.currentA,
      powerW: values.powerW ?? now.powerW,
    };
    if (values.energyKWh !== undefined) {
      unit.energyKWh = values.energyKWh;
      unit.energyFrozen = true;
    }
  }

  /** The next `count` requests to `unitId` get `injection` (null: back to normal). */
  inject(unitId: number, injection: MeterInjection | null, count = 1): void {
    const unit = this.unit(unitId);
    unit.injection = injection;
    unit.injectionsLeft = injection ? count : 0;
  }

  energyKWh(unitId: number): number {
    const unit = this.unit(unitId);
    this.settle(unit);
    return unit.energyKWh;
  }

  async detach(): Promise<void> {
    await this.port.detach();
    this.buffer = Buffer.alloc(0);
  }

  async attach(path?: string): Promise<void> {
    await this.port.attach(path);
  }

  async close(): Promise<void> {
    for (const off of this.offs) off();
    await this.port.detach();
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private unit(unitId: number): Unit {
    const unit = this.units.get(unitId);
    if (!unit) throw new Error(`no simulated meter at unit ${unitId}`);
    return unit;
  }

  private phases(unit: Unit): number {
    return unit.model === 'sdm630' ? 3 : 1;
  }

  private measure(unit: Unit): Omit<SimMeterValues, 'energyKWh'> {
    if (unit.fixed) return unit.fixed;
    const n = this.phases(unit);
    const src = unit.source;
    const volts = src ? src.voltageV() : 230;
    const evPhases = src ? src.options.phases : 1;
    const voltageV = Array.from({ length: n }, () => volts);
    const currentA = Array.from({ length: n }, (_, p) => (src && p < evPhases ? src.currentA() : 0));
    const powerW = currentA.reduce((acc, a, p) => acc + a * (voltageV[p] ?? 0), 0);
    return { voltageV, currentA, powerW };
  }

  private settle(unit: Unit): void {
    const now = performance.now();
    const { powerW } = this.measure(unit);
    if (powerW > 0 && !unit.energyFrozen) unit.energyKWh += (powerW * (now - unit.lastSettleMs)) / 3_600_000_000;
    unit.lastSettleMs = now;
  }

  private registers(unit: Unit): Map<number, number> {
    this.settle(unit);
    const m = this.measure(unit);
    const map = unit.model === 'sdm630' ? SDM630_REGS : SDM120_REGS;
    const regs = new Map<number, number>();
    map.v.forEach((a, p) => regs.set(a, m.voltageV[p] ?? 0));
    map.i.forEach((a, p) => regs.set(a, m.currentA[p] ?? 0));
    map.p.forEach((a, p) => regs.set(a, (m.currentA[p] ?? 0) * (m.voltageV[p] ?? 0)));
    if (unit.model === 'sdm120') regs.set(12, m.powerW);
    if (map.total !== null) regs.set(map.total, m.powerW);
    regs.set(map.energy, unit.energyKWh);
    return regs;
  }

  private onBytes(bytes: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, bytes]);
    while (this.buffer.length >= 8) {
      const frame = this.buffer.subarray(0, 8);
      if (crc16(frame.subarray(0, 6)) !== frame.readUInt16LE(6)) {
        this.buffer = this.buffer.subarray(1); // not a frame start (or noise): slide
        continue;
      }
      this.buffer = this.buffer.subarray(8);
      this.onRequest(Buffer.from(frame));
    }
  }

  private onRequest(frame: Buffer): void {
    const unitId = frame[0] ?? 0;
    const functionCode = frame[1] ?? 0;
    const address = frame.readUInt16BE(2);
    const count = frame.readUInt16BE(4);
    const unit = this.units.get(unitId);
    if (!unit) return; // another slave's request
    this.requests.push({ unitId, functionCode, address, count });
    this.wire.push({ kind: 'request', unitId, atMs: performance.now() });
    const injection = unit.injectionsLeft > 0 ? unit.injection : null;
    if (injection) unit.injectionsLeft--;
    if (injection?.kind === 'silence') return;
    let reply: Buffer;
    if (injection?.kind === 'exception') reply = this.exception(unitId, functionCode, injection.code);
    else reply = this.answer(unit, functionCode, address, count);
    if (injection?.kind === 'crc') reply.writeUInt16LE(reply.readUInt16LE(reply.length - 2) ^ 0xbeef, reply.length - 2);
    setImmediate(() => {
      this.wire.push({ kind: 'response', unitId, atMs: performance.now() });
      this.port.write(reply);
    });
  }

  private exception(unitId: number, functionCode: number, code: number): Buffer {
    return withCrc(Buffer.from([unitId, functionCode | 0x80, code]));
  }

  private answer(unit: Unit, functionCode: number, address: number, count: number): Buffer {
    if (functionCode !== 0x04) return this.exception(unit.unitId, functionCode, 1);
    if (count === 0 || count > 80) return this.exception(unit.unitId, functionCode, 3);
    const regs = this.registers(unit);
    if (address % 2 !== 0 || count % 2 !== 0) return this.exception(unit.unitId, functionCode, 2);
    const data = Buffer.alloc(count * 2);
    for (let a = address; a < address + count; a += 2) {
      const value = regs.get(a);
      if (value === undefined) return this.exception(unit.unitId, functionCode, 2);
      data.writeFloatBE(value, (a - address) * 2);
    }
    return withCrc(Buffer.concat([Buffer.from([unit.unitId, 0x04, data.length]), data]));
  }
}
