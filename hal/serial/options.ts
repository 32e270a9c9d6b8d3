/**
 * Configuration of the serial driver (`hardware.serial` in the config file): its TypeScript
 * shape, defaults and validation.
 *
 * Owns: SerialHardwareConfig (JSON-shaped, what a config file holds), the defaults, and
 * `resolveSerialConfig(value, key)`, which refuses unknown keys, wrong types, out-of-range
 * values and inconsistent ports with a RangeError naming the key
 * (`hardware.serial.connectors[0].meter.unitId: must be an integer from 1 to 247, got 0`).
 * Cross-checks: a connector id appears once; a tty serves one role only (RAPI controller,
 * Modbus bus or card reader; each controller has its own tty); meters sharing a bus agree on
 * its line settings, timeout and retries and have distinct unit ids.
 *
 * Must not: open anything.
 */
import path from 'node:path';
import { SEQUENCE_ID_MODES } from './rapi/controller.js';
import type { SequenceIdMode } from './rapi/controller.js';
import { METER_MODELS } from './modbus/registers.js';
import type { MeterModel } from './modbus/registers.js';
import { PARITIES } from './port.js';
import type { Parity } from './port.js';

/** A RAPI controller (OpenEVSE) on its own tty. */
export interface RapiControllerConfig {
  port: string;
  /** Default 115200 (OpenEVSE SERIAL_BAUD). */
  baudRate?: number;
  /** Wait for `$OK`/`$NK` per attempt, ms. Default 500. */
  replyTimeoutMs?: number;
  /** Attempts after the first before the controller counts as silent. Default 2. */
  retries?: number;
  /** `$GS` poll (state refresh and liveness probe), ms. Default 1000. */
  pollIntervalMs?: number;
  /** Poll of the controller's own readings (`$GG`/`$GU`) when no Modbus meter is set, ms. Default 1000. */
  meterIntervalMs?: number;
  /** How long setContactor waits for the controller to report its relay, ms. Default 3000. */
  contactorFeedbackTimeoutMs?: number;
  /** `auto` (default): on for RAPI ≥ 3.0.0 as reported by `$GV`. */
  sequenceIds?: SequenceIdMode;
  /** Accept replies without checksum (RAPI < 2.0.0 firmware). Default false. */
  allowMissingChecksum?: boolean;
}

/** An Eastron meter on an RS-485 bus; meters with the same `port` share the bus. */
export interface ModbusMeterConfig {
  port: string;
  /** Modbus unit id 1–247. */
  unitId: number;
  model: MeterModel;
  /** Default 9600. */
  baudRate?: number;
  /** Default `none`. */
  parity?: Parity;
  /** Default 1. */
  stopBits?: 1 | 2;
  /** Default 1000 ms. */
  pollIntervalMs?: number;
  /** Wait for a response, ms. Default 500. */
  timeoutMs?: number;
  /** Attempts after the first before a read fails (and meterFailure is raised). Default 1. */
  retries?: number;
}

/** A serial card reader sending one token per line (CR and/or LF). */
export interface SerialReaderConfig {
  port: string;
  /** Default 9600. */
  baudRate?: number;
  /** The same token again within this time is one presentation, ms. Default 2000. */
  repeatSuppressMs?: number;
}

export interface SerialConnectorConfig {
  /** Flat connector id, as numbered from `evses`. */
  connector: number;
  controller: RapiControllerConfig;
  /** Absent: the controller's own readings (`$GG`/`$GU`). */
  meter?: ModbusMeterConfig;
  /** A reader at this connector (events carry the connector id). */
  rfidReader?: SerialReaderConfig;
}

export interface SerialHardwareConfig {
  connectors: SerialConnectorConfig[];
  /** A reader shared by all connectors (events on connector 0). */
  rfidReader?: SerialReaderConfig;
  /** First delay before reopening a lost port, ms (doubles up to reopenMaxMs). Default 500. */
  reopenInitialMs?: number;
  /** Default 10000. */
  reopenMaxMs?: number;
}

export type ResolvedController = Required<RapiControllerConfig>;
export type ResolvedMeter = Required<ModbusMeterConfig>;
export type ResolvedReader = Required<SerialReaderConfig>;
export interface ResolvedConnectorConfig {
  connector: number;
  controller: ResolvedController;
  meter: ResolvedMeter | null;
  rfidReader: ResolvedReader | null;
}
export interface ResolvedSerialConfig {
  connectors: ResolvedConnectorConfig[];
  rfidReader: ResolvedReader | null;
  reopenInitialMs: number;
  reopenMaxMs: number;
}

export const SERIAL_DEFAULTS = {
  controller: {
    baudRate: 115200,
    replyTimeoutMs: 500,
    retries: 2,
    pollIntervalMs: 1000,
    meterIntervalMs: 1000,
    contactorFeedbackTimeoutMs: 3000,
    sequenceIds: 'auto' as SequenceIdMode,
    allowMissingChecksum: false,
  },
  meter: { baudRate: 9600, parity: 'none' as Parity, stopBits: 1 as 1 | 2, pollIntervalMs: 1000, timeoutMs: 500, retries: 1 },
  rfidReader: { baudRate: 9600, repeatSuppressMs: 2000 },
  reopenInitialMs: 500,
  reopenMaxMs: 10_000,
} as const;

const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400] as const;

type Obj = Record<string, unknown>;

function fail(key: string, problem: string, value?: unknown): never {
  const got = value === undefined ? '' : `, got ${JSON.stringify(value)}`;
  throw new RangeError(`${key}: ${problem}${got}`);
}

function object(value: unknown, key: string, allowed: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(key, 'must be an object', value);
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) fail(`${key}.${k}`, `unknown key (allowed: ${allowed.join(', ')})`);
  }
  return value as Obj;
}

function int(o: Obj, k: string, key: string, min: number, max: number, fallback?: number): number {
  const v = o[k];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(`${key}.${k}`, `must be an integer from ${min} to ${max}`, v);
  }
  return v;
}

function oneOf<T extends string | number>(o: Obj, k: string, key: string, allowed: readonly T[], fallback: T): T {
  const v = o[k];
  if (v === undefined) return fallback;
  if (!(allowed as readonly unknown[]).includes(v)) fail(`${key}.${k}`, `must be one of ${allowed.join(', ')}`, v);
  return v as T;
}

function bool(o: Obj, k: string, key: string, fallback: boolean): boolean {
  const v = o[k];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') fail(`${key}.${k}`, 'must be true or false', v);
  return v;
}

function portPath(o: Obj, key: string): string {
  const v = o['port'];
  if (typeof v !== 'string' || v.trim() === '' || !v.startsWith('/')) fail(`${key}.port`, 'must be an absolute device path', v);
  return v;
}

const CONTROLLER_KEYS = ['port', 'baudRate', 'replyTimeoutMs', 'retries', 'pollIntervalMs', 'meterIntervalMs', 'contactorFeedbackTimeoutMs', 'sequenceIds', 'allowMissingChecksum'];
const METER_KEYS = ['port', 'unitId', 'model', 'baudRate', 'parity', 'stopBits', 'pollIntervalMs', 'timeoutMs', 'retries'];
const READER_KEYS = ['port', 'baudRate', 'repeatSuppressMs'];

function controller(value: unknown, key: string): ResolvedController {
  const o = object(value, key, CONTROLLER_KEYS);
  const d = SERIAL_DEFAULTS.controller;
  return {
    port: portPath(o, key),
    baudRate: oneOf(o, 'baudRate', key, BAUD_RATES, d.baudRate),
    replyTimeoutMs: int(o, 'replyTimeoutMs', key, 20, 10_000, d.replyTimeoutMs),
    retries: int(o, 'retries', key, 0, 10, d.retries),
    pollIntervalMs: int(o, 'pollIntervalMs', key, 50, 60_000, d.pollIntervalMs),
    meterIntervalMs: int(o, 'meterIntervalMs', key, 50, 60_000, d.meterIntervalMs),
    contactorFeedbackTimeoutMs: int(o, 'contactorFeedbackTimeoutMs', key, 100, 30_000, d.contactorFeedbackTimeoutMs),
    sequenceIds: oneOf(o, 'sequenceIds', key, SEQUENCE_ID_MODES, d.sequenceIds),
    allowMissingChecksum: bool(o, 'allowMissingChecksum', key, d.allowMissingChecksum),
  };
}

function meter(value: unknown, key: string): ResolvedMeter {
  const o = object(value, key, METER_KEYS);
  const d = SERIAL_DEFAULTS.meter;
  if (o['model'] === undefined) fail(`${key}.model`, `is required (one of ${METER_MODELS.join(', ')})`);
  return {
    port: portPath(o, key),
    unitId: int(o, 'unitId', key, 1, 247),
    model: oneOf(o, 'model', key, METER_MODELS, 'sdm630'),
    baudRate: oneOf(o, 'baudRate', key, BAUD_RATES, d.baudRate),
    parity: oneOf(o, 'parity', key, PARITIES, d.parity),
    stopBits: oneOf(o, 'stopBits', key, [1, 2] as const, d.stopBits),
    pollIntervalMs: int(o, 'pollIntervalMs', key, 50, 3_600_000, d.pollIntervalMs),
    timeoutMs: int(o, 'timeoutMs', key, 20, 10_000, d.timeoutMs),
    retries: int(o, 'retries', key, 0, 10, d.retries),
  };
}

function reader(value: unknown, key: string): ResolvedReader {
  const o = object(value, key, READER_KEYS);
  const d = SERIAL_DEFAULTS.rfidReader;
  return {
    port: portPath(o, key),
    baudRate: oneOf(o, 'baudRate', key, BAUD_RATES, d.baudRate),
    repeatSuppressMs: int(o, 'repeatSuppressMs', key, 0, 60_000, d.repeatSuppressMs),
  };
}

/** Validate `value` as `hardware.serial` and fill in the defaults. Throws RangeError naming the key. */
export function resolveSerialConfig(value: unknown, key = 'hardware.serial'): ResolvedSerialConfig {
  const o = object(value, key, ['connectors', 'rfidReader', 'reopenInitialMs', 'reopenMaxMs']);
  const list = o['connectors'];
  if (!Array.isArray(list) || list.length === 0) fail(`${key}.connectors`, 'must be a non-empty list', list);
  const connectors = list.map((entry: unknown, i): ResolvedConnectorConfig => {
    const k = `${key}.connectors[${i}]`;
    const c = object(entry, k, ['connector', 'controller', 'meter', 'rfidReader']);
    if (c['controller'] === undefined) fail(`${k}.controller`, 'is required');
    return {
      connector: int(c, 'connector', k, 1, 1000),
      controller: controller(c['controller'], `${k}.controller`),
      meter: c['meter'] === undefined ? null : meter(c['meter'], `${k}.meter`),
      rfidReader: c['rfidReader'] === undefined ? null : reader(c['rfidReader'], `${k}.rfidReader`),
    };
  });
  const resolved: ResolvedSerialConfig = {
    connectors,
    rfidReader: o['rfidReader'] === undefined ? null : reader(o['rfidReader'], `${key}.rfidReader`),
    reopenInitialMs: int(o, 'reopenInitialMs', key, 10, 60_000, SERIAL_DEFAULTS.reopenInitialMs),
    reopenMaxMs: int(o, 'reopenMaxMs', key, 10, 600_000, SERIAL_DEFAULTS.reopenMaxMs),
  };
  if (resolved.reopenMaxMs < resolved.reopenInitialMs) fail(`${key}.reopenMaxMs`, 'must not be below reopenInitialMs', resolved.reopenMaxMs);
  crossCheck(resolved, key);
  return resolved;
}

function crossCheck(config: ResolvedSerialConfig, key: string): void {
  const seenIds = new Map<number, number>();
  /** Resolved port path → [role, key of its first use]. */
  const roles = new Map<string, { role: 'controller' | 'meter' | 'rfidReader'; key: string }>();
  const buses = new Map<string, { meter: ResolvedMeter; key: string; units: Set<number> }>();
  const claim = (port: string, role: 'controller' | 'meter' | 'rfidReader', k: string): void => {
    const p = path.resolve(port);
    const first = roles.get(p);
    if (!first) {
      roles.set(p, { role, key: k });
      return;
    }
    if (first.role !== role || role !== 'meter') fail(`${k}.port`, `${port} is already used by ${first.key}`);
  };
  config.connectors.forEach((c, i) => {
    const k = `${key}.connectors[${i}]`;
    const before = seenIds.get(c.connector);
    if (before !== undefined) fail(`${k}.connector`, `connector ${c.connector} is already configured at ${key}.connectors[${before}]`);
    seenIds.set(c.connector, i);
    claim(c.controller.port, 'controller', `${k}.controller`);
    if (c.meter) {
      const m = c.meter;
      claim(m.port, 'meter', `${k}.meter`);
      const p = path.resolve(m.port);
      const bus = buses.get(p);
      if (!bus) {
        buses.set(p, { meter: m, key: `${k}.meter`, units: new Set([m.unitId]) });
      } else {
        for (const field of ['baudRate', 'parity', 'stopBits', 'timeoutMs', 'retries'] as const) {
          if (bus.meter[field] !== m[field]) fail(`${k}.meter.${field}`, `differs from ${bus.key}.${field} on the same bus`, m[field]);
        }
        if (bus.units.has(m.unitId)) fail(`${k}.meter.unitId`, `unit ${m.unitId} is already used on ${m.port}`);
        bus.units.add(m.unitId);
      }
    }
    if (c.rfidReader) claim(c.rfidReader.port, 'rfidReader', `${k}.rfidReader`);
  });
  if (config.rfidReader) claim(config.rfidReader.port, 'rfidReader', `${key}.rfidReader`);
}
