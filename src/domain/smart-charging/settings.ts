/**
 * The smart charging settings as the smart charging code needs them: capability limits
 * (1.6 §9.4 keys, which 2.0.1 SmartChargingCtrlr variables map onto) and the 2.0.1-only values.
 *
 * Owns: reading the catalogue entries (src/domain/settings-catalog.ts) into typed values, and the
 * 1.6 spelling of rate units in ChargingScheduleAllowedChargingRateUnit ("Current" = A,
 * "Power" = W, 16-E 3.88). Must not: write settings.
 */
import type { Settings } from '../settings.js';
import type { RateUnit } from './model.js';
import type { ProfileLimits } from './validate.js';

/** ChargingScheduleAllowedChargingRateUnit members and the units they allow. */
export const RATE_UNIT_NAMES: Readonly<Record<string, RateUnit>> = { Current: 'A', Power: 'W' };

export function profileLimits(settings: Settings): ProfileLimits {
  return {
    maxStackLevel: settings.int('ChargeProfileMaxStackLevel'),
    maxPeriods: settings.int('ChargingScheduleMaxPeriods'),
    maxInstalled: settings.int('MaxChargingProfilesInstalled'),
    units: settings
      .list('ChargingScheduleAllowedChargingRateUnit')
      .map((name) => RATE_UNIT_NAMES[name])
      .filter((u): u is RateUnit => u !== undefined),
  };
}

/** 2.0.1 SmartChargingCtrlr.LimitChangeSignificance, percent. */
export function limitChangeSignificancePct(settings: Settings): number {
  const pct = Number(settings.get('LimitChangeSignificance'));
  return Number.isFinite(pct) ? pct : 0;
}

/** 2.0.1 SmartChargingCtrlr.ExternalControlSignalsEnabled: energy-manager inputs are honoured. */
export function externalControlEnabled(settings: Settings): boolean {
  return settings.bool('ExternalControlSignalsEnabled');
}
