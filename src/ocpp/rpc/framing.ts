/**
 * OCPP-J transport: framing.
 *
 * Owns: turning one received WebSocket message into a CALL / CALLRESULT / CALLERROR or a precise
 * framing problem, deciding whether (and with what) a problem is answered, and serializing frames.
 * Must not: look at payload contents (schemas do that), touch sockets, or know OCPP actions.
 *
 * Decisions (R-J3, R-J7, R-J9, R-J12):
 * - Not JSON, not an array, a binary frame, or a message id that is not a string of 1..36
 *   characters → id "-1", `RpcFrameworkError` (1.6 wire: `FormationViolation`). Always answered,
 *   whatever the message type, because the sender cannot be told otherwise.
 * - Message type number not an integer → `RpcFrameworkError` with the id when it is readable
 *   (else "-1"), answered: the frame is not a valid RPC frame at all.
 * - Integer message type other than 2/3/4: 'ocpp2.0.1' answers `MessageTypeNotSupported` (part 4
 *   §4.4) with the readable id or "-1"; every other protocol (1.6, 2.1) ignores it and logs.
 * - A CALL with a readable id but a malformed frame (not 4 elements, action not a non-empty
 *   string, payload not a JSON object — `null` included) → `FormatViolation` (1.6
 *   `FormationViolation`: "syntactically incorrect or not conform the PDU structure") with that
 *   id. `ProtocolError` is left to schema validation (payload incomplete).
 * - A malformed CALLRESULT / CALLERROR with a readable id is never answered (R-J7); the caller
 *   logs it (and fails its own CALL if the id matches).
 * - Answers never echo the received text (201-J §4.2.3); descriptions are fixed strings.
 */

import { wireErrorCode } from './errors.js';
import { MESSAGE_TYPE, type Frame, type JsonObject, type RpcErrorCode } from './types.js';

export const MAX_MESSAGE_ID_LENGTH = 36;
export const MAX_ERROR_DESCRIPTION_LENGTH = 255;
/** Message id of a CALLERROR answering a frame whose id cannot be read (201-J §4.2.3). */
export const UNREADABLE_ID = '-1';

export type FrameProblemReason =
  | 'notJson'
  | 'notArray'
  | 'binaryFrame'
  | 'badMessageTypeId'
  | 'badMessageId'
  | 'unknownMessageType'
  | 'badArity'
  | 'badAction'
  | 'badPayload'
  | 'badErrorCode'
  | 'badErrorDescription'
  | 'badErrorDetails';

export interface FrameProblem {
  reason: FrameProblemReason;
  /** The message type number when it could be read as an integer. */
  messageTypeId: number | null;
  /** The readable message id, or "-1". */
  messageId: string;
  /** Canonical code an answer would carry. */
  code: RpcErrorCode;
  /** Fixed text; never contains received data. */
  description: string;
}

export type ParsedFrame = { ok: true; frame: Frame } | { ok: false; problem: FrameProblem };

function problem(
  reason: FrameProblemReason,
  code: RpcErrorCode,
  description: string,
  messageTypeId: number | null = null,
  messageId: string = UNREADABLE_ID,
): ParsedFrame {
  return { ok: false, problem: { reason, messageTypeId, messageId, code, description } };
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readableId(value: unknown): string | null {
  return typeof value === 'string' && value.length >= 1 && value.length <= MAX_MESSAGE_ID_LENGTH ? value : null;
}

/** The problem reported for a binary WebSocket message (OCPP-J uses text frames only). */
export const BINARY_FRAME: ParsedFrame = problem(
  'binaryFrame',
  'RpcFrameworkError',
  'binary WebSocket frames are not used by OCPP-J',
);

/** Parses one text frame. Never throws. */
export function parseFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return problem('notJson', 'RpcFrameworkError', 'message is not valid JSON');
  }
  if (!Array.isArray(value)) return problem('notArray', 'RpcFrameworkError', 'message is not a JSON array');
  const items: unknown[] = value;
  const typeId = items[0];
  const id = readableId(items[1]);
  if (typeof typeId !== 'number' || !Number.isInteger(typeId)) {
    return problem(
      'badMessageTypeId',
      'RpcFrameworkError',
      'message type number is missing or not an integer',
      null,
      id ?? UNREADABLE_ID,
    );
  }
  if (typeId !== MESSAGE_TYPE.call && typeId !== MESSAGE_TYPE.callResult && typeId !== MESSAGE_TYPE.callError) {
    return problem(
      'unknownMessageType',
      'MessageTypeNotSupported',
      `message type number ${typeId} is not supported`,
      typeId,
      id ?? UNREADABLE_ID,
    );
  }
  if (id === null) {
    return problem(
      'badMessageId',
      'RpcFrameworkError',
      `message id must be a string of 1 to ${MAX_MESSAGE_ID_LENGTH} characters`,
      typeId,
    );
  }
  switch (typeId) {
    case MESSAGE_TYPE.call:
      return parseCall(items, id);
    case MESSAGE_TYPE.callResult:
      return parseCallResult(items, id);
    default:
      return parseCallError(items, id);
  }
}

function parseCall(items: unknown[], messageId: string): ParsedFrame {
  const t = MESSAGE_TYPE.call;
  if (items.length !== 4) {
    return problem('badArity', 'FormatViolation', `CALL must have 4 elements, got ${items.length}`, t, messageId);
  }
  const action = items[2];
  if (typeof action !== 'string' || action.length === 0) {
    return problem('badAction', 'FormatViolation', 'CALL action must be a non-empty string', t, messageId);
  }
  const payload = items[3];
  if (!isJsonObject(payload)) {
    return problem('badPayload', 'FormatViolation', 'CALL payload must be a JSON object', t, messageId);
  }
  return { ok: true, frame: { type: t, messageId, action, payload } };
}

function parseCallResult(items: unknown[], messageId: string): ParsedFrame {
  const t = MESSAGE_TYPE.callResult;
  if (items.length !== 3) {
    return problem('badArity', 'FormatViolation', `CALLRESULT must have 3 elements, got ${items.length}`, t, messageId);
  }
  const payload = items[2];
  if (!isJsonObject(payload)) {
    return problem('badPayload', 'FormatViolation', 'CALLRESULT payload must be a JSON object', t, messageId);
  }
  return { ok: true, frame: { type: t, messageId, payload } };
}

function parseCallError(items: unknown[], messageId: string): ParsedFrame {
  const t = MESSAGE_TYPE.callError;
  if (items.length !== 5) {
    return problem('badArity', 'FormatViolation', `CALLERROR must have 5 elements, got ${items.length}`, t, messageId);
  }
  const [, , errorCode, errorDescription, errorDetails] = items;
  if (typeof errorCode !== 'string' || errorCode.length === 0) {
    return problem('badErrorCode', 'FormatViolation', 'CALLERROR code must be a non-empty string', t, messageId);
  }
  if (typeof errorDescription !== 'string') {
    return problem('badErrorDescription', 'FormatViolation', 'CALLERROR description must be a string', t, messageId);
  }
  if (!isJsonObject(errorDetails)) {
    return problem('badErrorDetails', 'FormatViolation', 'CALLERROR details must be a JSON object', t, messageId);
  }
  return { ok: true, frame: { type: t, messageId, errorCode, errorDescription, errorDetails } };
}

/**
 * The CALLERROR to send for a framing problem under `protocol`, or null when the problem is only
 * logged (see the decisions in the header).
 */
export function answerToProblem(p: FrameProblem, protocol: string): string | null {
  if (p.reason === 'unknownMessageType') {
    return protocol === 'ocpp2.0.1' ? serializeCallError(p.messageId, p.code, p.description, {}, protocol) : null;
  }
  const isCall = p.messageTypeId === MESSAGE_TYPE.call;
  if (p.messageId === UNREADABLE_ID || p.reason === 'badMessageTypeId' || isCall) {
    return serializeCallError(p.messageId, p.code, p.description, {}, protocol);
  }
  return null;
}

/** Cuts `text` to at most `max` characters (code points, so no surrogate pair is split). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text).slice(0, max).join('');
}

/** Serializes a CALL. Throws TypeError when the payload cannot be JSON-encoded. */
export function serializeCall(messageId: string, action: string, payload: JsonObject): string {
  return JSON.stringify([MESSAGE_TYPE.call, messageId, action, payload]);
}

/** Serializes a CALLRESULT. Throws TypeError when the payload cannot be JSON-encoded. */
export function serializeCallResult(messageId: string, payload: JsonObject): string {
  return JSON.stringify([MESSAGE_TYPE.callResult, messageId, payload]);
}

/**
 * Serializes a CALLERROR with the wire spelling of `protocol`; description "" when absent and cut
 * to 255 characters; details `{}` when absent (R-J3). Details that cannot be encoded become `{}`.
 */
export function serializeCallError(
  messageId: string,
  code: RpcErrorCode,
  description: string | undefined,
  details: JsonObject | undefined,
  protocol: string,
): string {
  const desc = truncate(description ?? '', MAX_ERROR_DESCRIPTION_LENGTH);
  const head = [MESSAGE_TYPE.callError, messageId, wireErrorCode(code, protocol), desc];
  try {
    return JSON.stringify([...head, details ?? {}]);
  } catch {
    return JSON.stringify([...head, {}]);
  }
}
