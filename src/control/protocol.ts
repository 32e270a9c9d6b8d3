/**
 * The control-socket protocol between evsed and evsectl: JSON lines over a Unix socket.
 *
 * Request:  {"id": 1, "cmd": "status", "args": {...}}
 * Response: {"id": 1, "ok": true, "result": ...}
 *         | {"id": 1, "ok": false, "error": {"code": "refused", "message": "..."}}
 *
 * Owns: the message shapes and the error codes. Adding commands and result fields is allowed;
 * changing existing ones breaks technicians' scripts.
 */

export const CONTROL_ERRORS = {
  badRequest: 'the request is not valid JSON or lacks cmd',
  unknownCommand: 'no such command',
  badArgs: 'the arguments are wrong',
  refused: 'the daemon refused the command',
  notPermitted: 'this command needs root or the evsed group',
  internal: 'the daemon failed while running the command',
} as const;
export type ControlErrorCode = keyof typeof CONTROL_ERRORS;

export interface ControlRequest {
  id: number | string;
  cmd: string;
  args?: Record<string, unknown>;
}

export type ControlResponse =
  | { id: number | string | null; ok: true; result: unknown }
  | { id: number | string | null; ok: false; error: { code: ControlErrorCode; message: string } };

/** A failure a command handler reports to the caller (anything else becomes `internal`). */
export class ControlError extends Error {
  readonly code: ControlErrorCode;
  constructor(code: ControlErrorCode, message: string) {
    super(message);
    this.name = 'ControlError';
    this.code = code;
  }
}

/** Longest request line accepted, bytes. */
export const MAX_LINE_BYTES = 64 * 1024;
