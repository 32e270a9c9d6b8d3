/**
 * The simulated charger board: the `Board` of the `sim` driver.
 *
 * Owns: the connectors, the physics tick (every `tickMs` real ms on the board clock, from
 * start() to stop()), board-wide faults (connector 0: they apply to every connector), the
 * shared RFID reader, event delivery (hal/events.ts) and the control surface (controls.ts).
 * Commands are accepted from creation until stop(); physics (EV decisions, meter events) run
 * only between start() and stop(). After stop() every command rejects with HalError 'stopped'.
 *
 * Must not: import statecharts/ or src/, decide anything about sessions (a fault never opens a
 * contactor by itself: only `rcd` and `emergencyStop` cut the supply, as the real ones do).
 */
import { HalError } from '../errors.js';
import { FAULT_CODES } from '../types.js';
import type { Board, FaultCode, HalEvent, HalListener } from '../types.js';
import { EventBus } from '../events.js';
import { SimConnector } from './connector.js';
import type { SimConnectorEnv } from './connector.js';
import { createSimControls } from './controls.js';
import type { SimControls } from './controls.js';
import { resolveSimOptions } from './options.js';
import type { ResolvedSimOptions, SimBoardOptions, SimBoardSnapshot } from './options.js';

export interface SimBoard extends Board {
  readonly driver: 'sim';
  /** The control surface for evsectl `sim …` commands and tests. */
  readonly controls: SimControls;
}

/** Internals shared by the board and its controls. */
export interface SimBoardCore {
  readonly options: ResolvedSimOptions;
  readonly connectors: readonly SimConnector[];
  isStarted(): boolean;
  isStopped(): boolean;
  /** The connector with flat id `id`; rejects-by-throwing HalError 'unknownConnector'. */
  connector(id: number): SimConnector;
  /** Throws HalError 'stopped' after stop(). */
  assertRunning(): void;
  raiseFault(connector: number, code: FaultCode, detail?: string): void;
  clearFault(connector: number, code: FaultCode): void;
  boardFaultCodes(): FaultCode[];
  swipe(token: string, connector: number): void;
  snapshot(): SimBoardSnapshot;
}

export function createSimBoard(options: SimBoardOptions): SimBoard {
  const resolved = resolveSimOptions(options);
  const bus = new EventBus(resolved.onListenerError);
  const boardFaults = new Set<FaultCode>();
  let started = false;
  let stopped = false;
  let ticker: { cancel(): void } | null = null;

  const env: SimConnectorEnv = {
    options: resolved,
    emit: (event: HalEvent) => bus.emit(event),
    boardFaults: () => boardFaults,
    stopped: () => stopped,
  };
  const connectors = resolved.connectors.map((info) => new SimConnector(info, env));
  const byId = new Map(connectors.map((c) => [c.info.id, c]));

  const core: SimBoardCore = {
    options: resolved,
    connectors,
    isStarted: () => started,
    isStopped: () => stopped,
    connector(id) {
      const found = byId.get(id);
      if (!found) throw new HalError('unknownConnector', `connector ${id}`);
      return found;
    },
    assertRunning() {
      if (stopped) throw new HalError('stopped');
    },
    raiseFault(connector, code, detail) {
      if (connector !== 0) {
        core.connector(connector).raiseFault(code, detail);
        return;
      }
      if (boardFaults.has(code)) return;
      for (const c of connectors) c.settle();
      boardFaults.add(code);
      bus.emit(
        detail === undefined
          ? { type: 'hal.faultRaised', connector: 0, code }
          : { type: 'hal.faultRaised', connector: 0, code, detail },
      );
      for (const c of connectors) c.updateElectrical();
    },
    clearFault(connector, code) {
      if (connector !== 0) {
        core.connector(connector).clearFault(code);
        return;
      }
      if (!boardFaults.has(code)) return;
      for (const c of connectors) c.settle();
      boardFaults.delete(code);
      bus.emit({ type: 'hal.faultCleared', connector: 0, code });
      for (const c of connectors) c.updateElectrical();
    },
    boardFaultCodes: () => FAULT_CODES.filter((code) => boardFaults.has(code)),
    swipe(token, connector) {
      if (connector !== 0) core.connector(connector);
      bus.emit({ type: 'hal.rfid', connector, token });
    },
    snapshot: () => ({
      driver: 'sim',
      timeScale: resolved.timeScale,
      started,
      stopped,
      boardFaults: core.boardFaultCodes(),
      connectors: connectors.map((c) => c.snapshot()),
    }),
  };

  const tick = (): void => {
    for (const c of connectors) c.tick();
  };

  return {
    driver: 'sim',
    connectors,
    controls: createSimControls(core),
    start() {
      if (stopped) return Promise.reject(new HalError('stopped'));
      if (!started) {
        started = true;
        ticker = resolved.clock.setInterval(tick, resolved.tickMs);
      }
      return Promise.resolve();
    },
    stop() {
      if (stopped) return Promise.resolve();
      ticker?.cancel();
      ticker = null;
      for (const c of connectors) c.shutdown();
      stopped = true;
      return Promise.resolve();
    },
    on(listener: HalListener) {
      return bus.on(listener);
    },
  };
}
