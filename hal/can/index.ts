/**
 * The `can` hardware driver: a charger I/O controller (pilot, contactor, meter, lock, RCD,
 * reader) attached over CAN, speaking the evsed-io frames of evsed-io.kcd (see README.md here).
 *
 * Owns: the public surface of hal/can (what src/main.ts and tests may use).
 * Must not: export internals beyond what those users need.
 */
export { createCanBoard } from './board.js';
export type { CanBoard, CanBoardStats } from './board.js';
export { CAN_DEFAULTS } from './options.js';
export type { CanBoardOptions, CanConnectorMapping, CanDiagnostic } from './options.js';
export { SocketCanChannel, checkFrame, formatId } from './channel.js';
export type { CanChannel, CanFrame, SocketCanDeps } from './channel.js';
export { CanCodec, defaultKcdPath, loadKcd } from './codec.js';
export type { CodecStats, DecodedMessage } from './codec.js';
export type { CanNodeSnapshot, CanNodeStatus } from './node.js';
export { MESSAGES, MESSAGE_NAMES } from './messages.js';
export type { CanRole, MessageName, SignalValues } from './messages.js';
