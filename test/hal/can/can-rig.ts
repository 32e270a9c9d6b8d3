/**
 * Test harness for the CAN board: evsed's CAN board and a simulated I/O controller on one
 * in-memory bus, a manual clock for both, an event log, and the HalTestRig the contract suite
 * runs against.
 *
 * Owns: the standard test layout, the same as the simulator's — connector 1: Type 2 socket,
 * 3 × 32 A, lock and RCD test (node 1 channel 1); connector 2: tethered, 1 × 16 A, no lock, no
 * RCD test (node 1 channel 2) — and the timings: heartbeats every 100 ms, lost after 500 ms,
 * 500 ms for acknowledgements and feedback, meter readings every 200 ms.
 * Must not: reach into the board beyond its public API, or into the controller but through
 * the simulator's hands.
 */
import { createCanBoard } from '../../../hal/can/index.js';
import { HalError } from '../../../hal/errors.js';
import type { CanBoard, CanBoardOptions, CanDiagnostic } from '../../../hal/can/index.js';
import { simConnectorInfo } from '../../../hal/sim/index.js';
import type { CanChannel } from '../../../hal/can/channel.js';
import { realHalClock } from '../../../hal/types.js';
import type { ConnectorHardware, ConnectorInfo, HalEvent } from '../../../hal/types.js';
import type { HalTestRig } from '../contract.js';
import { ManualClock } from '../manual-clock.js';
import { FakeBus } from './fake-bus.js';
import type { FakeBusEnd } from './fake-bus.js';
import { IoControllerSim } from './io-sim.js';
import type { IoSimOptions } from './io-sim.js';

export const TEST_CONNECTORS: readonly ConnectorInfo[] = [
  simConnectorInfo(1),
  simConnectorInfo(2, { type: 'cType2', phases: 1, maxCurrentA: 16, hasLock: false, hasRcdTest: false }),
];

/** Board options of the rig (without clock and channel, which the harness supplies). */
export const RIG_BOARD_OPTIONS = {
  interface: 'vcan0',
  connectors: TEST_CONNECTORS,
  heartbeatPeriodMs: 100,
  heartbeatTimeoutMs: 500,
  ackTimeoutMs: 500,
  actuatorTimeoutMs: 3000,
} as const satisfies CanBoardOptions;

type EventOf<T extends HalEvent['type']> = Extract<HalEvent, { type: T }>;

export interface CanHarness {
  clock: ManualClock;
  bus: FakeBus;
  /** evsed's end of the bus (the one the board opened last). */
  readonly evsedEnd: FakeBusEnd;
  /** While true the interface is missing: the board's open attempts fail with interfaceMissing. */
  interfaceDown: boolean;
  sim: IoControllerSim;
  board: CanBoard;
  events: HalEvent[];
  diagnostics: CanDiagnostic[];
  /** Interfaces the board asked to open. */
  opened: string[];
  of<T extends HalEvent['type']>(type: T, connector?: number): EventOf<T>[];
  hw(connector: number): ConnectorHardware;
  advance(ms: number): Promise<void>;
  /** Let time pass until `promise` settles (at most `budgetMs`), then return or throw. */
  settle<T>(promise: Promise<T>, budgetMs?: number): Promise<T>;
  /** Stop board and controller; throws if a timer is left. */
  close(): Promise<void>;
}

export interface HarnessOptions {
  board?: Partial<CanBoardOptions>;
  sim?: Partial<Omit<IoSimOptions, 'end' | 'clock'>>;
  /** Start the board (default true). */
  start?: boolean;
}

export async function canHarness(options: HarnessOptions = {}): Promise<CanHarness> {
  const clock = new ManualClock();
  const bus = new FakeBus();
  let evsedEnd = bus.connect('evsed');
  let interfaceDown = false;
  const sim = new IoControllerSim({
    end: bus.connect('controller-1'),
    node: 1,
    clock,
    channels: [
      { channel: 1, phases: 3, nominalVoltageV: 230, hasLock: true, hasRcdTest: true },
      { channel: 2, phases: 1, nominalVoltageV: 230, hasLock: false, hasRcdTest: false },
    ],
    ...options.sim,
  });
  const diagnostics: CanDiagnostic[] = [];
  const opened: string[] = [];
  const board = createCanBoard({
    ...RIG_BOARD_OPTIONS,
    clock,
    openChannel: (iface) => {
      opened.push(iface);
      if (interfaceDown) throw new HalError('interfaceMissing', iface);
      if (!evsedEnd.isOpen()) evsedEnd = bus.connect('evsed');
      return evsedEnd;
    },
    onDiagnostic: (d) => diagnostics.push(d),
    ...options.board,
  });
  const events: HalEvent[] = [];
  board.on((e) => events.push(e));
  sim.start();
  await clock.advance(0); // its Hello goes by before evsed listens
  const settle = async <T>(promise: Promise<T>, budgetMs = 5000): Promise<T> => {
    let done = false;
    promise.then(
      () => (done = true),
      () => (done = true),
    );
    for (let waitedMs = 0; !done && waitedMs < budgetMs; waitedMs += 10) await clock.advance(10);
    if (!done) throw new Error(`not settled within ${budgetMs} ms`);
    return promise;
  };
  if (options.start !== false) await settle(board.start());
  return {
    clock,
    bus,
    get evsedEnd() {
      return evsedEnd;
    },
    get interfaceDown() {
      return interfaceDown;
    },
    set interfaceDown(down: boolean) {
      interfaceDown = down;
    },
    sim,
    board,
    events,
    diagnostics,
    opened,
    of: <T extends HalEvent['type']>(type: T, connector?: number) =>
      events.filter((e): e is EventOf<T> => e.type === type && (connector === undefined || e.connector === connector)),
    hw(connector) {
      const found = board.connectors.find((c) => c.info.id === connector);
      if (!found) throw new Error(`no connector ${connector}`);
      return found;
    },
    advance: (ms) => clock.advance(ms),
    settle,
    close: async () => {
      await settle(board.stop());
      sim.stop();
      await clock.advance(0);
      if (clock.pending() !== 0) throw new Error(`${clock.pending()} timers left after stop()`);
    },
  };
}

/** Connector id → channel of the simulated controller (the rig's mapping). */
const CHANNEL_OF: Readonly<Record<number, number>> = { 1: 1, 2: 2 };

function channelOf(connector: number): number {
  const channel = CHANNEL_OF[connector];
  if (channel === undefined) throw new Error(`no connector ${connector}`);
  return channel;
}

export async function makeCanRig(options: HarnessOptions = {}): Promise<HalTestRig> {
  const h = await canHarness(options);
  const { sim } = h;
  return {
    board: h.board,
    plug: async (c) => sim.plug(channelOf(c)),
    unplug: async (c) => sim.unplug(channelOf(c)),
    evRequest: async (c, on) => sim.request(channelOf(c), on),
    raiseFault: async (c, code) => sim.setFault(c === 0 ? 0 : channelOf(c), code, true),
    clearFault: async (c, code) => sim.setFault(c === 0 ? 0 : channelOf(c), code, false),
    swipe: async (token, c) => sim.swipe(token, c === undefined || c === 0 ? 0 : channelOf(c)),
    advance: (ms) => h.advance(ms),
    close: () => h.close(),
  };
}

/**
 * The same rig in real time: board and simulated controller on two channel ends of one bus
 * (two SocketCAN sockets on TEST_CAN_IFACE in real-channel.test.ts), on the real clock.
 */
export async function makeRealTimeRig(
  iface: string,
  openEnd: (role: 'evsed' | 'controller') => CanChannel,
): Promise<HalTestRig> {
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const controllerEnd = openEnd('controller');
  const sim = new IoControllerSim({
    end: controllerEnd,
    node: 1,
    clock: realHalClock,
    channels: [
      { channel: 1, phases: 3, nominalVoltageV: 230, hasLock: true, hasRcdTest: true },
      { channel: 2, phases: 1, nominalVoltageV: 230, hasLock: false, hasRcdTest: false },
    ],
  });
  const board = createCanBoard({
    ...RIG_BOARD_OPTIONS,
    interface: iface,
    clock: realHalClock,
    openChannel: () => openEnd('evsed'),
  });
  sim.start();
  await sleep(20); // its Hello goes by before evsed listens
  await board.start();
  return {
    board,
    plug: async (c) => sim.plug(channelOf(c)),
    unplug: async (c) => sim.unplug(channelOf(c)),
    evRequest: async (c, on) => sim.request(channelOf(c), on),
    raiseFault: async (c, code) => sim.setFault(c === 0 ? 0 : channelOf(c), code, true),
    clearFault: async (c, code) => sim.setFault(c === 0 ? 0 : channelOf(c), code, false),
    swipe: async (token, c) => sim.swipe(token, c === undefined || c === 0 ? 0 : channelOf(c)),
    advance: (ms) => sleep(ms),
    close: async () => {
      await board.stop();
      sim.stop();
      controllerEnd.close();
    },
  };
}
