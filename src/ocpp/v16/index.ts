/**
 * OCPP 1.6J adapter: the charge point side of 1.6 (edition 2 with errata) for one connection.
 *
 * Owns: assembling the per-block modules (provisioning, status, authorization …) into one
 * VersionAdapter. Each module maps domain facts to 1.6 messages and registers handlers for the
 * Central System's requests. Must not: keep state that must survive a reconnect except through
 * `ctx.shared` or the store.
 */
import type { AdapterContext, VersionAdapter } from '../adapter.js';
import { typed } from '../adapter.js';
import type { V16CsmsToCs, V16CsToCsms } from '../schemas/generated/v16/types.js';
import { StatusReporter } from '../status-reporter.js';
import { sameStatus, v16StationStatus, v16StatusOf, type V16Status } from './status.js';

export { v16StatusOf } from './status.js';

export type V16Rpc = ReturnType<typeof typed<V16CsToCsms, V16CsmsToCs>>;

export function createV16Adapter(ctx: AdapterContext): VersionAdapter {
  const rpc = typed<V16CsToCsms, V16CsmsToCs>(ctx.rpc);
  const { runtime, clock, config, log } = ctx;

  const statuses = ctx.shared(
    'statusReporter',
    () =>
      new StatusReporter<V16Status>(
        async (connectorId, s) => {
          await rpc.call('StatusNotification', {
            connectorId,
            status: s.status,
            errorCode: s.errorCode,
            timestamp: clock.isoNow(),
            ...(s.info ? { info: s.info } : {}),
            ...(s.vendorErrorCode ? { vendorErrorCode: s.vendorErrorCode } : {}),
          });
        },
        sameStatus,
        log,
      ),
  );
  statuses.linkLost();

  const currentStatuses = (): Array<[number, V16Status]> => {
    const view = runtime.view();
    return [
      [0, v16StationStatus(view.operative, view.connectors)],
      ...view.connectors.map((c): [number, V16Status] => [c.id, v16StatusOf(c)]),
    ];
  };

  return {
    protocol: 'ocpp1.6',

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

    async heartbeat() {
      const answer = await rpc.call('Heartbeat', {});
      clock.synchronise(answer.currentTime);
    },

    onRegistered(reconnect) {
      // After acceptance: every connector including 0 (errata 3.22); after an outage only what
      // changed since the CSMS last heard (R-O5).
      statuses.resync(currentStatuses(), !reconnect);
    },

    onConnectorChange(view) {
      statuses.report(view.id, v16StatusOf(view));
      const station = runtime.view();
      statuses.report(0, v16StationStatus(station.operative, station.connectors));
    },

    async authorize(token) {
      const answer = await rpc.call('Authorize', { idTag: token });
      return {
        status: answer.idTagInfo.status,
        ...(answer.idTagInfo.parentIdTag ? { group: answer.idTagInfo.parentIdTag } : {}),
      };
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
      statuses.linkLost();
    },
  };
}
