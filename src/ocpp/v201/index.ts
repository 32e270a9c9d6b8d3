/**
 * OCPP 2.0.1 adapter: the charging station side of 2.0.1 (edition 3 with errata) for one
 * connection.
 *
 * Owns: assembling the functional-block modules into one VersionAdapter. Must not: keep state
 * that must survive a reconnect except through `ctx.shared` or the store.
 */
import type { AdapterContext, VersionAdapter } from '../adapter.js';
import { typed } from '../adapter.js';
import { RpcError } from '../rpc/index.js';
import type { V201CsmsToCs, V201CsToCsms } from '../schemas/generated/v201/types.js';
import { Outbox } from '../outbox.js';
import { StatusReporter } from '../status-reporter.js';
import { sameV201Status, v201StatusOf, type V201Status } from './status.js';

export { v201StatusOf } from './status.js';

/** BootNotification reason for the next registration; set before a restart, cleared once sent. */
export const BOOT_REASON_KEY = 'ocpp201.bootReason';

export function createV201Adapter(ctx: AdapterContext): VersionAdapter {
  const rpc = typed<V201CsToCsms, V201CsmsToCs>(ctx.rpc);
  const { config, log } = ctx;
  const { runtime, clock, settings: domainSettings } = ctx.services;
  const settings = ctx.stores.settings;

  const connectorsById = () => new Map(runtime.connectors.map((c) => [c.info.id, c.info]));
  const statuses = new StatusReporter<V201Status>({
    send: async (id, s) => {
      const info = connectorsById().get(id);
      if (!info) return;
      if (!ctx.canSend()) throw new Error('not registered or not connected');
      await rpc.call('StatusNotification', {
        timestamp: clock.isoNow(),
        connectorStatus: s.status,
        evseId: info.evseId,
        connectorId: info.connectorId,
      });
    },
    same: sameV201Status,
    log,
  });
  const outbox = new Outbox({
    queue: ctx.stores.queue,
    rpc: ctx.rpc,
    protocol: 'ocpp2.0.1',
    hooks: {
      prepare: (msg) => msg.payload,
      onResult: () => undefined,
      onDiscard: () => undefined,
      attempts: () => domainSettings.int('TransactionMessageAttempts'),
      retryIntervalS: () => domainSettings.int('TransactionMessageRetryInterval'),
    },
    now: () => clock.now(),
    log: log.child({ component: 'outbox' }),
    canSend: ctx.canSend,
    maxMessages: () => domainSettings.int('QueueMaxMessages'),
    thinnable: ['update'],
  });

  return {
    protocol: 'ocpp2.0.1',
    outbox,

    async boot() {
      const s = config.station;
      const reason = settings.get<string>(BOOT_REASON_KEY) ?? 'PowerUp';
      const answer = await rpc.call('BootNotification', {
        reason: reason as 'PowerUp',
        chargingStation: {
          vendorName: s.vendor,
          model: s.model,
          ...(s.serialNumber ? { serialNumber: s.serialNumber } : {}),
          firmwareVersion: s.firmwareVersion,
        },
      });
      if (answer.status === 'Accepted') settings.delete(BOOT_REASON_KEY);
      return { status: answer.status, intervalS: answer.interval, currentTime: answer.currentTime };
    },

    async heartbeat() {
      const answer = await rpc.call('Heartbeat', {});
      clock.synchronise(answer.currentTime);
    },

    onRegistered(reconnect) {
      statuses.resync(
        runtime.connectors.map((c): [number, V201Status] => [c.info.id, v201StatusOf(c.view())]),
        !reconnect,
      );
    },

    onLinkDown() {
      statuses.linkLost();
      outbox.linkLost();
    },

    onConnectorChange(view) {
      statuses.report(view.id, v201StatusOf(view));
    },

    async askAuthorization(token) {
      const answer = await rpc.call('Authorize', { idToken: { idToken: token, type: 'ISO14443' } });
      const info = answer.idTokenInfo;
      const expiryMs = info.cacheExpiryDateTime ? Date.parse(info.cacheExpiryDateTime) : NaN;
      return {
        status: info.status,
        ...(Number.isFinite(expiryMs) ? { expiryMs } : {}),
        ...(info.groupIdToken ? { group: info.groupIdToken.idToken } : {}),
      };
    },

    statusOf: v201StatusOf,

    incomingGate(action) {
      // B03.FR.08: while Rejected, requests from the CSMS get CALLERROR SecurityError.
      if (ctx.registration() === 'rejected') {
        return new RpcError('SecurityError', `${action} refused: registration was rejected`);
      }
      return null;
    },

    dispose() {
      rpc.removeAll();
      statuses.dispose();
      outbox.stop();
    },
  };
}
