/**
 * Test harness for the simulated board: a sim board on a manual clock, an event log, and the
 * HalTestRig the contract suite runs against.
 *
 * Owns: the standard test layout — connector 1: Type 2 socket, 3 × 32 A, lock and RCD test;
 * connector 2: tethered, 1 × 16 A, no lock, no RCD test.
 * Must not: reach into the board beyond its public API (Board + SimControls).
 */
import { createSimBoard, simConnectorInfo } from '../../hal/sim/index.js';
import type { SimBoard, SimBoardOptions, SimControls } from '../../hal/sim/index.js';
import type { ConnectorHardware, ConnectorInfo, HalEvent } from '../../hal/types.js';
import type { HalTestRig } from './contract.js';
import { ManualClock } from './manual-clock.js';

export const TEST_CONNECTORS: readonly ConnectorInfo[] = [
  simConnectorInfo(1),
  simConnectorInfo(2, { type: 'cType2', phases: 1, maxCurrentA: 16, hasLock: false, hasRcdTest: false }),
];

type EventOf<T extends HalEvent['type']> = Extract<HalEvent, { type: T }>;

export interface SimHarness {
  clock: ManualClock;
  board: SimBoard;
  controls: SimControls;
  /** Every event since creation, in delivery order. */
  events: HalEvent[];
  of<T extends HalEvent['type']>(type: T, connector?: number): EventOf<T>[];
  hw(connector: number): ConnectorHardware;
  advance(ms: number): Promise<void>;
}

export async function simHarness(options: Partial<SimBoardOptions> = {}): Promise<SimHarness> {
  const clock = new ManualClock();
  const board = createSimBoard({ connectors: TEST_CONNECTORS, clock, ...options });
  const events: HalEvent[] = [];
  board.on((e) => events.push(e));
  await board.start();
  return {
    clock,
    board,
    controls: board.controls,
    events,
    of: <T extends HalEvent['type']>(type: T, connector?: number) =>
      events.filter(
        (e): e is EventOf<T> => e.type === type && (connector === undefined || e.connector === connector),
      ),
    hw(connector) {
      const found = board.connectors.find((c) => c.info.id === connector);
      if (!found) throw new Error(`no connector ${connector}`);
      return found;
    },
    advance: (ms) => clock.advance(ms),
  };
}

export async function makeSimRig(options: Partial<SimBoardOptions> = {}): Promise<HalTestRig> {
  const h = await simHarness(options);
  const c = h.controls;
  return {
    board: h.board,
    plug: (n) => c.plug(n),
    unplug: (n) => c.unplug(n),
    evRequest: (n, on) => (on ? c.evResume(n) : c.evPause(n)),
    raiseFault: (n, code) => c.raiseFault(n, code),
    clearFault: (n, code) => c.clearFault(n, code),
    swipe: (token, n) => c.swipe(token, n),
    advance: (ms) => h.clock.advance(ms),
    close: async () => {
      await h.board.stop();
      if (h.clock.pending() !== 0) throw new Error(`${h.clock.pending()} timers left after stop()`);
    },
  };
}
