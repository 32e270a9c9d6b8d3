/**
 * Test harness for the serial board: real bytes over real ptys to simulated devices, and the
 * HalTestRig the contract suite runs against.
 *
 * Owns: the standard serial layout — connector 1: three-phase 32 A, connector 2: single-phase
 * 16 A, each on its own simulated OpenEVSE controller (RapiSim); meters either Modbus (an SDM630
 * at unit 1 for connector 1 and an SDM120 at unit 2 for connector 2, on ONE shared bus) or the
 * controllers' own readings; card readers (one shared, one at connector 1) fed by line writers.
 * Short timings (ptys are fast) keep the tests quick; time passes for real.
 * Cable tests: `unplugCable(name)` closes a pty pair (both ends vanish, as when a USB adapter is
 * pulled), `replugCable(name)` creates it again on the same links and re-attaches the device.
 *
 * Must not: reach into the board beyond its public API (Board, SerialConnector extras).
 */
import { createSerialBoard, ownedPorts } from '../../../hal/serial/index.js';
import type { SerialBoard, SerialConnector, SerialHardwareConfig } from '../../../hal/serial/index.js';
import type { ConnectorInfo, FaultCode, HalEvent } from '../../../hal/types.js';
import type { HalTestRig } from '../contract.js';
import { ModbusSim } from './modbus-sim.js';
import { createPtyPair, makeLinkDir, removeLinkDir } from './pty.js';
import type { PtyPair } from './pty.js';
import { RapiSim } from './rapi-sim.js';
import type { RapiSimOptions } from './rapi-sim.js';
import { SimPort } from './sim-port.js';

export const SERIAL_TEST_CONNECTORS: readonly ConnectorInfo[] = [
  { id: 1, evseId: 1, connectorId: 1, type: 'cType2', maxCurrentA: 32, phases: 3, nominalVoltageV: 230, hasLock: false, hasRcdTest: true },
  { id: 2, evseId: 2, connectorId: 1, type: 'cType2', maxCurrentA: 16, phases: 1, nominalVoltageV: 230, hasLock: false, hasRcdTest: false },
];

/** Controller error states the simulator can enter, by the HAL fault they stand for. */
export const SIM_FAULT_STATES: Partial<Record<FaultCode, number>> = {
  pilotFault: 0x05,
  rcd: 0x06,
  groundFault: 0x07,
  contactorWelded: 0x08,
  overTemperature: 0x0a,
  overCurrent: 0x0b,
  contactorStuckOpen: 0x0e,
};

export const FAST_TIMINGS = {
  controller: { replyTimeoutMs: 300, retries: 2, pollIntervalMs: 150, meterIntervalMs: 100, contactorFeedbackTimeoutMs: 800 },
  meter: { pollIntervalMs: 100, timeoutMs: 200, retries: 1 },
  reopenInitialMs: 50,
  reopenMaxMs: 300,
} as const;

export interface SerialHarnessOptions {
  meters: 'modbus' | 'controller';
  /** Options of each simulated controller, by connector id. */
  rapi?: Partial<Record<number, Partial<RapiSimOptions>>>;
  /** Start the board (default true). */
  start?: boolean;
}

type EventOf<T extends HalEvent['type']> = Extract<HalEvent, { type: T }>;

export interface SerialHarness {
  dir: string;
  board: SerialBoard;
  config: SerialHardwareConfig;
  rapi: Map<number, RapiSim>;
  modbus: ModbusSim | null;
  events: HalEvent[];
  of<T extends HalEvent['type']>(type: T, connector?: number): EventOf<T>[];
  hw(connector: number): SerialConnector;
  /** Present a card to the shared reader (connector undefined) or the reader at `connector`. */
  swipe(token: string, connector?: number): void;
  /** Wait (for real) until `predicate` holds; throws naming `what` after `budgetMs`. */
  until(what: string, predicate: () => boolean, budgetMs?: number): Promise<void>;
  unplugCable(name: string): Promise<void>;
  replugCable(name: string): Promise<void>;
  /** Link path of a cable: `rapi1`, `rapi2`, `modbus`, `reader0`, `reader1`. */
  link(name: string): string;
  close(): Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function serialHarness(options: SerialHarnessOptions): Promise<SerialHarness> {
  const dir = makeLinkDir();
  const pairs = new Map<string, PtyPair>();
  const link = (name: string, end: 'a' | 'b' = 'a'): string => `${dir}/${name}-${end}`;
  const cable = async (name: string): Promise<PtyPair> => {
    const pair = await createPtyPair(link(name, 'a'), link(name, 'b'));
    pairs.set(name, pair);
    return pair;
  };
  const names = ['rapi1', 'rapi2', 'reader0', 'reader1', ...(options.meters === 'modbus' ? ['modbus'] : [])];
  await Promise.all(names.map(cable));

  const rapi = new Map<number, RapiSim>();
  for (const info of SERIAL_TEST_CONNECTORS) {
    rapi.set(info.id, await RapiSim.open(link(`rapi${info.id}`, 'b'), { phases: info.phases, ...options.rapi?.[info.id] }));
  }
  let modbus: ModbusSim | null = null;
  if (options.meters === 'modbus') {
    modbus = await ModbusSim.open(link('modbus', 'b'));
    modbus.addUnit(1, 'sdm630', rapi.get(1) ?? null, 1234.5);
    modbus.addUnit(2, 'sdm120', rapi.get(2) ?? null, 42);
  }
  const readers = new Map<number, SimPort>();
  for (const c of [0, 1]) {
    const writer = new SimPort(link(`reader${c}`, 'b'), () => undefined);
    await writer.attach();
    readers.set(c, writer);
  }

  const config: SerialHardwareConfig = {
    reopenInitialMs: FAST_TIMINGS.reopenInitialMs,
    reopenMaxMs: FAST_TIMINGS.reopenMaxMs,
    rfidReader: { port: link('reader0') },
    connectors: SERIAL_TEST_CONNECTORS.map((info) => ({
      connector: info.id,
      controller: { port: link(`rapi${info.id}`), ...FAST_TIMINGS.controller },
      ...(options.meters === 'modbus'
        ? { meter: { port: link('modbus'), unitId: info.id, model: info.phases === 3 ? ('sdm630' as const) : ('sdm120' as const), ...FAST_TIMINGS.meter } }
        : {}),
      ...(info.id === 1 ? { rfidReader: { port: link('reader1') } } : {}),
    })),
  };
  const board = createSerialBoard({ connectors: SERIAL_TEST_CONNECTORS, config });
  const events: HalEvent[] = [];
  board.on((e) => events.push(e));
  if (options.start !== false) await board.start();

  const harness: SerialHarness = {
    dir,
    board,
    config,
    rapi,
    modbus,
    events,
    of: <T extends HalEvent['type']>(type: T, connector?: number) =>
      events.filter((e): e is EventOf<T> => e.type === type && (connector === undefined || e.connector === connector)),
    hw(connector) {
      const found = board.connectors.find((c) => c.info.id === connector);
      if (!found) throw new Error(`no connector ${connector}`);
      return found;
    },
    swipe(token, connector) {
      const writer = readers.get(connector ?? 0);
      if (!writer) throw new Error(`no reader at connector ${connector}`);
      writer.write(`${token}\r\n`);
    },
    async until(what, predicate, budgetMs = 3000) {
      for (let waited = 0; !predicate(); waited += 10) {
        if (waited >= budgetMs) throw new Error(`timed out after ${budgetMs} ms waiting for ${what}`);
        await sleep(10);
      }
    },
    async unplugCable(name) {
      const pair = pairs.get(name);
      if (!pair) throw new Error(`no cable ${name}`);
      pairs.delete(name);
      await pair.close();
      const connector = /^rapi(\d)$/.exec(name);
      if (connector) await rapi.get(Number(connector[1]))?.detach();
      if (name === 'modbus') await modbus?.detach();
    },
    async replugCable(name) {
      await cable(name);
      const connector = /^rapi(\d)$/.exec(name);
      if (connector) await rapi.get(Number(connector[1]))?.attach(link(name, 'b'));
      if (name === 'modbus') await modbus?.attach(link(name, 'b'));
    },
    link: (name) => link(name),
    async close() {
      await board.stop().catch(() => undefined); // a test may have left a controller silent: stop still releases
      for (const sim of rapi.values()) await sim.close();
      await modbus?.close();
      for (const writer of readers.values()) await writer.detach();
      await Promise.all([...pairs.values()].map((p) => p.close()));
      removeLinkDir(dir);
      const left = ownedPorts();
      if (left.length > 0) throw new Error(`ports still owned after stop(): ${left.join(', ')}`);
    },
  };
  return harness;
}

export async function makeSerialRig(options: SerialHarnessOptions): Promise<HalTestRig> {
  const h = await serialHarness(options);
  const sim = (c: number): RapiSim => {
    const found = h.rapi.get(c);
    if (!found) throw new Error(`no simulated controller at connector ${c}`);
    return found;
  };
  return {
    board: h.board,
    plug: async (c) => sim(c).plug(),
    unplug: async (c) => sim(c).unplug(),
    evRequest: async (c, on) => sim(c).request(on),
    raiseFault: async (c, code) => {
      const state = SIM_FAULT_STATES[code];
      if (state === undefined) throw new Error(`a RAPI controller cannot report ${code}`);
      sim(c).fault(state);
    },
    clearFault: async (c) => sim(c).clearFault(),
    swipe: async (token, c) => h.swipe(token, c),
    advance: (ms) => sleep(ms),
    close: () => h.close(),
  };
}
