/**
 * The `sim` hardware driver: a simulated charger board with an EV model per connector.
 *
 * Owns: the public surface of hal/sim (what src/main.ts, the demo and tests may use).
 * Must not: export internals beyond what those users need.
 */
export { createSimBoard } from './board.js';
export type { SimBoard } from './board.js';
export type { SimControls } from './controls.js';
export { DEFAULT_EV, perceivedOfferA, TAPER_START_SOC_PERCENT } from './ev.js';
export type { SimEvParams, SimEvSnapshot } from './ev.js';
export type { ListenerErrorHandler } from '../events.js';
export {
  CONTACTOR_INJECTIONS,
  LOCK_INJECTIONS,
  RCD_TEST_INJECTIONS,
  SIM_DEFAULTS,
  simConnectorInfo,
} from './options.js';
export type {
  ContactorInjection,
  LockInjection,
  RcdTestInjection,
  SimBoardOptions,
  SimBoardSnapshot,
  SimConnectorSnapshot,
} from './options.js';
export { initialEnergyFrom, persistSimState, readSimState, restoreEvs, writeSimState } from './persist.js';
export type { SimPersistedState } from './persist.js';
