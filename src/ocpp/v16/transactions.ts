/**
 * OCPP 1.6 transaction messages (1.6 §4.3, §4.7, §4.8, §3.7): StartTransaction, StopTransaction
 * and MeterValues, built from the domain's transaction facts and sent through the persistent
 * outbox, strictly in order.
 *
 * Owns: the payloads; filling in the CSMS's transactionId at send time (a transaction started
 * offline gets its real id in its queued MeterValues and StopTransaction; if StartTransaction
 * could never be delivered, -1, errata 3.18/3.54); what the answers mean (the transactionId, the
 * idTag's status, StopTransactionOnInvalidId); the retry settings (TransactionMessageAttempts /
 * TransactionMessageRetryInterval).
 * Must not: decide when transactions start or stop.
 */
import type { AdapterContext } from '../adapter.js';
import { isoTime } from '../adapter.js';
import { Outbox, type OutboxHooks } from '../outbox.js';
import type { QueuedMessage } from '../../store/queue.js';
import type { TransactionRecord } from '../../store/transactions.js';
import type { MeterSample } from '../../domain/metering-types.js';
import type { StopReason } from '../../domain/transactions.js';
import type { StartTransactionResponse, StopTransactionResponse } from '../schemas/generated/v16/types.js';
import { fromIdTagInfo, toV16MeterValue, v16WholeWh, V16_STOP_REASON } from './mapping.js';

/** Message kinds in the queue (the size bound thins only `meter`). */
export const KIND = { start: 'start', stop: 'stop', meter: 'meter' } as const;

export interface V16Transactions {
  outbox: Outbox;
  /** The CSMS's transactionId of a transaction, if known. */
  csmsIdOf(tx: TransactionRecord): number | null;
  /** Find the running transaction with the CSMS's transactionId. */
  byCsmsId(transactionId: number): TransactionRecord | undefined;
  dispose(): void;
}

export function createV16Transactions(ctx: AdapterContext): V16Transactions {
  const { services, stores, log } = ctx;
  const { settings, transactions, auth, sessions } = services;
  const txStore = stores.transactions;

  const csmsIdOf = (tx: TransactionRecord): number | null => (tx.csmsId === null ? null : Number(tx.csmsId));
  // transactionId by evsed's id, for filling in queued messages without a lookup per message.
  const known = new Map<string, number>();
  const remember = (txId: string, id: number) => {
    if (known.size > 1000) known.clear();
    known.set(txId, id);
  };

  const hooks: OutboxHooks = {
    prepare(msg) {
      if (msg.action === 'StartTransaction' || !msg.txId) return msg.payload;
      let id = known.get(msg.txId);
      if (id === undefined) {
        const tx = txStore.get(msg.txId);
        // Its StartTransaction was sent before it (FIFO); without an id it was never delivered.
        id = (tx ? csmsIdOf(tx) : null) ?? -1;
        remember(msg.txId, id);
      }
      return { ...msg.payload, transactionId: id };
    },
    onResult(msg, response) {
      if (msg.action === 'StartTransaction' && msg.txId) {
        const r = response as StartTransactionResponse;
        txStore.setCsmsId(msg.txId, String(r.transactionId));
        txStore.setAuthStatus(msg.txId, r.idTagInfo.status);
        remember(msg.txId, r.transactionId);
      }
    },
    afterResult(msg, response) {
      if (msg.action === 'StartTransaction' && msg.txId) {
        const r = response as StartTransactionResponse;
        const tx = txStore.get(msg.txId);
        if (tx) auth.learn(tx.idTag, fromIdTagInfo(r.idTagInfo));
        if (tx && tx.state === 'active' && r.idTagInfo.status !== 'Accepted') {
          const what = sessions.refusedWhileRunning(tx);
          log.warn({ transaction: tx.id, connector: tx.connector, status: r.idTagInfo.status, what }, 'CSMS refused the card of a running transaction');
        }
      }
      if (msg.action === 'StopTransaction' && msg.txId) {
        const r = response as StopTransactionResponse;
        const tx = txStore.get(msg.txId);
        if (tx && r.idTagInfo) auth.learn(tx.idTag, fromIdTagInfo(r.idTagInfo));
      }
    },
    onDiscard(msg: QueuedMessage, reason: string) {
      if (msg.action === 'StartTransaction' && msg.txId) {
        // Later messages of this transaction go with transactionId -1 (errata 3.18).
        txStore.setCsmsId(msg.txId, '-1');
        remember(msg.txId, -1);
      }
      log.error({ action: msg.action, seq: msg.seq, transaction: msg.txId, reason }, 'transaction message discarded after its last attempt');
    },
    attempts: () => settings.int('TransactionMessageAttempts'),
    retryIntervalS: () => settings.int('TransactionMessageRetryInterval'),
  };

  const outbox = new Outbox({
    queue: stores.queue,
    rpc: ctx.rpc,
    protocol: 'ocpp1.6',
    hooks,
    now: () => services.clock.now(),
    log: log.child({ component: 'outbox' }),
    canSend: ctx.canSend,
    maxMessages: () => settings.int('QueueMaxMessages'),
    thinnable: [KIND.meter],
  });

  const meterValues = (connectorId: number, sample: MeterSample, tx?: TransactionRecord) => {
    if (sample.values.length === 0) return;
    outbox.enqueue({
      action: 'MeterValues',
      kind: KIND.meter,
      payload: { connectorId, meterValue: [toV16MeterValue(sample)] },
      txId: tx?.id ?? null,
    });
  };

  const unsubscribe = transactions.subscribe({
    onStarted(tx) {
      outbox.enqueue({
        action: 'StartTransaction',
        kind: KIND.start,
        txId: tx.id,
        payload: {
          connectorId: tx.connector,
          idTag: tx.idTag,
          meterStart: v16WholeWh(tx.meterStartWh),
          timestamp: isoTime(tx.startedAtMs),
          ...(tx.reservationId !== null ? { reservationId: tx.reservationId } : {}),
        },
      });
    },
    onSampled(tx, sample) {
      meterValues(tx.connector, sample, tx);
    },
    onIdleSample(connector, sample) {
      meterValues(connector, sample);
    },
    onStopped(tx, reason: StopReason, data) {
      const transactionData = data.filter((sample) => sample.values.length > 0).map(toV16MeterValue);
      outbox.enqueue({
        action: 'StopTransaction',
        kind: KIND.stop,
        txId: tx.id,
        payload: {
          idTag: tx.idTag,
          meterStop: v16WholeWh(tx.meterStopWh ?? tx.lastMeterWh),
          timestamp: isoTime(tx.stoppedAtMs ?? tx.lastMeterAtMs),
          reason: V16_STOP_REASON[reason],
          ...(transactionData.length > 0 ? { transactionData } : {}),
        },
      });
    },
  });

  return {
    outbox,
    csmsIdOf,
    byCsmsId: (transactionId) => transactions.allActive().find((tx) => csmsIdOf(tx) === transactionId),
    dispose() {
      unsubscribe();
      outbox.stop();
    },
  };
}

