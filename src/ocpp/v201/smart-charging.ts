/**
 * OCPP 2.0.1 smart charging (functional block K): SetChargingProfile, GetChargingProfiles with
 * ReportChargingProfiles, ClearChargingProfile, GetCompositeSchedule, NotifyChargingLimit and
 * ClearedChargingLimit for a local (EMS) limit, the TxProfile of RequestStartTransaction, and
 * TransactionEvent ChargingRateChanged when a local limit changes the applied limit significantly.
 *
 * Owns: mapping 2.0.1 profiles onto the version-neutral model (EVSE ids onto evsed's flat
 * connectors: an EVSE's first connector; EVSE 0 = the station), the answers, and the 2.0.1
 * install rules (same stack level rejected, K01.FR.52/53 duplicates, external constraints not
 * settable by the CSMS, K01.FR.22). The rules themselves are the domain's.
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import { afterReply, isoTime } from '../adapter.js';
import type {
  ChargingLimitSourceEnumType,
  ChargingProfilePurposeEnumType,
  ChargingProfileType,
  V201CsmsToCs,
  V201CsToCsms,
} from '../schemas/generated/v201/types.js';
import type { ChargingProfile, LimitSource, ProfilePurpose } from '../../domain/smart-charging/index.js';
import { limitChangeSignificancePct, type ProfileRejection } from '../../domain/smart-charging/index.js';
import { REQUEST_START_PROFILE_KEY } from './control.js';

const PURPOSE: Record<ChargingProfilePurposeEnumType, ProfilePurpose> = {
  ChargingStationMaxProfile: 'stationMax',
  TxDefaultProfile: 'txDefault',
  TxProfile: 'tx',
  ChargingStationExternalConstraints: 'external',
};
const PURPOSE_BACK: Record<ProfilePurpose, ChargingProfilePurposeEnumType> = {
  stationMax: 'ChargingStationMaxProfile',
  txDefault: 'TxDefaultProfile',
  tx: 'TxProfile',
  external: 'ChargingStationExternalConstraints',
};
const SOURCE_BACK: Record<LimitSource, ChargingLimitSourceEnumType> = { csms: 'CSO', ems: 'EMS', gridOperator: 'SO', local: 'Other' };
const SOURCE: Record<ChargingLimitSourceEnumType, LimitSource> = { CSO: 'csms', EMS: 'ems', SO: 'gridOperator', Other: 'local' };

const ms = (t?: string) => (t ? Date.parse(t) : undefined);

/**
 * statusInfo.reasonCode (at most 20 characters) of each refusal; the domain's message goes into
 * additionalInfo. The 2.0.1 reason codes list names the first four; the rest say what is wrong.
 */
const REASON_CODE: Record<ProfileRejection, string> = {
  unknownConnector: 'UnknownEVSE',
  noTransaction: 'TxNotFound',
  duplicateProfile: 'DuplicateProfile',
  unitNotSupported: 'UnsupportedRateUnit',
  noSchedule: 'InvalidSchedule',
  noPeriods: 'InvalidSchedule',
  firstPeriodNotZero: 'InvalidSchedule',
  periodsOutOfOrder: 'InvalidSchedule',
  invalidLimit: 'InvalidSchedule',
  invalidDuration: 'InvalidSchedule',
  missingStartSchedule: 'InvalidSchedule',
  unexpectedStartSchedule: 'InvalidSchedule',
  missingRecurrency: 'InvalidSchedule',
  invalidValidity: 'InvalidValue',
  invalidNumberPhases: 'InvalidValue',
  invalidPhaseToUse: 'InvalidValue',
  phaseSwitchingUnsupported: 'UnsupportedPhases',
  phasesNotEnforceable: 'UnsupportedPhases',
  stationMaxNotOnStation: 'InvalidProfile',
  stationMaxRelative: 'InvalidProfile',
  txOnStation: 'InvalidProfile',
  externalNotAllowed: 'InvalidProfile',
  externalNotReplaceable: 'InvalidProfile',
  invalidStackLevel: 'InvalidStackLevel',
  tooManyPeriods: 'TooManyPeriods',
  tooManyProfiles: 'TooManyProfiles',
  duplicateStackLevel: 'DuplicateStackLevel',
};

export function fromV201Profile(p: ChargingProfileType, connector: number, transactionId?: string): ChargingProfile {
  return {
    id: p.id,
    stackLevel: p.stackLevel,
    purpose: PURPOSE[p.chargingProfilePurpose],
    kind: p.chargingProfileKind === 'Absolute' ? 'absolute' : p.chargingProfileKind === 'Recurring' ? 'recurring' : 'relative',
    ...(p.recurrencyKind ? { recurrency: p.recurrencyKind === 'Daily' ? 'daily' : 'weekly' } : {}),
    ...(p.validFrom ? { validFromMs: ms(p.validFrom)! } : {}),
    ...(p.validTo ? { validToMs: ms(p.validTo)! } : {}),
    connector,
    ...(transactionId ? { transactionId } : {}),
    schedules: p.chargingSchedule.map((s) => ({
      id: s.id,
      ...(s.startSchedule ? { startScheduleMs: ms(s.startSchedule)! } : {}),
      ...(s.duration !== undefined ? { durationS: s.duration } : {}),
      rateUnit: s.chargingRateUnit,
      ...(s.minChargingRate !== undefined ? { minChargingRate: s.minChargingRate } : {}),
      periods: s.chargingSchedulePeriod.map((x) => ({
        startPeriodS: x.startPeriod,
        limit: x.limit,
        ...(x.numberPhases !== undefined ? { numberPhases: x.numberPhases } : {}),
        ...(x.phaseToUse !== undefined ? { phaseToUse: x.phaseToUse } : {}),
      })),
    })),
    source: 'csms',
  };
}

export function toV201Profile(p: ChargingProfile, txId?: string): ChargingProfileType {
  const kind = p.kind === 'absolute' ? 'Absolute' : p.kind === 'recurring' ? 'Recurring' : 'Relative';
  return {
    id: p.id,
    stackLevel: p.stackLevel,
    chargingProfilePurpose: PURPOSE_BACK[p.purpose],
    chargingProfileKind: kind,
    ...(p.recurrency ? { recurrencyKind: p.recurrency === 'daily' ? 'Daily' : 'Weekly' } : {}),
    ...(p.validFromMs !== undefined ? { validFrom: isoTime(p.validFromMs) } : {}),
    ...(p.validToMs !== undefined ? { validTo: isoTime(p.validToMs) } : {}),
    ...(txId ? { transactionId: txId } : {}),
    chargingSchedule: p.schedules.map((s, i) => ({
      id: s.id ?? i + 1,
      ...(s.startScheduleMs !== undefined ? { startSchedule: isoTime(s.startScheduleMs) } : {}),
      ...(s.durationS !== undefined ? { duration: s.durationS } : {}),
      chargingRateUnit: s.rateUnit,
      ...(s.minChargingRate !== undefined ? { minChargingRate: s.minChargingRate } : {}),
      chargingSchedulePeriod: s.periods.map((x) => ({
        startPeriod: x.startPeriodS,
        limit: x.limit,
        ...(x.numberPhases !== undefined ? { numberPhases: x.numberPhases } : {}),
        ...(x.phaseToUse !== undefined ? { phaseToUse: x.phaseToUse } : {}),
      })),
    })),
  };
}

export interface V201SmartCharging {
  /** A local (EMS) limit was set or cleared on a connector (0 = station). */
  localLimitChanged(connector: number, amps: number | null): void;
  dispose(): void;
}

export function registerV201SmartCharging(ctx: AdapterContext, rpc: TypedRpc<V201CsToCsms, V201CsmsToCs>, reportChargingRate: (connector: number) => void): V201SmartCharging {
  const { services, stores, log } = ctx;
  const { runtime, smartCharging: sc, transactions, clock, settings } = services;
  const connectorOf = (evseId: number) => (evseId === 0 ? 0 : runtime.connectors.find((c) => c.info.evseId === evseId)?.info.id);
  const evseOf = (connector: number) => (connector === 0 ? 0 : runtime.connector(connector)?.info.evseId ?? 0);
  const rules = { sameStackLevel: 'reject' as const, rejectTxDefaultOnBothScopes: true };

  rpc.handle('SetChargingProfile', (req) => {
    const p = req.chargingProfile;
    const connector = connectorOf(req.evseId);
    if (connector === undefined) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEVSE' } };
    // K01.FR.22: the CSMS cannot set external constraints.
    if (p.chargingProfilePurpose === 'ChargingStationExternalConstraints') return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidProfile' } };
    let boundTo: string | undefined;
    if (p.chargingProfilePurpose === 'TxProfile') {
      const running = connector > 0 ? transactions.active(connector) : undefined;
      // K01.FR.09/33: a TxProfile needs the running transaction it names.
      if (!running || (p.transactionId !== undefined && p.transactionId !== running.id)) {
        return { status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } };
      }
      boundTo = running.id;
    }
    const r = sc.install(fromV201Profile(p, connector, boundTo), rules);
    if (r.status === 'rejected') {
      log.info({ profile: p.id, reason: r.reason, detail: r.message }, 'charging profile refused');
      return { status: 'Rejected', statusInfo: { reasonCode: REASON_CODE[r.reason], additionalInfo: r.message.slice(0, 512) } };
    }
    return { status: 'Accepted' };
  });

  rpc.handle('ClearChargingProfile', (req) => {
    const c = req.chargingProfileCriteria;
    const connector = c?.evseId !== undefined ? connectorOf(c.evseId) : undefined;
    if (c?.evseId !== undefined && connector === undefined) return { status: 'Unknown' };
    const cleared = sc.clear({
      ...(req.chargingProfileId !== undefined ? { id: req.chargingProfileId } : {}),
      ...(connector !== undefined ? { connector } : {}),
      ...(c?.chargingProfilePurpose ? { purpose: PURPOSE[c.chargingProfilePurpose] } : {}),
      ...(c?.stackLevel !== undefined ? { stackLevel: c.stackLevel } : {}),
    });
    return { status: cleared.length > 0 ? 'Accepted' : 'Unknown' };
  });

  rpc.handle('GetChargingProfiles', (req) => {
    const crit = req.chargingProfile;
    const connector = req.evseId !== undefined ? connectorOf(req.evseId) : undefined;
    const found = sc
      .profiles(connector !== undefined ? { connector } : {})
      .filter((p) => !crit.chargingProfilePurpose || p.purpose === PURPOSE[crit.chargingProfilePurpose])
      .filter((p) => crit.stackLevel === undefined || p.stackLevel === crit.stackLevel)
      .filter((p) => !crit.chargingProfileId || crit.chargingProfileId.includes(p.id))
      .filter((p) => !crit.chargingLimitSource || crit.chargingLimitSource.map((s) => SOURCE[s]).includes(p.source));
    if (found.length === 0) return { status: 'NoProfiles' };
    // One ReportChargingProfiles per (EVSE, source), tbc on all but the last (K09).
    const groups = new Map<string, { evseId: number; source: LimitSource; profiles: ChargingProfile[] }>();
    for (const p of found) {
      const key = `${evseOf(p.connector)}:${p.source}`;
      if (!groups.has(key)) groups.set(key, { evseId: evseOf(p.connector), source: p.source, profiles: [] });
      groups.get(key)!.profiles.push(p);
    }
    afterReply(async () => {
      const list = [...groups.values()];
      for (const [i, g] of list.entries()) {
        await rpc.call('ReportChargingProfiles', {
          requestId: req.requestId,
          chargingLimitSource: SOURCE_BACK[g.source],
          evseId: g.evseId,
          chargingProfile: g.profiles.map((p) => toV201Profile(p, p.transactionId)),
          ...(i < list.length - 1 ? { tbc: true } : {}),
        });
      }
    }, log);
    return { status: 'Accepted' };
  });

  rpc.handle('GetCompositeSchedule', (req) => {
    const connector = connectorOf(req.evseId);
    const unit = req.chargingRateUnit ?? 'A';
    if (connector === undefined) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEVSE' } };
    if (!sc.unitSupported(unit)) return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRateUnit' } };
    const fromMs = Math.floor(clock.now() / 1000) * 1000;
    const composite = sc.composite(connector, { fromMs, durationS: req.duration, unit });
    if (!composite) return { status: 'Rejected' };
    return {
      status: 'Accepted',
      schedule: {
        evseId: req.evseId,
        duration: composite.durationS,
        scheduleStart: isoTime(composite.startMs),
        chargingRateUnit: composite.unit,
        chargingSchedulePeriod: composite.periods.map((x) => ({ startPeriod: x.startPeriodS, limit: x.limit, numberPhases: x.numberPhases })),
      },
    };
  });

  // RequestStartTransaction's TxProfile applies to the transaction it started (F01.FR.08–12).
  const offTx = transactions.subscribe({
    onStarted(t) {
      const key = REQUEST_START_PROFILE_KEY(t.connector);
      const p = stores.settings.get<ChargingProfileType>(key);
      if (!p) return;
      stores.settings.delete(key);
      const r = sc.install(fromV201Profile(p, t.connector, t.id), rules);
      if (r.status === 'rejected') log.warn({ reason: r.reason, detail: r.message }, 'TxProfile of the remote start refused');
    },
  });

  // SC.02/SC.03: a significant change of the applied limit is reported in the transaction, when
  // something other than the CSMS's own profiles changed it (an energy manager's local limit set,
  // changed or lifted): the CSMS knows its profiles (OCTT errata 2024-09 for TC_K_56_CS).
  const lastSource = new Map<number, string>();
  const external = (source: string | undefined) => source !== undefined && source !== 'csms' && source !== 'hardware';
  const offLimit = sc.onLimitChanged((change) => {
    const before = lastSource.get(change.connector);
    lastSource.set(change.connector, change.source);
    if (change.previousA === null || !transactions.active(change.connector)) return;
    if (!external(change.source) && !external(before)) return;
    const pct = limitChangeSignificancePct(settings);
    const base = Math.max(change.previousA, 1);
    if ((Math.abs(change.limitA - change.previousA) / base) * 100 < pct) return;
    reportChargingRate(change.connector);
  });

  return {
    localLimitChanged(connector, amps) {
      if (!ctx.canSend()) return;
      const evseId = evseOf(connector);
      const send =
        amps === null
          ? rpc.call('ClearedChargingLimit', { chargingLimitSource: 'EMS', ...(evseId ? { evseId } : {}) })
          : rpc.call('NotifyChargingLimit', {
              chargingLimit: { chargingLimitSource: 'EMS' },
              ...(evseId ? { evseId } : {}),
              // The limit itself only when SmartChargingCtrlr.NotifyChargingLimitWithSchedules says so (K12).
              ...(settings.bool('NotifyChargingLimitWithSchedules')
                ? {
                    chargingSchedule: [
                      { id: 1, chargingRateUnit: 'A', startSchedule: isoTime(clock.now()), chargingSchedulePeriod: [{ startPeriod: 0, limit: amps }] },
                    ],
                  }
                : {}),
            });
      send.catch((err: Error) => log.warn({ err, connector }, 'charging limit report not delivered'));
    },
    dispose() {
      offTx();
      offLimit();
    },
  };
}
