/**
 * Test rig for the 2.0.1 device model: a real SQLite file in a temp dir, real Settings, a
 * StationRuntime on the simulated board (manual clock), and a DeviceModel over them; plus a fake
 * TypedRpc that records handler registrations and own CALLs, and a pino logger into an array.
 *
 * Owns: the standard layout — EVSE 1 with one socket connector (Type 2, 3 × 32 A, lock); EVSE 2
 * with two tethered connectors (1 × 16 A and 3 × 16 A, no lock). Must not: reach into the
 * DeviceModel beyond its public API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { createSimBoard, simConnectorInfo, type SimBoard } from '../../../../hal/sim/index.js';
import type { ConnectorInfo } from '../../../../hal/types.js';
import type { Config } from '../../../../src/config/types.js';
import { createClock, type Clock } from '../../../../src/domain/clock.js';
import { Settings } from '../../../../src/domain/settings.js';
import { StationRuntime } from '../../../../src/domain/station.js';
import type { AdapterContext, TypedRpc } from '../../../../src/ocpp/adapter.js';
import type { V201CsmsToCs, V201CsToCsms } from '../../../../src/ocpp/schemas/generated/v201/types.js';
import { DeviceModel } from '../../../../src/ocpp/v201/device-model/index.js';
import { openDatabase, type Db } from '../../../../src/store/db.js';
import { createDeviceModelStore } from '../../../../src/store/device-model.js';
import { createSettingsStore } from '../../../../src/store/settings.js';
import { ManualClock } from '../../../hal/manual-clock.js';

export const RIG_CONNECTORS: readonly ConnectorInfo[] = [
  simConnectorInfo(1),
  simConnectorInfo(2, {
    evseId: 2,
    connectorId: 1,
    type: 'cType2',
    phases: 1,
    maxCurrentA: 16,
    hasLock: false,
    hasRcdTest: false,
  }),
  simConnectorInfo(3, {
    evseId: 2,
    connectorId: 2,
    type: 'cType2',
    phases: 3,
    maxCurrentA: 16,
    hasLock: false,
    hasRcdTest: false,
  }),
];

export const TETHERED_ONLY: readonly ConnectorInfo[] = [simConnectorInfo(1, { type: 'cType2', hasLock: false })];

export function rigConfig(dataDir: string): Config {
  return {
    identity: 'CP-0042',
    csms: { url: 'ws://127.0.0.1:9/ocpp', protocols: ['ocpp2.0.1'], securityProfile: 1, password: '0123456789abcdef' },
    dataDir,
    controlSocket: path.join(dataDir, 'evsed.sock'),
    hardware: { driver: 'sim', sim: { timeScale: 1, tickMs: 200 }, serial: {}, can: {} },
    evses: [],
    station: { vendor: 'ACME', model: 'Wallbox-2', serialNumber: 'ACME-000042', firmwareVersion: '1.2.3' },
    settings: {},
    log: { level: 'silent' },
  };
}

export interface Rig {
  dir: string;
  db: Db;
  settings: Settings;
  runtime: StationRuntime;
  board: SimBoard;
  hal: ManualClock;
  clock: Clock;
  dm: DeviceModel;
  localList: { entries: number };
  /** Close everything but keep the data directory (to reopen it). */
  stop(): Promise<void>;
}

export interface RigOptions {
  dir?: string;
  connectors?: readonly ConnectorInfo[];
  commissioning?: Record<string, unknown>;
}

export async function startRig(o: RigOptions = {}): Promise<Rig> {
  const dir = o.dir ?? mkdtempSync(path.join(os.tmpdir(), 'evsed-dm-'));
  const connectors = o.connectors ?? RIG_CONNECTORS;
  const db = openDatabase(dir);
  const settingsStore = createSettingsStore(db);
  const settings = new Settings(settingsStore, o.commissioning ?? {}, { NumberOfConnectors: connectors.length });
  const hal = new ManualClock(Date.parse('2026-03-10T10:15:00.000Z'));
  const clock = createClock(() => hal.now());
  const board = createSimBoard({ connectors, clock: hal });
  await board.start();
  const runtime = new StationRuntime({
    board,
    logger: pino({ level: 'silent' }),
    clock,
    settings: settingsStore,
    connectionTimeoutMs: 60_000,
    heartbeatIntervalS: 300,
    bootRetryS: 60,
  });
  runtime.start();
  const localList = { entries: 0 };
  const dm = new DeviceModel({
    settings,
    runtime,
    config: rigConfig(dir),
    clock,
    store: createDeviceModelStore(db),
    localListEntries: () => localList.entries,
    chargingProfileEntries: () => 0,
  });
  return {
    dir,
    db,
    settings,
    runtime,
    board,
    hal,
    clock,
    dm,
    localList,
    async stop() {
      runtime.stop();
      await board.stop();
      db.close();
    },
  };
}

/** Run `fn` on a fresh rig and remove its directory afterwards. */
export function withRig(fn: (rig: Rig) => Promise<void> | void, o: RigOptions = {}): () => Promise<void> {
  return async () => {
    const rig = await startRig(o);
    try {
      await fn(rig);
    } finally {
      await rig.stop();
      rmSync(rig.dir, { recursive: true, force: true });
    }
  };
}

/** Let setImmediate / promise follow-ups run (afterReply, awaited calls). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise((r) => setImmediate(r));
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export function memoryLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { log, lines };
}

type Out = V201CsToCsms;
type In = V201CsmsToCs;

export interface FakeRpc {
  rpc: TypedRpc<Out, In>;
  /** Handlers by action, as registered. */
  handlers: Map<string, (payload: unknown) => unknown>;
  /** Own CALLs, in order. */
  calls: Array<{ action: string; payload: unknown }>;
  /** Make the nth own CALL (0-based) reject. */
  failCall(n: number, err: Error): void;
  invoke<A extends keyof In & string>(action: A, payload: In[A]['request']): Promise<In[A]['response']>;
}

export function fakeRpc(): FakeRpc {
  const handlers = new Map<string, (payload: unknown) => unknown>();
  const calls: Array<{ action: string; payload: unknown }> = [];
  const failures = new Map<number, Error>();
  const rpc: TypedRpc<Out, In> = {
    call: (async (action: string, payload: unknown) => {
      const n = calls.length;
      calls.push({ action, payload });
      const err = failures.get(n);
      if (err) throw err;
      return {};
    }) as TypedRpc<Out, In>['call'],
    handle: ((action: string, handler: (payload: unknown) => unknown) => {
      handlers.set(action, handler);
    }) as TypedRpc<Out, In>['handle'],
    removeAll: () => handlers.clear(),
  };
  return {
    rpc,
    handlers,
    calls,
    failCall: (n, err) => void failures.set(n, err),
    async invoke(action, payload) {
      const h = handlers.get(action);
      if (!h) throw new Error(`no handler for ${action}`);
      return (await h(payload)) as never;
    },
  };
}

/** The part of an AdapterContext the device model handlers use. */
export function adapterContext(rig: Rig, log: Logger): AdapterContext {
  return { log, services: { clock: rig.clock, settings: rig.settings, runtime: rig.runtime } } as unknown as AdapterContext;
}
