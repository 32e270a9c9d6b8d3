/**
 * Error catalogue of the smart charging runtime (service.ts).
 *
 * Owns: the stable codes thrown when a caller passes an input the runtime cannot act on — a
 * programming or wiring error, not a refused profile (a refused profile is a result with a reason
 * code, see validate.ts PROFILE_REJECTIONS). Must not: carry OCPP meaning.
 */

export const SMART_CHARGING_ERRORS = {
  unknownConnector: 'no such connector',
  invalidLimit: 'a limit must be a finite number of amperes, at least 0',
  invalidDuration: 'a duration must be a whole number of seconds, at least 0',
} as const;

export type SmartChargingErrorCode = keyof typeof SMART_CHARGING_ERRORS;

export class SmartChargingError extends Error {
  readonly code: SmartChargingErrorCode;

  constructor(code: SmartChargingErrorCode, detail?: string) {
    const base = SMART_CHARGING_ERRORS[code];
    super(detail ? `${base}: ${detail}` : base);
    this.name = 'SmartChargingError';
    this.code = code;
  }
}
