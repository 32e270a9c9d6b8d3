/**
 * Control surface of the simulated board, for `evsectl sim …` (through the daemon's control
 * socket) and for tests: the EV's and the technician's hands on the simulated hardware.
 *
 * Owns: argument checking and the mapping of each control to the board. Every method returns a
 * promise; it rejects with HalError 'unknownConnector' for a connector the board does not have,
 * 'stopped' after the board stopped (snapshots excepted), 'notSupported' for an EV action
 * without EV (or plug with one already there), and RangeError for a malformed argument
 * (unknown fault code or injection mode, EV parameters out of range). Snapshots are plain JSON.
 *
 * Must not: bypass the connector physics (no direct pilot or meter writes).
 */
import { isFaultCode } from '../types.js';
import type { FaultCode } from '../types.js';
import type { SimBoardCore } from './board.js';
import type { SimEvParams } from './ev.js';
import { CONTACTOR_INJECTIONS, LOCK_INJECTIONS, RCD_TEST_INJECTIONS } from './options.js';
import type {
  ContactorInjection,
  LockInjection,
  RcdTestInjection,
  SimBoardSnapshot,
  SimConnectorSnapshot,
} from './options.js';

export interface SimControls {
  /** An EV connects (pilot B at once); missing parameters take DEFAULT_EV values. */
  plug(connector: number, ev?: Partial<SimEvParams>): Promise<void>;
  /** The EV disconnects (pilot A at once; current stops). */
  unplug(connector: number): Promise<void>;
  /** Present an RFID card; connector 0 (default) is the board's shared reader. */
  swipe(token: string, connector?: number): Promise<void>;
  /** The EV stops requesting energy (pilot B, draws nothing). */
  evPause(connector: number): Promise<void>;
  /** The EV requests energy again (pilot C when an offer is present). */
  evResume(connector: number): Promise<void>;
  /** The EV's battery is full now: pilot B for good (until unplugged). */
  evFull(connector: number): Promise<void>;
  /** Raise a hardware fault; connector 0 = board-wide (every connector). */
  raiseFault(connector: number, code: FaultCode, detail?: string): Promise<void>;
  /** Clear one fault, or every fault of that connector (0: the board-wide ones) without code. */
  clearFault(connector: number, code?: FaultCode): Promise<void>;
  injectContactor(connector: number, mode: ContactorInjection): Promise<void>;
  injectLock(connector: number, mode: LockInjection): Promise<void>;
  injectRcdTest(connector: number, mode: RcdTestInjection): Promise<void>;
  /** One connector's state. */
  snapshot(connector: number): Promise<SimConnectorSnapshot>;
  /** The whole board. */
  snapshotAll(): Promise<SimBoardSnapshot>;
}

function oneOf<T extends string>(name: string, allowed: readonly T[], value: unknown): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
  return value as T;
}

function faultCode(value: unknown): FaultCode {
  if (!isFaultCode(value)) throw new RangeError(`unknown fault code ${String(value)}`);
  return value;
}

/** Run a control as a promise: synchronous throws become rejections. */
function act<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

export function createSimControls(core: SimBoardCore): SimControls {
  /** The connector, for a command: the board must still run. */
  const live = (connector: number) => {
    const found = core.connector(connector);
    core.assertRunning();
    return found;
  };
  const liveOrBoard = (connector: number): void => {
    if (connector !== 0) core.connector(connector);
    core.assertRunning();
  };

  return {
    plug: (connector, ev) => act(() => live(connector).plug(ev)),
    unplug: (connector) => act(() => live(connector).unplug()),
    swipe: (token, connector = 0) =>
      act(() => {
        liveOrBoard(connector);
        if (typeof token !== 'string' || token.length === 0) throw new RangeError('token must be a non-empty string');
        core.swipe(token, connector);
      }),
    evPause: (connector) => act(() => live(connector).evPause()),
    evResume: (connector) => act(() => live(connector).evResume()),
    evFull: (connector) => act(() => live(connector).evFull()),
    raiseFault: (connector, code, detail) =>
      act(() => {
        liveOrBoard(connector);
        core.raiseFault(connector, faultCode(code), detail);
      }),
    clearFault: (connector, code) =>
      act(() => {
        liveOrBoard(connector);
        const codes =
          code !== undefined
            ? [faultCode(code)]
            : connector === 0
              ? core.boardFaultCodes()
              : core.connector(connector).localFaultCodes();
        for (const c of codes) core.clearFault(connector, c);
      }),
    injectContactor: (connector, mode) =>
      act(() => live(connector).injectContactor(oneOf('contactor injection', CONTACTOR_INJECTIONS, mode))),
    injectLock: (connector, mode) =>
      act(() => live(connector).injectLock(oneOf('lock injection', LOCK_INJECTIONS, mode))),
    injectRcdTest: (connector, mode) =>
      act(() => live(connector).injectRcdTest(oneOf('RCD test injection', RCD_TEST_INJECTIONS, mode))),
    snapshot: (connector) => act(() => core.connector(connector).snapshot()),
    snapshotAll: () => act(() => core.snapshot()),
  };
}
