/**
 * The HAL contract (test/hal/contract.ts) run against the serial board, over real ptys: once
 * with Modbus meters (SDM630 + SDM120 sharing one bus), once with the controllers' readings.
 */
import { runHalContract } from '../contract.js';
import { makeSerialRig } from './serial-rig.js';

runHalContract('serial (RAPI + Modbus meters)', () => makeSerialRig({ meters: 'modbus' }));
runHalContract('serial (RAPI, controller readings)', () => makeSerialRig({ meters: 'controller' }));
