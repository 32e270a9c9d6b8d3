/**
 * OCPP-J transport: the one error catalogue.
 *
 * Owns: `RpcError` (a CALLERROR received, or one a handler wants sent), `CallFailure` (local
 * outcome of an own CALL), `ConnectError` (a connection attempt failed), `RpcConfigError`, and the
 * mapping between canonical error codes and each OCPP version's wire spelling.
 * Must not: decide when an error is sent; that is framing.ts / inbound.ts.
 */

import { RPC_ERROR_CODES, type JsonObject, type PayloadIssue, type RpcErrorCode } from './types.js';

/** Stable codes of every local failure the transport reports, with their fixed message. */
export const RPC_FAILURES = {
  timeout: 'no CALLRESULT or CALLERROR within the call timeout',
  offline: 'not connected, or the connection was lost before the answer arrived',
  closed: 'the client was closed',
  invalidRequest: 'the request payload or action is not valid for the negotiated protocol; nothing was sent',
  invalidResponse: 'the CALLRESULT payload is not valid for the action',
  config: 'invalid transport configuration',
  httpStatus: 'the server refused the WebSocket upgrade with an HTTP status',
  subprotocol: 'the server did not pick one of the offered subprotocols',
  network: 'the connection could not be established',
  schemas: 'no payload validator could be loaded for the negotiated subprotocol',
} as const;

export type RpcFailureCode = keyof typeof RPC_FAILURES;

export type CallFailureKind = Extract<
  RpcFailureCode,
  'timeout' | 'offline' | 'closed' | 'invalidRequest' | 'invalidResponse'
>;

export type ConnectFailureCode = Extract<RpcFailureCode, 'httpStatus' | 'subprotocol' | 'network' | 'schemas'>;

/**
 * A CALLERROR. Received: `code` is the canonical code parsed from `wireCode` (unknown wire codes
 * become 'GenericError'; `wireCode` keeps what was received). To be sent: throw it from a handler
 * or return it from the incoming gate; the wire spelling is chosen per protocol when sending.
 */
export class RpcError extends Error {
  readonly code: RpcErrorCode;
  readonly description: string;
  readonly details: JsonObject;
  readonly wireCode: string;

  constructor(code: RpcErrorCode, description = '', details: JsonObject = {}, wireCode: string = code) {
    super(description ? `${code}: ${description}` : code);
    this.name = 'RpcError';
    this.code = code;
    this.description = description;
    this.details = details;
    this.wireCode = wireCode;
  }

  /** Builds the error a received CALLERROR stands for. */
  static fromWire(wireCode: string, description: string, details: JsonObject): RpcError {
    return new RpcError(parseWireErrorCode(wireCode) ?? 'GenericError', description, details, wireCode);
  }
}

/** An own CALL did not produce a CALLRESULT; `kind` says why. */
export class CallFailure extends Error {
  readonly kind: CallFailureKind;
  readonly code: CallFailureKind;
  readonly action: string;
  /** Id the CALL was (or would have been) sent with; null when it never got one. */
  readonly messageId: string | null;
  /** The schema problem for 'invalidRequest' / 'invalidResponse'. */
  readonly issue: PayloadIssue | null;

  constructor(
    kind: CallFailureKind,
    action: string,
    opts: { messageId?: string | null; issue?: PayloadIssue | null; detail?: string } = {},
  ) {
    const detail = opts.detail ?? opts.issue?.message;
    super(`${action}: ${RPC_FAILURES[kind]}${detail ? ` (${detail})` : ''}`);
    this.name = 'CallFailure';
    this.kind = kind;
    this.code = kind;
    this.action = action;
    this.messageId = opts.messageId ?? null;
    this.issue = opts.issue ?? null;
  }
}

/** A connection attempt failed before the link was usable. */
export class ConnectError extends Error {
  readonly code: ConnectFailureCode;
  /** HTTP status of a refused upgrade (code 'httpStatus'). */
  readonly httpStatus: number | undefined;

  constructor(code: ConnectFailureCode, detail: string, opts: { httpStatus?: number; cause?: unknown } = {}) {
    super(`${RPC_FAILURES[code]}: ${detail}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ConnectError';
    this.code = code;
    this.httpStatus = opts.httpStatus;
  }
}

export class RpcConfigError extends Error {
  readonly code = 'config' as const;

  constructor(detail: string) {
    super(`${RPC_FAILURES.config}: ${detail}`);
    this.name = 'RpcConfigError';
  }
}

/**
 * Wire spelling of a canonical code for a negotiated subprotocol.
 *
 * 'ocpp1.6' uses the OCPP-J 1.6 table (R-J8): `FormationViolation` and the misspelt
 * `OccurenceConstraintViolation`. Codes 1.6 does not have:
 * - `RpcFrameworkError` → `FormationViolation`: it is sent for frames whose structure cannot be
 *   read, which is what 1.6 calls "syntactically incorrect or not conform the PDU structure" (R-J9).
 * - `MessageTypeNotSupported` → `GenericError` ("any other error"); never sent in practice, since
 *   1.6 ignores unknown message types (R-J12).
 * Every other protocol (2.0.1, 2.1) uses the canonical 2.0.1 spelling.
 */
export function wireErrorCode(code: RpcErrorCode, protocol: string): string {
  if (protocol !== 'ocpp1.6') return code;
  switch (code) {
    case 'FormatViolation':
    case 'RpcFrameworkError':
      return 'FormationViolation';
    case 'OccurrenceConstraintViolation':
      return 'OccurenceConstraintViolation';
    case 'MessageTypeNotSupported':
      return 'GenericError';
    default:
      return code;
  }
}

const CANONICAL = new Set<string>(RPC_ERROR_CODES);
const ALIASES: Readonly<Record<string, RpcErrorCode>> = {
  FormationViolation: 'FormatViolation',
  OccurenceConstraintViolation: 'OccurrenceConstraintViolation',
};

/** Canonical code of a received wire code, accepting both spellings; null when unknown. */
export function parseWireErrorCode(wire: string): RpcErrorCode | null {
  if (CANONICAL.has(wire)) return wire as RpcErrorCode;
  return ALIASES[wire] ?? null;
}
