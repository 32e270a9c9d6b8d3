/**
 * OCPP-J transport: shared types.
 *
 * Owns: the canonical RPC error-code union, the contract of the injected payload validator and
 * the shapes of the three OCPP-J frames. Must not: import from src/ocpp/schemas (the validator is
 * injected; `PayloadValidator` is structurally identical to its `ProtocolSchemas`) or carry any
 * OCPP business meaning.
 */

/** Canonical RPC error codes, spelled as OCPP 2.0.1 part 4 table 8 spells them. */
export const RPC_ERROR_CODES = [
  'FormatViolation',
  'PropertyConstraintViolation',
  'OccurrenceConstraintViolation',
  'TypeConstraintViolation',
  'ProtocolError',
  'NotImplemented',
  'NotSupported',
  'InternalError',
  'SecurityError',
  'GenericError',
  'MessageTypeNotSupported',
  'RpcFrameworkError',
] as const;

export type RpcErrorCode = (typeof RPC_ERROR_CODES)[number];

/** One reason why a payload does not match its schema. `path` is a JSON pointer ('' = root). */
export interface PayloadIssue {
  code: RpcErrorCode;
  message: string;
  path: string;
}

export type PayloadKind = 'request' | 'response';

/**
 * Validates payloads of one negotiated protocol. `csToCsms` / `csmsToCs` name the actions each
 * side may initiate. `validate` returns null when the payload is valid.
 */
export interface PayloadValidator {
  readonly csToCsms: ReadonlySet<string>;
  readonly csmsToCs: ReadonlySet<string>;
  validate(action: string, kind: PayloadKind, payload: unknown): PayloadIssue | null;
}

/** OCPP-J message type numbers (1.6 and 2.0.1 know only these three). */
export const MESSAGE_TYPE = { call: 2, callResult: 3, callError: 4 } as const;

export type JsonObject = Record<string, unknown>;

export interface CallFrame {
  type: typeof MESSAGE_TYPE.call;
  messageId: string;
  action: string;
  payload: JsonObject;
}

export interface CallResultFrame {
  type: typeof MESSAGE_TYPE.callResult;
  messageId: string;
  payload: JsonObject;
}

export interface CallErrorFrame {
  type: typeof MESSAGE_TYPE.callError;
  messageId: string;
  /** The code exactly as received on the wire (either spelling, or something unknown). */
  errorCode: string;
  errorDescription: string;
  errorDetails: JsonObject;
}

export type Frame = CallFrame | CallResultFrame | CallErrorFrame;
