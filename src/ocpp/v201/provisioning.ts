/**
 * OCPP 2.0.1 functional block B (provisioning) and F06 (TriggerMessage): BootNotification with its
 * reason, Heartbeat, Reset Immediate / OnIdle, SecurityEventNotification StartupOfTheDevice /
 * ResetOrReboot after registration, TriggerMessage.
 *
 * Owns: the boot reason carried across a restart (RemoteReset after a Reset, ScheduledReset after
 * an OnIdle reset, Triggered after TriggerMessage, PowerUp otherwise, B01.FR.09 / R-B1), the reset
 * flow (answer first; Immediate ends transactions with ImmediateReset, B12; OnIdle waits until no
 * transaction runs, B11), and what can be triggered (F06.FR.08: unknown → NotImplemented;
 * BootNotification after acceptance → Rejected, F06.FR.17).
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import { afterReply, isoTime } from '../adapter.js';
import type { Outbox } from '../outbox.js';
import type { BootReasonEnumType, V201CsmsToCs, V201CsToCsms } from '../schemas/generated/v201/types.js';
import { toV201MeterValue } from './mapping.js';
import { KIND, type V201Transactions } from './transactions.js';

/** BootNotification reason for the next registration; set before a restart, cleared once accepted. */
export const BOOT_REASON_KEY = 'ocpp201.bootReason';

export interface Provisioning {
  boot(): Promise<{ status: 'Accepted' | 'Pending' | 'Rejected'; interval: number; currentTime: string }>;
  heartbeat(): Promise<void>;
  /** After the first acceptance since start: the security event that says why the station started. */
  afterRegistration(): void;
  dispose(): void;
}

export interface ProvisioningDeps {
  rpc: TypedRpc<V201CsToCsms, V201CsmsToCs>;
  outbox: Outbox;
  transactions: V201Transactions;
  /** Report statuses now (TriggerMessage StatusNotification): connector ids, or all. */
  reportStatuses(connectors: number[] | 'all'): void;
}

export function registerV201Provisioning(ctx: AdapterContext, deps: ProvisioningDeps): Provisioning {
  const { services, stores, config, log } = ctx;
  const { runtime, clock, transactions, settings } = services;
  const { rpc, outbox } = deps;
  let startReason: BootReasonEnumType = stores.settings.get<BootReasonEnumType>(BOOT_REASON_KEY) ?? 'PowerUp';
  let onIdleWatch: (() => void) | null = null;
  let triggered = false;

  const restart = (reason: BootReasonEnumType, why: string) => {
    stores.settings.set(BOOT_REASON_KEY, reason);
    ctx.requestRestart('soft', why);
  };
  const drain = (maxMs: number) => Promise.race([outbox.whenEmpty(), new Promise((r) => setTimeout(r, maxMs).unref())]);
  const idle = () => transactions.allActive().length === 0 && runtime.connectors.every((c) => !c.view().authorized);

  rpc.handle('Reset', (req) => {
    // Resetting a single EVSE is not supported (B11.FR.09, B12.FR.09).
    if (req.evseId !== undefined) {
      return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest', additionalInfo: 'EVSE reset not supported' } };
    }
    if (req.type === 'Immediate' || idle()) {
      afterReply(async () => {
        log.warn({ type: req.type }, 'reset requested by the CSMS');
        transactions.stopAll('hardReset');
        await drain(5000);
        restart(req.type === 'Immediate' ? 'RemoteReset' : 'RemoteReset', `Reset ${req.type}`);
      }, log);
      return { status: 'Accepted' };
    }
    // OnIdle with a transaction: reset once the last one has ended (B11.FR.05/06).
    if (!onIdleWatch) {
      const offs = runtime.connectors.map((c) =>
        c.onChange(() => {
          if (!idle() || !onIdleWatch) return;
          onIdleWatch();
          onIdleWatch = null;
          afterReply(async () => {
            await drain(5000);
            restart('ScheduledReset', 'Reset OnIdle');
          }, log);
        }),
      );
      onIdleWatch = () => offs.forEach((off) => off());
    }
    return { status: 'Scheduled' };
  });

  rpc.handle('TriggerMessage', (req) => {
    const evse = req.evse;
    const connectors = runtime.connectors
      .filter((c) => !evse || (c.info.evseId === evse.id && (evse.connectorId === undefined || c.info.connectorId === evse.connectorId)))
      .map((c) => c.info.id);
    if (evse && connectors.length === 0) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } };
    switch (req.requestedMessage) {
      case 'BootNotification':
        if (runtime.view().registered && runtime.station.getSnapshot().matches('accepted')) return { status: 'Rejected' };
        afterReply(() => {
          // The BootNotification says Triggered; why the station started (the security event
          // after registration) does not change.
          triggered = true;
          runtime.station.send({ type: 'boot.trigger' });
        }, log);
        return { status: 'Accepted' };
      case 'Heartbeat':
        afterReply(async () => {
          const r = await rpc.call('Heartbeat', {});
          clock.synchronise(r.currentTime);
        }, log);
        return { status: 'Accepted' };
      case 'StatusNotification':
        afterReply(() => deps.reportStatuses(evse ? connectors : 'all'), log);
        return { status: 'Accepted' };
      case 'MeterValues':
        afterReply(async () => {
          for (const id of connectors) {
            const c = runtime.connector(id)!;
            const sample = transactions.sampleNow(id, settings.list('MeterValuesAlignedData'), 'trigger');
            if (sample.values.length === 0) continue;
            await rpc.call('MeterValues', { evseId: c.info.evseId, meterValue: [toV201MeterValue(sample)] });
          }
        }, log);
        return { status: 'Accepted' };
      case 'TransactionEvent':
        afterReply(() => deps.transactions.triggered(connectors), log);
        return { status: 'Accepted' };
      case 'FirmwareStatusNotification':
        afterReply(async () => void (await rpc.call('FirmwareStatusNotification', { status: 'Idle' })), log);
        return { status: 'Accepted' };
      case 'LogStatusNotification':
        afterReply(async () => void (await rpc.call('LogStatusNotification', { status: 'Idle' })), log);
        return { status: 'Accepted' };
      default:
        return { status: 'NotImplemented' };
    }
  });

  return {
    async boot() {
      const s = config.station;
      const answer = await rpc.call('BootNotification', {
        reason: triggered ? 'Triggered' : (stores.settings.get<BootReasonEnumType>(BOOT_REASON_KEY) ?? 'PowerUp'),
        chargingStation: {
          vendorName: s.vendor,
          model: s.model,
          ...(s.serialNumber ? { serialNumber: s.serialNumber } : {}),
          firmwareVersion: s.firmwareVersion,
        },
      });
      if (answer.status === 'Accepted') {
        stores.settings.delete(BOOT_REASON_KEY);
        triggered = false;
      }
      return answer;
    },
    async heartbeat() {
      const answer = await rpc.call('Heartbeat', {});
      clock.synchronise(answer.currentTime);
    },
    afterRegistration() {
      // A critical security event, queued with guaranteed delivery (A04.FR.01/02; OCTT "Booted" state).
      const type = startReason === 'PowerUp' ? 'StartupOfTheDevice' : 'ResetOrReboot';
      outbox.enqueue({
        action: 'SecurityEventNotification',
        kind: KIND.security,
        payload: { type, timestamp: isoTime(clock.now()), techInfo: `boot reason ${startReason}` },
      });
      startReason = 'PowerUp';
    },
    dispose() {
      onIdleWatch?.();
      onIdleWatch = null;
    },
  };
}
