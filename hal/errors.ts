/**
 * Error catalogue of the hardware layer.
 *
 * Owns: the stable codes every driver rejects with. Each error says whether retrying the same
 * command can help (`recoverable`). Must not: carry OCPP meaning; src/ maps faults to OCPP codes.
 */

export const HAL_ERRORS = {
  portUnavailable: { recoverable: true, message: 'serial port cannot be opened' },
  portLocked: { recoverable: false, message: 'serial port is owned by another process' },
  interfaceMissing: { recoverable: false, message: 'network interface does not exist' },
  timeout: { recoverable: true, message: 'device did not answer in time' },
  badReply: { recoverable: true, message: 'device answered with a malformed or negative reply' },
  contactorFeedback: { recoverable: false, message: 'contactor feedback does not match the command' },
  notSupported: { recoverable: false, message: 'the hardware has no such function' },
  unknownConnector: { recoverable: false, message: 'no such connector on this board' },
  stopped: { recoverable: false, message: 'the board has been stopped' },
} as const;

export type HalErrorCode = keyof typeof HAL_ERRORS;

export class HalError extends Error {
  readonly code: HalErrorCode;
  readonly recoverable: boolean;

  constructor(code: HalErrorCode, detail?: string, options?: { cause?: unknown }) {
    const base = HAL_ERRORS[code];
    super(detail ? `${base.message}: ${detail}` : base.message, options);
    this.name = 'HalError';
    this.code = code;
    this.recoverable = base.recoverable;
  }
}
