/**
 * Admission of a charging profile: is it well formed, does the station support it, and which
 * installed profiles does it replace.
 *
 * Owns the rules with a stable reason code each (PROFILE_REJECTIONS): schedule shape (first
 * period at 0, ascending periods, 16-E 3.45/3.70, K01.FR.31/35), startSchedule by kind
 * (K01.FR.40/41), purpose and scope (1.6 §3.13.1, K01.FR.16/38, K04.FR.03), a tx profile needs
 * its transaction (1.6 §3.13.1, K01.FR.09/33), capability limits (1.6 §9.4 / SmartChargingCtrlr:
 * stack level, periods, units K01.FR.26, installed count), unknown connector (K01.FR.28),
 * phases (K01.FR.19/43/48), external constraints (K01.FR.05/22), and duplicates:
 * - same id → replaces (1.6 §5.16.3, K01.FR.05);
 * - same purpose + stack level + connector (+ transaction for tx) → replaces under 1.6 rules
 *   (§3.13.2, `sameStackLevel: 'replace'`); 2.0.1 leaves it to the CSMS not to send such a
 *   profile (K01.FR.06/39), `sameStackLevel: 'reject'` refuses it when the validity overlaps;
 * - 2.0.1 K01.FR.52/53: a txDefault profile on connector 0 and one on a connector with the same
 *   stack level and another id → `duplicateProfile` (option `rejectTxDefaultOnBothScopes`).
 * Must not: store anything or speak OCPP (the adapters map the codes to statuses/reason codes).
 */
import type { ChargingProfile, RateUnit } from './model.js';

export const PROFILE_REJECTIONS = {
  unknownConnector: 'no such connector',
  noSchedule: 'a profile needs a charging schedule',
  noPeriods: 'a charging schedule needs at least one period',
  firstPeriodNotZero: 'the first period must start at 0',
  periodsOutOfOrder: 'periods must be ordered by strictly increasing whole-second startPeriod',
  invalidLimit: 'a period limit must be a finite number, at least 0',
  invalidNumberPhases: 'numberPhases must be 1, 2 or 3',
  invalidPhaseToUse: 'phaseToUse needs numberPhases 1 and a phase from 1 to 3',
  phaseSwitchingUnsupported: 'the station cannot choose the phase an EV charges on',
  phasesNotEnforceable: 'the station cannot keep an EV to fewer phases than the connector has',
  invalidDuration: 'duration must be a whole number of seconds, at least 0',
  missingStartSchedule: 'absolute and recurring profiles need startSchedule',
  unexpectedStartSchedule: 'relative profiles must not have startSchedule',
  missingRecurrency: 'recurring profiles need a recurrency (daily or weekly)',
  invalidValidity: 'validFrom must be before validTo',
  stationMaxNotOnStation: 'a station maximum applies to connector 0 only',
  stationMaxRelative: 'a station maximum cannot be relative',
  txOnStation: 'a transaction profile needs a connector > 0',
  noTransaction: 'no such transaction runs on the connector',
  externalNotAllowed: 'external constraints are set by the station itself',
  externalNotReplaceable: 'an external constraint cannot be replaced by the management system',
  invalidStackLevel: 'stackLevel must be a whole number from 0 to the maximum stack level',
  tooManyPeriods: 'more periods than a schedule may have',
  unitNotSupported: 'charging rate unit not supported',
  tooManyProfiles: 'the maximum number of installed profiles is reached',
  duplicateStackLevel: 'another profile with this purpose, stack level and connector is valid at the same time',
  duplicateProfile: 'a default profile with this stack level is installed for the station and for a connector',
} as const;

export type ProfileRejection = keyof typeof PROFILE_REJECTIONS;

/** Capabilities (1.6 §9.4 keys / 2.0.1 SmartChargingCtrlr variables). */
export interface ProfileLimits {
  maxStackLevel: number;
  maxPeriods: number;
  units: readonly RateUnit[];
  maxInstalled: number;
}

/** Version-dependent admission rules; the defaults are the OCPP 1.6 ones. */
export interface InstallRules {
  /** Same purpose + stack level + connector: replace (1.6 §3.13.2) or reject when validity overlaps (2.0.1). */
  sameStackLevel?: 'replace' | 'reject';
  /** K01.FR.52/53 DuplicateProfile. */
  rejectTxDefaultOnBothScopes?: boolean;
  /** K01.FR.43: refuse numberPhases below the connector's phases (evsed cannot enforce it). */
  strictPhases?: boolean;
  /** Who installs it: the management system (default) may not touch external constraints. */
  installer?: 'csms' | 'station';
}

export interface ValidationContext {
  installed: readonly ChargingProfile[];
  limits: ProfileLimits;
  connectorExists(connector: number): boolean;
  /** Phases wired to a connector (strictPhases). */
  connectorPhases?(connector: number): number;
  /** A transaction runs on the connector (and, when given, it is that transaction). */
  txRunning(connector: number, transactionId: string | undefined): boolean;
  rules?: InstallRules;
}

export type ValidationResult =
  | { ok: true; /** ids of installed profiles the new one replaces */ replaces: number[] }
  | { ok: false; reason: ProfileRejection; message: string };

const reject = (reason: ProfileRejection, detail?: string): ValidationResult => ({
  ok: false,
  reason,
  message: detail ? `${PROFILE_REJECTIONS[reason]}: ${detail}` : PROFILE_REJECTIONS[reason],
});

const overlaps = (a: ChargingProfile, b: ChargingProfile): boolean =>
  (a.validFromMs ?? -Infinity) < (b.validToMs ?? Infinity) && (b.validFromMs ?? -Infinity) < (a.validToMs ?? Infinity);

function checkShape(p: ChargingProfile, limits: ProfileLimits, phasesOf: (c: number) => number | undefined, rules: InstallRules): ValidationResult | null {
  if (p.schedules.length === 0) return reject('noSchedule');
  if (p.validFromMs !== undefined && p.validToMs !== undefined && p.validFromMs >= p.validToMs) return reject('invalidValidity');
  if (p.kind === 'recurring' && p.recurrency === undefined) return reject('missingRecurrency');
  for (const s of p.schedules) {
    if (p.kind === 'relative' && s.startScheduleMs !== undefined) return reject('unexpectedStartSchedule');
    if (p.kind !== 'relative' && s.startScheduleMs === undefined) return reject('missingStartSchedule');
    if (s.durationS !== undefined && !(Number.isInteger(s.durationS) && s.durationS >= 0)) return reject('invalidDuration');
    if (s.periods.length === 0) return reject('noPeriods');
    if (s.periods[0]!.startPeriodS !== 0) return reject('firstPeriodNotZero');
    let previous = -1;
    for (const period of s.periods) {
      if (!Number.isInteger(period.startPeriodS) || period.startPeriodS <= previous) return reject('periodsOutOfOrder');
      previous = period.startPeriodS;
      if (!Number.isFinite(period.limit) || period.limit < 0) return reject('invalidLimit');
      const np = period.numberPhases;
      if (np !== undefined && !(Number.isInteger(np) && np >= 1 && np <= 3)) return reject('invalidNumberPhases');
      if (period.phaseToUse !== undefined) {
        if (np !== 1 || !(Number.isInteger(period.phaseToUse) && period.phaseToUse >= 1 && period.phaseToUse <= 3)) {
          return reject('invalidPhaseToUse');
        }
        return reject('phaseSwitchingUnsupported');
      }
      if (rules.strictPhases && np !== undefined) {
        const wired = phasesOf(p.connector);
        if (wired !== undefined && np < wired) return reject('phasesNotEnforceable', `numberPhases ${np} on ${wired} phases`);
      }
    }
    if (s.periods.length > limits.maxPeriods) return reject('tooManyPeriods', `${s.periods.length} > ${limits.maxPeriods}`);
    if (!limits.units.includes(s.rateUnit)) return reject('unitNotSupported', s.rateUnit);
  }
  return null;
}

/** Check `profile` against the rules and the installed profiles. */
export function validateProfile(profile: ChargingProfile, ctx: ValidationContext): ValidationResult {
  const rules = ctx.rules ?? {};
  const p = profile;
  if (!(Number.isInteger(p.connector) && p.connector >= 0) || (p.connector > 0 && !ctx.connectorExists(p.connector))) {
    return reject('unknownConnector', String(p.connector));
  }
  const phasesOf = (c: number): number | undefined => {
    if (c > 0) return ctx.connectorPhases?.(c);
    return undefined;
  };
  const shape = checkShape(p, ctx.limits, phasesOf, rules);
  if (shape) return shape;
  const byStation = rules.installer === 'station';
  if (p.purpose === 'external' && !byStation) return reject('externalNotAllowed');
  if (p.purpose === 'stationMax') {
    if (p.connector !== 0) return reject('stationMaxNotOnStation');
    if (p.kind === 'relative') return reject('stationMaxRelative');
  }
  if (p.purpose === 'tx') {
    if (p.connector === 0) return reject('txOnStation');
    if (!ctx.txRunning(p.connector, p.transactionId)) return reject('noTransaction');
  }
  if (!(Number.isInteger(p.stackLevel) && p.stackLevel >= 0 && p.stackLevel <= ctx.limits.maxStackLevel)) {
    return reject('invalidStackLevel', `${p.stackLevel} (maximum ${ctx.limits.maxStackLevel})`);
  }
  const replaces = new Set<number>();
  const sameId = ctx.installed.find((x) => x.id === p.id);
  if (sameId) {
    if (sameId.purpose === 'external' && !byStation) return reject('externalNotReplaceable');
    replaces.add(sameId.id);
  }
  for (const x of ctx.installed) {
    if (x.id === p.id || x.purpose !== p.purpose || x.stackLevel !== p.stackLevel) continue;
    if (x.connector === p.connector && (p.purpose !== 'tx' || x.transactionId === p.transactionId)) {
      if ((rules.sameStackLevel ?? 'replace') === 'replace') replaces.add(x.id);
      else if (overlaps(x, p)) return reject('duplicateStackLevel', `profile ${x.id}`);
    } else if (rules.rejectTxDefaultOnBothScopes && p.purpose === 'txDefault' && (p.connector === 0) !== (x.connector === 0)) {
      return reject('duplicateProfile', `profile ${x.id} on connector ${x.connector}`);
    }
  }
  if (ctx.installed.length - replaces.size + 1 > ctx.limits.maxInstalled) {
    return reject('tooManyProfiles', `maximum ${ctx.limits.maxInstalled}`);
  }
  return { ok: true, replaces: [...replaces].sort((a, b) => a - b) };
}
