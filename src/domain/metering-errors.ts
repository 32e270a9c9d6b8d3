/**
 * Error catalogue of the metering module (metering*.ts).
 *
 * Owns: the stable codes thrown when a caller passes a time, an interval or a UTC offset that is
 * not a number metering can work with. These are programming or configuration errors (settings
 * validate their values first), never a state of the meter: a faulty meter reading is handled by
 * leaving the value out of the sample, not by throwing.
 * Must not: carry OCPP meaning (no CALLERROR codes here).
 */

export const METERING_ERRORS = {
  invalidTime: 'time must be a finite number of ms since the epoch',
  invalidInterval: 'interval must be a finite number of seconds (0 or less disables it)',
  invalidUtcOffset: 'UTC offset must be a finite number of minutes, less than 24 h either way',
} as const;

export type MeteringErrorCode = keyof typeof METERING_ERRORS;

export class MeteringError extends Error {
  readonly code: MeteringErrorCode;

  constructor(code: MeteringErrorCode, detail?: string) {
    const base = METERING_ERRORS[code];
    super(detail ? `${base}: ${detail}` : base);
    this.name = 'MeteringError';
    this.code = code;
  }
}
