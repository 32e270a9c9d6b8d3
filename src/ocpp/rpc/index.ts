/**
 * OCPP-J transport: public API.
 *
 * Owns: what other modules may import from src/ocpp/rpc. Must not: contain logic.
 */

export { RpcClient } from './client.js';
export type { ConnectionState, ProtocolErrorEvent, RpcClientEvents } from './link.js';
export type { RpcClientOptions, RpcClientUpdate } from './options.js';
export { RPC_DEFAULTS, basicAuthHeader, connectionUrl } from './options.js';
export type { CallHandler, HandlerContext, IncomingGate } from './inbound.js';
export {
  CallFailure,
  ConnectError,
  RPC_FAILURES,
  RpcConfigError,
  RpcError,
  parseWireErrorCode,
  wireErrorCode,
} from './errors.js';
export type { CallFailureKind, ConnectFailureCode, RpcFailureCode } from './errors.js';
export { Backoff } from './backoff.js';
export type { BackoffConfig } from './backoff.js';
export { newMessageId } from './ids.js';
export {
  MAX_ERROR_DESCRIPTION_LENGTH,
  MAX_MESSAGE_ID_LENGTH,
  UNREADABLE_ID,
  answerToProblem,
  parseFrame,
  serializeCall,
  serializeCallError,
  serializeCallResult,
} from './framing.js';
export type { FrameProblem, FrameProblemReason, ParsedFrame } from './framing.js';
export { MESSAGE_TYPE, RPC_ERROR_CODES } from './types.js';
export type {
  CallErrorFrame,
  CallFrame,
  CallResultFrame,
  Frame,
  JsonObject,
  PayloadIssue,
  PayloadKind,
  PayloadValidator,
  RpcErrorCode,
} from './types.js';
