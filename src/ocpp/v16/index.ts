/**
 * OCPP 1.6J adapter: the charge point side of 1.6 (edition 2 with errata), with the Core, Local
 * Auth List Management, Reservation, Remote Trigger and Smart Charging profiles.
 *
 * Owns: assembling the per-profile modules into one VersionAdapter, registration (BootNotification,
 * Heartbeat) and Authorize. Requests of profiles not implemented (firmware, diagnostics, security
 * extensions) have no handler and are answered with CALLERROR NotSupported by the transport. Must not: keep state that must survive a restart outside the store.
 */
import type { AdapterContext, VersionAdapter } from '../adapter.js';
import { typed } from '../adapter.js';
import type { V16CsmsToCs, V16CsToCsms } from '../schemas/generated/v16/types.js';
import { V16_POLICY } from '../../domain/transactions.js';
import { StatusReporter } from '../status-reporter.js';
import { registerV16Configuration } from './configuration.js';
import { registerV16Core } from './core.js';
import { registerV16LocalAuth } from './local-auth.js';
import { fromIdTagInfo } from './mapping.js';
import { registerV16Reservation } from './reservation.js';
import { registerV16SmartCharging } from './smart-charging.js';
import { sameStatus, v16StationStatus, v16StatusOf, type V16Status } from './status.js';
import { createV16Transactions } from './transactions.js';
import { registerV16Trigger } from './trigger.js';

export { v16StatusOf } from './status.js';

export function createV16Adapter(ctx: AdapterContext): VersionAdapter {
  const rpc = typed<V16CsToCsms, V16CsmsToCs>(ctx.rpc);
  const { services, config, log } = ctx;
  const { runtime, clock, settings } = services;
  // 1.6 has no start/stop points: a transaction runs from authorized-and-plugged to deauthorized.
  services.transactions.setPolicy(V16_POLICY);

  const statuses = new StatusReporter<V16Status>({
    send: async (connectorId, s) => {
      if (!ctx.canSend()) throw new Error('not registered or not connected');
      await rpc.call('StatusNotification', {
        connectorId,
        status: s.status,
        errorCode: s.errorCode,
        timestamp: clock.isoNow(),
        ...(s.info ? { info: s.info } : {}),
        ...(s.vendorErrorCode ? { vendorErrorCode: s.vendorErrorCode } : {}),
      });
    },
    same: sameStatus,
    log,
    minDurationMs: () => settings.int('MinimumStatusDuration') * 1000,
  });

  const currentStatuses = (): Array<[number, V16Status]> => {
    const view = runtime.view();
    return [
      [0, v16StationStatus(view.operative, view.connectors)],
      ...view.connectors.map((c): [number, V16Status] => [c.id, v16StatusOf(c)]),
    ];
  };

  const heartbeat = async () => {
    const answer = await rpc.call('Heartbeat', {});
    clock.synchronise(answer.currentTime);
  };

  const transactions = createV16Transactions(ctx);
  registerV16Core(ctx, rpc, transactions);
  registerV16Configuration(ctx, rpc);
  registerV16LocalAuth(ctx, rpc);
  registerV16Reservation(ctx, rpc);
  const offSmartCharging = registerV16SmartCharging(ctx, rpc, transactions);
  registerV16Trigger(ctx, rpc, transactions, {
    heartbeat,
    statuses: (which) => {
      for (const [id, s] of currentStatuses()) {
        if (which === 'all' || which.includes(id)) statuses.report(id, s, true);
      }
    },
  });

  return {
    protocol: 'ocpp1.6',
    outbox: transactions.outbox,

    async boot() {
      const s = config.station;
      const answer = await rpc.call('BootNotification', {
        chargePointVendor: s.vendor,
        chargePointModel: s.model,
        ...(s.serialNumber ? { chargePointSerialNumber: s.serialNumber } : {}),
        firmwareVersion: s.firmwareVersion,
      });
      return { status: answer.status, intervalS: answer.interval, currentTime: answer.currentTime };
    },

    heartbeat,

    onRegistered(reconnect) {
      // After acceptance: every connector including 0 (errata 3.22); after an outage only what
      // changed since the CSMS last heard (R-O5).
      statuses.resync(currentStatuses(), !reconnect);
    },

    onLinkDown() {
      statuses.linkLost();
      transactions.outbox.linkLost();
    },

    onConnectorChange(view) {
      statuses.report(view.id, v16StatusOf(view));
      const station = runtime.view();
      statuses.report(0, v16StationStatus(station.operative, station.connectors));
    },

    async askAuthorization(token) {
      const answer = await rpc.call('Authorize', { idTag: token });
      return fromIdTagInfo(answer.idTagInfo);
    },

    statusOf: v16StatusOf,

    incomingGate(action) {
      // 1.6 §4.2: while Rejected the Charge Point SHALL NOT respond to Central System requests.
      if (ctx.registration() === 'rejected') {
        log.warn({ action }, 'request ignored: registration rejected');
        return 'ignore';
      }
      return null;
    },

    dispose() {
      offSmartCharging();
      rpc.removeAll();
      statuses.dispose();
      transactions.dispose();
    },
  };
}
