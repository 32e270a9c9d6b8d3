/**
 * Control pilot PWM encoding per IEC 61851-1 Annex A (table A.8).
 *
 * Owns: the conversion between an offered current (A) and a duty cycle (%), both ways.
 * 6 A–51 A: duty = I / 0.6; 51 A–80 A: duty = I / 2.5 + 64. A duty of 5 % requests digital
 * communication (ISO 15118) and offers no current by itself; 100 % (no PWM) offers nothing.
 */

export const MIN_OFFER_A = 6;
export const MAX_OFFER_A = 80;

/** Duty cycle in percent (rounded to 0.1 %) for an offered current; null for no offer. */
export function dutyCycleForCurrent(currentA: number | null): number {
  if (currentA === null || !Number.isFinite(currentA) || currentA < MIN_OFFER_A) return 100;
  const amps = Math.min(currentA, MAX_OFFER_A);
  const duty = amps <= 51 ? amps / 0.6 : amps / 2.5 + 64;
  return Math.round(duty * 10) / 10;
}

/** Current an EV may draw for a measured duty cycle (A); 0 when the duty offers nothing. */
export function currentForDutyCycle(dutyPercent: number): number {
  if (!Number.isFinite(dutyPercent) || dutyPercent < 8 || dutyPercent > 97) return 0;
  if (dutyPercent <= 85) return Math.max(MIN_OFFER_A, dutyPercent * 0.6);
  return Math.min(MAX_OFFER_A, (dutyPercent - 64) * 2.5);
}

/** Normalise a requested offer: below 6 A means no offer; above the hardware maximum is clamped. */
export function normaliseOffer(currentA: number | null, maxCurrentA: number): number | null {
  if (currentA === null || !Number.isFinite(currentA) || currentA < MIN_OFFER_A) return null;
  return Math.min(currentA, maxCurrentA, MAX_OFFER_A);
}
