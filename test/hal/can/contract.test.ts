/**
 * The HAL contract suite (test/hal/contract.ts) against the CAN board, talking over an
 * in-memory bus to the simulated I/O controller (io-sim.ts), on a manual clock.
 */
import { runHalContract } from '../contract.js';
import { makeCanRig } from './can-rig.js';

runHalContract('can (fake bus, simulated I/O controller)', () => makeCanRig());
