/**
 * OCPP 1.6 Smart Charging profile (1.6 §3.13, §5.5, §5.7, §5.16; errata 3.24–3.57): SetChargingProfile,
 * ClearChargingProfile, GetCompositeSchedule, and the TxProfile that comes with
 * RemoteStartTransaction (installed for the transaction it started).
 *
 * Owns: mapping 1.6 profiles onto the version-neutral model (purposes, kinds, units; the 1.6
 * integer transactionId onto evsed's transaction) and the answers. The rules (stacking,
 * validity, limits, composite) are the domain's (src/domain/smart-charging).
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import { isoTime } from '../adapter.js';
import { RpcError } from '../rpc/index.js';
import type { ChargingProfile as V16Profile, V16CsmsToCs, V16CsToCsms } from '../schemas/generated/v16/types.js';
import type { ChargingProfile, ProfilePurpose } from '../../domain/smart-charging/index.js';
import { REMOTE_START_PROFILE_KEY } from './core.js';
import type { V16Transactions } from './transactions.js';

const PURPOSE: Record<V16Profile['chargingProfilePurpose'], ProfilePurpose> = {
  ChargePointMaxProfile: 'stationMax',
  TxDefaultProfile: 'txDefault',
  TxProfile: 'tx',
};

/**
 * A 1.6 profile in evsed's words (`transactionId` = evsed's id of the bound transaction).
 *
 * 1.6 makes startSchedule optional even for Absolute profiles ("if absent the schedule will be
 * relative to start of charging", §7.13), and CSMSs rely on it: an Absolute TxProfile or
 * TxDefaultProfile without startSchedule is taken as Relative; a ChargePointMaxProfile (which
 * cannot be relative) without one starts when it is received (`nowMs`).
 */
export function fromV16Profile(p: V16Profile, connector: number, nowMs: number, transactionId?: string): ChargingProfile {
  const s = p.chargingSchedule;
  const ms = (t?: string) => (t ? Date.parse(t) : undefined);
  let kind: ChargingProfile['kind'] = p.chargingProfileKind === 'Absolute' ? 'absolute' : p.chargingProfileKind === 'Recurring' ? 'recurring' : 'relative';
  let startScheduleMs = ms(s.startSchedule);
  if (kind === 'absolute' && startScheduleMs === undefined) {
    if (p.chargingProfilePurpose === 'ChargePointMaxProfile') startScheduleMs = Math.floor(nowMs / 1000) * 1000;
    else kind = 'relative';
  }
  return {
    id: p.chargingProfileId,
    stackLevel: p.stackLevel,
    purpose: PURPOSE[p.chargingProfilePurpose],
    kind,
    ...(p.recurrencyKind ? { recurrency: p.recurrencyKind === 'Daily' ? 'daily' : 'weekly' } : {}),
    ...(p.validFrom ? { validFromMs: ms(p.validFrom)! } : {}),
    ...(p.validTo ? { validToMs: ms(p.validTo)! } : {}),
    connector,
    ...(transactionId ? { transactionId } : {}),
    schedules: [
      {
        ...(startScheduleMs !== undefined ? { startScheduleMs } : {}),
        ...(s.duration !== undefined ? { durationS: s.duration } : {}),
        rateUnit: s.chargingRateUnit,
        ...(s.minChargingRate !== undefined ? { minChargingRate: s.minChargingRate } : {}),
        periods: s.chargingSchedulePeriod.map((x) => ({
          startPeriodS: x.startPeriod,
          limit: x.limit,
          ...(x.numberPhases !== undefined ? { numberPhases: x.numberPhases } : {}),
        })),
      },
    ],
    source: 'csms',
  };
}

export function registerV16SmartCharging(ctx: AdapterContext, rpc: TypedRpc<V16CsToCsms, V16CsmsToCs>, tx: V16Transactions): () => void {
  const { services, stores, log } = ctx;
  const { runtime, smartCharging: sc, transactions, clock } = services;
  const exists = (connectorId: number) => connectorId === 0 || runtime.connector(connectorId) !== undefined;

  rpc.handle('SetChargingProfile', (req) => {
    const p = req.csChargingProfiles;
    // Errata 3.39: an invalid connector is a property constraint violation.
    if (!exists(req.connectorId)) throw new RpcError('PropertyConstraintViolation', `/connectorId: no connector ${req.connectorId}`);
    let boundTo: string | undefined;
    if (p.chargingProfilePurpose === 'TxProfile') {
      // A TxProfile needs a running transaction on that connector; a given transactionId must be it (TC_058).
      const running = req.connectorId > 0 ? transactions.active(req.connectorId) : undefined;
      if (!running) return { status: 'Rejected' };
      if (p.transactionId !== undefined && tx.csmsIdOf(running) !== p.transactionId) return { status: 'Rejected' };
      boundTo = running.id;
    }
    const result = sc.install(fromV16Profile(p, req.connectorId, clock.now(), boundTo), { sameStackLevel: 'replace' });
    if (result.status === 'rejected') {
      log.info({ profile: p.chargingProfileId, reason: result.reason, detail: result.message }, 'charging profile refused');
      return { status: 'Rejected' };
    }
    return { status: 'Accepted' };
  });

  rpc.handle('ClearChargingProfile', (req) => {
    if (req.connectorId !== undefined && !exists(req.connectorId)) return { status: 'Unknown' };
    const cleared = sc.clear({
      ...(req.id !== undefined ? { id: req.id } : {}),
      ...(req.connectorId !== undefined ? { connector: req.connectorId } : {}),
      ...(req.chargingProfilePurpose ? { purpose: PURPOSE[req.chargingProfilePurpose] } : {}),
      ...(req.stackLevel !== undefined ? { stackLevel: req.stackLevel } : {}),
    });
    return { status: cleared.length > 0 ? 'Accepted' : 'Unknown' };
  });

  rpc.handle('GetCompositeSchedule', (req) => {
    const unit = req.chargingRateUnit ?? 'A';
    if (!exists(req.connectorId) || !sc.unitSupported(unit)) return { status: 'Rejected' };
    // Whole seconds: startPeriods count from scheduleStart.
    const fromMs = Math.floor(clock.now() / 1000) * 1000;
    const composite = sc.composite(req.connectorId, { fromMs, durationS: req.duration, unit });
    if (!composite) return { status: 'Rejected' };
    return {
      status: 'Accepted',
      connectorId: req.connectorId,
      // Errata 3.51/3.57: scheduleStart at top level, no startSchedule inside.
      scheduleStart: isoTime(composite.startMs),
      chargingSchedule: {
        duration: composite.durationS,
        chargingRateUnit: composite.unit,
        chargingSchedulePeriod: composite.periods.map((x) => ({
          startPeriod: x.startPeriodS,
          limit: x.limit,
          ...(x.numberPhases !== undefined ? { numberPhases: x.numberPhases } : {}),
        })),
      },
    };
  });

  // A TxProfile that came with RemoteStartTransaction applies to the transaction it started (16 §5.11).
  return transactions.subscribe({
    onStarted(t) {
      const key = REMOTE_START_PROFILE_KEY(t.connector);
      const p = stores.settings.get<V16Profile>(key);
      if (!p) return;
      stores.settings.delete(key);
      const r = sc.install(fromV16Profile(p, t.connector, clock.now(), t.id), { sameStackLevel: 'replace' });
      if (r.status === 'rejected') log.warn({ reason: r.reason, detail: r.message }, 'TxProfile of the remote start refused');
    },
  });
}
