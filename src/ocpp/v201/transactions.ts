/**
 * OCPP 2.0.1 transactions (functional block E) and meter values (J): TransactionEvent Started /
 * Updated / Ended built from the domain's transaction facts, sent through the persistent outbox
 * strictly in order; MeterValues outside transactions; GetTransactionStatus.
 *
 * Owns: trigger reasons and charging states per event, seqNo continuous per transaction
 * (persisted, so a restart continues it), `offline=true` on events that happened or waited while
 * offline (E04.FR.03, E11.FR.07), idToken in the event that carries it, the retry settings
 * (MessageAttempts/MessageAttemptInterval[TransactionEvent], E13), the memory-pressure policy
 * (intermediate Updated events are thinned, never Started or Ended, E04.FR.07/08), and what an
 * idTokenInfo in the response means (E05/E06 table, R-O4).
 * Must not: decide when transactions start or stop.
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import { isoTime } from '../adapter.js';
import { Outbox, type OutboxHooks } from '../outbox.js';
import type { TransactionRecord } from '../../store/transactions.js';
import type { ConnectorView } from '../../domain/connector.js';
import type { MeterSample } from '../../domain/metering-types.js';
import type { IdTokenType, TransactionEventRequest, TransactionEventResponse, TriggerReasonEnumType, V201CsmsToCs, V201CsToCsms } from '../schemas/generated/v201/types.js';
import { fromIdTokenInfo, idToken, toV201MeterValue, V201_START_TRIGGER, V201_STOP } from './mapping.js';
import { V201_CHARGING_STATE } from './status.js';

export const KIND = { started: 'started', update: 'update', ended: 'ended', security: 'security' } as const;

export interface V201Transactions {
  outbox: Outbox;
  /** A TransactionEvent Updated with triggerReason Trigger for the running transaction(s) (TriggerMessage). */
  triggered(connectors: number[]): void;
  /** The applied charging limit changed significantly (SC.02): Updated with ChargingRateChanged. */
  chargingRateChanged(connector: number): void;
  dispose(): void;
}

type EventDetails = Omit<TransactionEventRequest, 'seqNo' | 'timestamp' | 'transactionInfo' | 'eventType' | 'triggerReason'> & {
  transactionInfo?: Partial<TransactionEventRequest['transactionInfo']>;
};

/**
 * The idToken field of a transaction's event: its card, or for a session authorized without
 * identification (AuthCtrlr.Enabled = false, empty token) the NoAuthorization token; none while
 * a transaction started before authorization has no token yet.
 */
function tokenOf(tx: TransactionRecord, authorized: boolean): { idToken?: IdTokenType } {
  if (tx.idTag !== '') return { idToken: idToken(tx.idTag, tx.idTagType) };
  return authorized ? { idToken: idToken('') } : {};
}

export function createV201Transactions(ctx: AdapterContext, rpc: TypedRpc<V201CsToCsms, V201CsmsToCs>): V201Transactions {
  const { services, stores, log } = ctx;
  const { settings, transactions, auth, sessions, runtime, clock } = services;
  const txStore = stores.transactions;

  const hooks: OutboxHooks = {
    prepare(msg) {
      // Everything that waited in the queue while the link was down counts as offline (E11.FR.07).
      if (msg.action === 'TransactionEvent' && msg.offline) return { ...msg.payload, offline: true };
      return msg.payload;
    },
    onResult(msg, response) {
      if (msg.action !== 'TransactionEvent' || !msg.txId) return;
      const info = (response as TransactionEventResponse).idTokenInfo;
      if (info) txStore.setAuthStatus(msg.txId, info.status);
    },
    afterResult(msg, response) {
      if (msg.action !== 'TransactionEvent' || !msg.txId) return;
      const info = (response as TransactionEventResponse).idTokenInfo;
      const tx = txStore.get(msg.txId);
      if (!info || !tx) return;
      if (tx.idTag) auth.learn(tx.idTag, fromIdTokenInfo(info));
      // E05.FR.09/10, E06.FR.04, C15: the CSMS refused the token of a running transaction.
      if (tx.state === 'active' && info.status !== 'Accepted') {
        const what = sessions.refusedWhileRunning(tx);
        log.warn({ transaction: tx.id, status: info.status, what }, 'CSMS refused the token of a running transaction');
      }
    },
    onDiscard(msg, reason) {
      log.error({ action: msg.action, seq: msg.seq, transaction: msg.txId, reason }, 'message discarded after its last attempt');
    },
    attempts: () => settings.int('TransactionMessageAttempts'),
    retryIntervalS: () => settings.int('TransactionMessageRetryInterval'),
  };

  const outbox = new Outbox({
    queue: stores.queue,
    rpc: ctx.rpc,
    protocol: 'ocpp2.0.1',
    hooks,
    now: () => clock.now(),
    log: log.child({ component: 'outbox' }),
    canSend: ctx.canSend,
    maxMessages: () => settings.int('QueueMaxMessages'),
    thinnable: [KIND.update],
  });

  const evseOf = (connector: number) => {
    const c = runtime.connector(connector);
    return c ? { id: c.info.evseId, connectorId: c.info.connectorId } : undefined;
  };

  const send = (
    tx: TransactionRecord,
    eventType: TransactionEventRequest['eventType'],
    triggerReason: TriggerReasonEnumType,
    details: EventDetails = {},
    atMs = clock.now(),
  ) => {
    const { transactionInfo, ...rest } = details;
    const seqNo = txStore.takeSeqNo(tx.id);
    const payload: TransactionEventRequest = {
      eventType,
      timestamp: isoTime(atMs),
      triggerReason,
      seqNo,
      ...(ctx.canSend() ? {} : { offline: true }),
      transactionInfo: { transactionId: tx.id, ...(transactionInfo ?? {}) },
      ...rest,
    };
    const kind = eventType === 'Started' ? KIND.started : eventType === 'Ended' ? KIND.ended : KIND.update;
    outbox.enqueue({ action: 'TransactionEvent', kind, payload, txId: tx.id });
  };

  const meter = (samples: MeterSample[]) => {
    const values = samples.filter((s) => s.values.length > 0).map(toV201MeterValue);
    return values.length > 0 ? { meterValue: values } : {};
  };

  const lastState = new Map<string, string>();

  const unsubscribe = transactions.subscribe({
    onStarted(tx, _begin, cause) {
      const c = runtime.connector(tx.connector);
      const view = c?.view();
      const startMeasurands = settings.has('TxStartedMeasurands') ? settings.list('TxStartedMeasurands') : [];
      const begin = startMeasurands.length > 0 ? [transactions.sampleNow(tx.connector, startMeasurands, 'transactionBegin')] : [];
      const state = view ? V201_CHARGING_STATE[view.state] : 'Idle';
      lastState.set(tx.id, state);
      const trigger = tx.remoteStartId !== null && cause !== 'evConnected' ? 'RemoteStart' : V201_START_TRIGGER[cause];
      send(
        tx,
        'Started',
        trigger,
        {
          transactionInfo: { chargingState: state, ...(tx.remoteStartId !== null ? { remoteStartId: tx.remoteStartId } : {}) },
          ...(evseOf(tx.connector) ? { evse: evseOf(tx.connector)! } : {}),
          ...tokenOf(tx, view?.authorized ?? false),
          ...(tx.reservationId !== null ? { reservationId: tx.reservationId } : {}),
          ...meter(begin),
        },
        tx.startedAtMs,
      );
    },
    onChanged(tx, view: ConnectorView, prev, cause) {
      const state = V201_CHARGING_STATE[view.state];
      const stateChanged = lastState.get(tx.id) !== state;
      lastState.set(tx.id, state);
      const gainedAuth = !!prev && !prev.authorized && view.authorized;
      const lostAuth = !!prev && prev.authorized && !view.authorized;
      const plugged = !!prev && !['B', 'C', 'D'].includes(prev.pilot) && ['B', 'C', 'D'].includes(view.pilot);
      let trigger: TriggerReasonEnumType | null = null;
      if (gainedAuth) trigger = tx.remoteStartId !== null ? 'RemoteStart' : 'Authorized';
      else if (lostAuth) trigger = cause ? V201_STOP[cause].trigger : 'StopAuthorized';
      else if (plugged) trigger = 'CablePluggedIn';
      else if (stateChanged) trigger = 'ChargingStateChanged';
      if (!trigger) return;
      send(tx, 'Updated', trigger, {
        ...(stateChanged ? { transactionInfo: { chargingState: state } } : {}),
        ...(gainedAuth || lostAuth ? tokenOf(tx, true) : {}),
        ...(plugged && evseOf(tx.connector) ? { evse: evseOf(tx.connector)! } : {}),
        ...(gainedAuth && tx.remoteStartId !== null ? { transactionInfo: { ...(stateChanged ? { chargingState: state } : {}), remoteStartId: tx.remoteStartId } } : {}),
      });
    },
    onSampled(tx, sample) {
      send(tx, 'Updated', sample.context === 'clock' ? 'MeterValueClock' : 'MeterValuePeriodic', meter([sample]), sample.timestampMs);
    },
    onIdleSample(connector, sample) {
      const evse = evseOf(connector);
      if (!evse || !ctx.canSend() || sample.values.length === 0) return;
      // Meter values outside transactions are not queued across outages (R-O9).
      rpc.call('MeterValues', { evseId: evse.id, meterValue: [toV201MeterValue(sample)] }).catch((err: Error) => {
        log.warn({ err, connector }, 'MeterValues not delivered');
      });
    },
    onStopped(tx, reason, data, view) {
      lastState.delete(tx.id);
      const { stoppedReason, trigger } = V201_STOP[reason];
      send(
        tx,
        'Ended',
        trigger,
        {
          transactionInfo: { chargingState: view ? V201_CHARGING_STATE[view.state] : 'Idle', stoppedReason },
          ...(reason === 'local' && tx.idTag ? { idToken: idToken(tx.idTag, tx.idTagType) } : {}),
          ...meter(data),
        },
        tx.stoppedAtMs ?? clock.now(),
      );
    },
  });

  rpc.handle('GetTransactionStatus', (req) => {
    // E14: unknown id → not ongoing, nothing queued; without id → only whether anything is queued.
    if (req.transactionId !== undefined) {
      const tx = txStore.get(req.transactionId);
      return {
        ongoingIndicator: tx?.state === 'active',
        messagesInQueue: tx ? stores.queue.hasTx(tx.id) : false,
      };
    }
    return { messagesInQueue: outbox.depth() > 0 };
  });

  return {
    outbox,
    triggered(connectors) {
      for (const id of connectors) {
        const tx = transactions.active(id);
        const view = runtime.connector(id)?.view();
        if (!tx || !view) continue;
        send(tx, 'Updated', 'Trigger', {
          transactionInfo: { chargingState: V201_CHARGING_STATE[view.state] },
          ...meter([transactions.sampleNow(id, settings.list('MeterValuesSampledData'), 'trigger')]),
        });
      }
    },
    chargingRateChanged(connector) {
      const tx = transactions.active(connector);
      const view = runtime.connector(connector)?.view();
      if (!tx || !view) return;
      send(tx, 'Updated', 'ChargingRateChanged', { transactionInfo: { chargingState: V201_CHARGING_STATE[view.state] } });
    },
    dispose() {
      unsubscribe();
      outbox.stop();
    },
  };
}
