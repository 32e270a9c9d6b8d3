/**
 * OCPP 1.6 TriggerMessage (1.6 §5.17, errata 3.35): the answer goes first, then the message.
 *
 * Owns: which messages can be triggered (BootNotification only until accepted — afterwards
 * Rejected, R-B7; Diagnostics/FirmwareStatusNotification report Idle since no upload or update
 * runs; Heartbeat; MeterValues with the MeterValuesSampledData measurands and context Trigger;
 * StatusNotification, forced even when unchanged), and the connectorId rules (not relevant →
 * ignored; relevant but absent → every connector; unknown → Rejected).
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import { afterReply } from '../adapter.js';
import type { V16CsmsToCs, V16CsToCsms } from '../schemas/generated/v16/types.js';
import { toV16MeterValue } from './mapping.js';
import type { V16Transactions } from './transactions.js';

export interface TriggerTargets {
  heartbeat(): Promise<void>;
  statuses(connectorIds: number[] | 'all'): void;
}

export function registerV16Trigger(
  ctx: AdapterContext,
  rpc: TypedRpc<V16CsToCsms, V16CsmsToCs>,
  tx: V16Transactions,
  targets: TriggerTargets,
): void {
  const { services, log } = ctx;
  const { runtime, transactions, settings } = services;

  rpc.handle('TriggerMessage', (req) => {
    const id = req.connectorId;
    if (id !== undefined && id !== 0 && !runtime.connector(id)) return { status: 'Rejected' };
    const connectors = id === undefined || id === 0 ? runtime.connectors.map((c) => c.info.id) : [id];
    switch (req.requestedMessage) {
      case 'BootNotification':
        if (runtime.view().registered) return { status: 'Rejected' };
        afterReply(() => void runtime.station.send({ type: 'boot.trigger' }), log);
        return { status: 'Accepted' };
      case 'Heartbeat':
        afterReply(() => targets.heartbeat(), log);
        return { status: 'Accepted' };
      case 'StatusNotification':
        afterReply(() => targets.statuses(id === undefined ? 'all' : [id]), log);
        return { status: 'Accepted' };
      case 'DiagnosticsStatusNotification':
        afterReply(async () => void (await rpc.call('DiagnosticsStatusNotification', { status: 'Idle' })), log);
        return { status: 'Accepted' };
      case 'FirmwareStatusNotification':
        afterReply(async () => void (await rpc.call('FirmwareStatusNotification', { status: 'Idle' })), log);
        return { status: 'Accepted' };
      case 'MeterValues':
        afterReply(async () => {
          for (const c of connectors) {
            const sample = transactions.sampleNow(c, settings.list('MeterValuesSampledData'), 'trigger');
            const running = transactions.active(c);
            const transactionId = running ? tx.csmsIdOf(running) : null;
            await rpc.call('MeterValues', {
              connectorId: c,
              ...(transactionId !== null ? { transactionId } : {}),
              meterValue: [toV16MeterValue(sample)],
            });
          }
        }, log);
        return { status: 'Accepted' };
      default:
        return { status: 'NotImplemented' };
    }
  });
}
