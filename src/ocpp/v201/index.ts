/**
 * OCPP 2.0.1 adapter: the charging station side of 2.0.1 (edition 3 with errata) — the Core and
 * Local Auth List Management certification profiles plus reservations, on the shared domain,
 * statecharts and offline queue.
 *
 * Owns: assembling the functional-block modules (provisioning B, device model B05–B08,
 * authorization C/D, transactions E/J, control F, availability G, reservation H, smart charging K,
 * data transfer P)
 * into one VersionAdapter; the transaction start/stop points from TxCtrlr; connector statuses
 * (StatusNotification per connector, G01). Requests of blocks not implemented (firmware, logs,
 * certificates, display messages, monitoring, ISO 15118) have no handler and get CALLERROR
 * NotSupported from the transport.
 */
import type { AdapterContext, VersionAdapter } from '../adapter.js';
import { typed } from '../adapter.js';
import { RpcError } from '../rpc/index.js';
import type { V201CsmsToCs, V201CsToCsms } from '../schemas/generated/v201/types.js';
import { StatusReporter } from '../status-reporter.js';
import type { TxPoint, TxPolicy } from '../../domain/transactions.js';
import { registerV201Authorization } from './authorization.js';
import { registerV201Availability } from './availability.js';
import { registerV201Control } from './control.js';
import { DeviceModel, registerV201DeviceModel } from './device-model/index.js';
import { registerV201Provisioning } from './provisioning.js';
import { registerV201Reservation } from './reservation.js';
import { registerV201SmartCharging } from './smart-charging.js';
import { sameV201Status, v201StatusOf, type V201Status } from './status.js';
import { createV201Transactions } from './transactions.js';

export { v201StatusOf } from './status.js';
export { BOOT_REASON_KEY } from './provisioning.js';

/** TxCtrlr.TxStartPoint / TxStopPoint values → domain start/stop conditions. */
const POINTS: Record<string, TxPoint> = {
  EVConnected: 'evConnected',
  Authorized: 'authorized',
  PowerPathClosed: 'powerPathClosed',
  EnergyTransfer: 'energyTransfer',
};

export function txPolicyFrom(start: readonly string[], stop: readonly string[]): TxPolicy {
  const map = (list: readonly string[]) => list.map((p) => POINTS[p]).filter((p): p is TxPoint => p !== undefined);
  const policy = { start: map(start), stop: map(stop) };
  // Without any usable point fall back to the 1.6-like default (E §1.1.2).
  if (policy.start.length === 0) policy.start = ['powerPathClosed'];
  if (policy.stop.length === 0) policy.stop = ['evConnected', 'authorized'];
  return policy;
}

export function createV201Adapter(ctx: AdapterContext): VersionAdapter {
  const rpc = typed<V201CsToCsms, V201CsmsToCs>(ctx.rpc);
  const { log, services } = ctx;
  const { runtime, clock, settings, transactions: tm } = services;

  const applyPolicy = () => {
    const start = settings.has('TxStartPoint') ? settings.list('TxStartPoint') : ['PowerPathClosed'];
    const stop = settings.has('TxStopPoint') ? settings.list('TxStopPoint') : ['EVConnected', 'Authorized'];
    tm.setPolicy(txPolicyFrom(start, stop));
  };
  applyPolicy();
  const offSettings = settings.onChange((key) => {
    if (key === 'TxStartPoint' || key === 'TxStopPoint') applyPolicy();
  });

  const statuses = new StatusReporter<V201Status>({
    send: async (id, s) => {
      const c = runtime.connector(id);
      if (!c) return;
      if (!ctx.canSend()) throw new Error('not registered or not connected');
      await rpc.call('StatusNotification', {
        timestamp: clock.isoNow(),
        connectorStatus: s.status,
        evseId: c.info.evseId,
        connectorId: c.info.connectorId,
      });
    },
    same: sameV201Status,
    log,
  });
  const current = (): Array<[number, V201Status]> => runtime.connectors.map((c) => [c.info.id, v201StatusOf(c.view())]);
  const reportStatuses = (which: number[] | 'all') => {
    for (const [id, s] of current()) if (which === 'all' || which.includes(id)) statuses.report(id, s, true);
  };

  const deviceModel = new DeviceModel({
    settings,
    runtime,
    config: ctx.config,
    clock,
    store: ctx.stores.deviceModel,
    localListEntries: () => services.auth.localListSize(),
    chargingProfileEntries: () => services.smartCharging.profiles().length,
  });
  registerV201DeviceModel(ctx, rpc, deviceModel);
  const transactions = createV201Transactions(ctx, rpc);
  const provisioning = registerV201Provisioning(ctx, { rpc, outbox: transactions.outbox, transactions, reportStatuses });
  const askAuthorization = registerV201Authorization(ctx, rpc);
  registerV201Control(ctx, rpc);
  registerV201Availability(ctx, rpc);
  const offReservations = registerV201Reservation(ctx, rpc);
  const smart = registerV201SmartCharging(ctx, rpc, (connector) => transactions.chargingRateChanged(connector));
  let linkDownAtMs: number | null = null;

  return {
    protocol: 'ocpp2.0.1',
    outbox: transactions.outbox,

    async boot() {
      const answer = await provisioning.boot();
      return { status: answer.status, intervalS: answer.interval, currentTime: answer.currentTime };
    },

    heartbeat: () => provisioning.heartbeat(),

    onRegistered(reconnect) {
      if (!reconnect) {
        statuses.resync(current(), true);
        provisioning.afterRegistration();
        return;
      }
      // B04.FR.01/02: after a long outage every connector, after a short one only the changed ones.
      const thresholdS = settings.has('OfflineThreshold') ? settings.int('OfflineThreshold') : 0;
      const offlineS = linkDownAtMs === null ? 0 : (clock.now() - linkDownAtMs) / 1000;
      statuses.resync(current(), offlineS > thresholdS);
    },

    onLinkDown() {
      linkDownAtMs = clock.now();
      statuses.linkLost();
      transactions.outbox.linkLost();
    },

    onConnectorChange(view) {
      statuses.report(view.id, v201StatusOf(view));
    },

    askAuthorization,

    onLocalLimit: (connector, amps) => smart.localLimitChanged(connector, amps),

    statusOf: v201StatusOf,

    incomingGate(action) {
      // B03.FR.08: while Rejected, requests from the CSMS get CALLERROR SecurityError.
      if (ctx.registration() === 'rejected') {
        return new RpcError('SecurityError', `${action} refused: registration was rejected`);
      }
      return null;
    },

    dispose() {
      offSettings();
      offReservations();
      smart.dispose();
      rpc.removeAll();
      statuses.dispose();
      provisioning.dispose();
      transactions.dispose();
    },
  };
}
