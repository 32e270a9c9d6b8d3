/**
 * Transactions, version-neutral: when one starts and stops, what it measured, and what happens to
 * an unfinished one after a restart.
 *
 * Owns: starting a transaction when a connector's session is authorized with the EV connected
 * (the start point is a policy, so OCPP 2.0.1 TxStartPoint can move it), recording it in SQLite
 * before anyone is told, periodic and clock-aligned meter samples, the meter values kept for the
 * stop message, stop reasons, and recovery at start-up:
 *   - the hardware shows an EV still connected at that connector → the transaction is resumed
 *     (same transaction, session re-authorized for the same card, no new start message);
 *   - otherwise → it is stopped with reason `powerLoss`, the last persisted meter reading and its
 *     time.
 * Listeners (the protocol adapter) turn the facts into messages.
 * Must not: speak OCPP or send anything itself.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ConnectorRuntime, ConnectorView } from './connector.js';
import type { Clock } from './clock.js';
import type { Settings } from './settings.js';
import type { StationRuntime } from './station.js';
import type { MeterContext, MeterSample } from './metering-types.js';
import { AlignedTicker, PeriodicTicker, sampleMeter, thinMeterValues } from './metering.js';
import type { TransactionRecord, TransactionStore } from '../store/transactions.js';
import type { SessionEndReason } from '../../statecharts/connector.js';

/** Why a transaction stopped (mapped to each protocol's reason enum). */
export type StopReason =
  | 'local'
  | 'remote'
  | 'evDisconnected'
  | 'powerLoss'
  | 'reboot'
  | 'hardReset'
  | 'softReset'
  | 'deAuthorized'
  | 'emergencyStop'
  | 'unlockCommand'
  | 'timeout'
  | 'stoppedByEv'
  | 'other';

/**
 * Conditions a transaction starts or stops on (OCPP 2.0.1 TxStartPoint / TxStopPoint, E §2.6):
 * a transaction starts when the first start condition becomes true and stops when a stop
 * condition that held stops holding. OCPP 1.6 behaviour = start powerPathClosed, stop authorized
 * (an EV-side unplug ends the authorization when StopTransactionOnEVSideDisconnect is on).
 */
export type TxPoint = 'evConnected' | 'authorized' | 'powerPathClosed' | 'energyTransfer';

export interface TxPolicy {
  start: readonly TxPoint[];
  stop: readonly TxPoint[];
}

export const V16_POLICY: TxPolicy = { start: ['powerPathClosed'], stop: ['authorized'] };

const evThere = (v: ConnectorView): boolean => v.pilot === 'B' || v.pilot === 'C' || v.pilot === 'D';

/** Which event made a start condition true: for powerPathClosed, the one of the two that came last. */
function triggeredBy(cause: TxPoint, view: ConnectorView, prev: ConnectorView | null): TxPoint {
  if (cause !== 'powerPathClosed') return cause;
  return prev && !prev.authorized && view.authorized ? 'authorized' : 'evConnected';
}

export function pointHolds(point: TxPoint, v: ConnectorView): boolean {
  switch (point) {
    case 'evConnected':
      return evThere(v);
    case 'authorized':
      return v.authorized;
    case 'powerPathClosed':
      return evThere(v) && v.authorized;
    case 'energyTransfer':
      return v.contactorClosed;
  }
}

export interface TransactionListener {
  /** `cause` = the event that started it (for powerPathClosed: the plug or the authorization, whichever came last). */
  onStarted?(tx: TransactionRecord, begin: MeterSample, cause: TxPoint): void;
  /** A periodic or clock-aligned sample during the transaction. */
  onSampled?(tx: TransactionRecord, sample: MeterSample): void;
  /** A clock-aligned sample of a connector without a transaction. */
  onIdleSample?(connector: number, sample: MeterSample): void;
  /** Stopped; `data` = the values for the stop message (StopTxn*Data), thinned to the maximum. */
  onStopped?(tx: TransactionRecord, reason: StopReason, data: MeterSample[], view: ConnectorView | null): void;
  /** Resumed after a restart (the hardware still had the EV). */
  onResumed?(tx: TransactionRecord): void;
  /**
   * The connector's session state changed while the transaction runs (2.0.1 chargingState,
   * authorization gained or lost without ending it …). `cause` says why an authorization ended.
   */
  onChanged?(tx: TransactionRecord, view: ConnectorView, previous: ConnectorView | null, cause: StopReason | null): void;
}

export interface StartDetails {
  idTagType?: string;
  group?: string;
  reservationId?: number;
  remoteStartId?: number;
}

export interface TransactionManagerOptions {
  runtime: StationRuntime;
  store: TransactionStore;
  settings: Settings;
  clock: Clock;
  logger: Logger;
  /** Minutes east of UTC for clock alignment (the board's local time). */
  utcOffsetMinutes?: number;
  /** How often the meter register of running transactions is persisted, ms. */
  checkpointMs?: number;
}

const SESSION_END_REASON: Record<SessionEndReason, StopReason> = {
  deauthorized: 'local',
  evDisconnected: 'evDisconnected',
  connectionTimeout: 'timeout',
};

export class TransactionManager {
  private readonly o: TransactionManagerOptions;
  private readonly log: Logger;
  private readonly listeners = new Set<TransactionListener>();
  /** Reason to use when the next session end of a connector comes from a deauthorization. */
  private readonly pendingReason = new Map<number, StopReason>();
  /** Why the session of a connector ended (deauthorization, unplug, timeout), until a stop uses it. */
  private readonly endCause = new Map<number, StopReason>();
  private policy: TxPolicy = V16_POLICY;
  /** Start details waiting for the session to become a transaction (remote start, reservation). */
  private readonly pendingStart = new Map<number, StartDetails>();
  private readonly periodic = new Map<number, PeriodicTicker>();
  private readonly aligned: AlignedTicker;
  private checkpoint: NodeJS.Timeout | null = null;
  private readonly cleanups: Array<() => void> = [];

  constructor(options: TransactionManagerOptions) {
    this.o = options;
    this.log = options.logger.child({ component: 'transactions' });
    this.aligned = new AlignedTicker({
      clock: options.clock,
      intervalS: options.settings.int('ClockAlignedDataInterval'),
      utcOffsetMinutes: options.utcOffsetMinutes ?? 0,
      onTick: () => this.alignedTick(),
    });
  }

  /** Start and stop conditions (the protocol adapter sets them). */
  setPolicy(policy: TxPolicy): void {
    this.policy = { start: [...policy.start], stop: [...policy.stop] };
  }

  subscribe(listener: TransactionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Recover unfinished transactions, then follow the connectors. Call after runtime.start(). */
  start(): void {
    this.recover();
    for (const c of this.o.runtime.connectors) {
      this.cleanups.push(c.onChange((view, prev) => this.onConnector(c, view, prev)));
      this.cleanups.push(c.onSessionEnded((conn, reason) => this.onSessionEnded(conn, reason)));
    }
    this.cleanups.push(
      this.o.settings.onChange((key, value) => {
        if (key === 'ClockAlignedDataInterval') this.aligned.setInterval(value as number);
        if (key === 'MeterValueSampleInterval') for (const t of this.periodic.values()) t.setInterval(value as number);
      }),
    );
    this.aligned.start();
    const every = this.o.checkpointMs ?? 15_000;
    this.checkpoint = setInterval(() => this.persistMeters(), every);
    this.checkpoint.unref();
  }

  stop(): void {
    for (const c of this.cleanups.splice(0)) c();
    this.aligned.stop();
    for (const t of this.periodic.values()) t.stop();
    this.periodic.clear();
    if (this.checkpoint) clearInterval(this.checkpoint);
    this.persistMeters();
  }

  /** The clock was synchronised: re-align. */
  clockChanged(): void {
    this.aligned.resync();
  }

  active(connector: number): TransactionRecord | undefined {
    return this.o.store.activeOn(connector);
  }

  allActive(): TransactionRecord[] {
    return this.o.store.active();
  }

  get(id: string): TransactionRecord | undefined {
    return this.o.store.get(id);
  }

  /** Details the next transaction on `connector` starts with (set before authorizing it). */
  prepareStart(connector: number, details: StartDetails): void {
    this.pendingStart.set(connector, details);
  }

  /**
   * End the session of a connector with `reason`: the connector is deauthorized (the contactor
   * opens in this call) and the transaction stops as its stop conditions say. `force` stops the
   * transaction now whatever the stop conditions (reset, shutdown, unlock). Returns false when
   * nothing runs there.
   */
  requestStop(connector: number, reason: StopReason, opts: { force?: boolean } = {}): boolean {
    const c = this.o.runtime.connector(connector);
    if (!c) return false;
    const authorized = c.view().authorized;
    if (!this.active(connector) && !authorized) return false;
    if (authorized) {
      this.pendingReason.set(connector, reason);
      c.deauthorize();
    }
    const still = this.active(connector);
    if (still && (opts.force || !authorized)) this.finish(still, reason);
    return true;
  }

  /** Stop every running transaction (reset, shutdown). */
  stopAll(reason: StopReason): void {
    for (const tx of this.allActive()) this.requestStop(tx.connector, reason, { force: true });
  }

  /** Take a sample now (TriggerMessage MeterValues). */
  sampleNow(connector: number, measurands: readonly string[], context: MeterContext = 'trigger'): MeterSample {
    const c = this.o.runtime.connector(connector);
    if (!c) throw new RangeError(`no connector ${connector}`);
    return this.sample(c, measurands, context);
  }

  /** A sample of `reading` (default: the meter's reading now). */
  private sample(c: ConnectorRuntime, measurands: readonly string[], context: MeterContext, reading = c.hardware.meter()): MeterSample {
    const view = c.view();
    return sampleMeter(
      reading,
      measurands,
      { phases: c.info.phases, nominalVoltageV: c.info.nominalVoltageV, offerA: view.offerA },
      context,
      this.o.clock.now(),
    );
  }

  private emit<K extends keyof TransactionListener>(name: K, ...args: Parameters<NonNullable<TransactionListener[K]>>): void {
    for (const l of this.listeners) {
      const fn = l[name] as ((...a: unknown[]) => void) | undefined;
      if (!fn) continue;
      try {
        fn.apply(l, args);
      } catch (err) {
        this.log.error({ err, event: name }, 'transaction listener failed');
      }
    }
  }

  private onConnector(c: ConnectorRuntime, view: ConnectorView, prev: ConnectorView | null): void {
    const tx = this.active(c.info.id);
    if (!tx) {
      const cause = this.policy.start.find((p) => pointHolds(p, view));
      this.endCause.delete(c.info.id);
      if (cause) this.begin(c, view, triggeredBy(cause, view, prev));
      return;
    }
    // A card authorized a transaction that started without one (EVConnected start point).
    if (view.authorized && view.sessionToken && tx.idTag !== view.sessionToken) {
      this.o.store.setIdTag(tx.id, view.sessionToken, view.sessionGroup);
    }
    const lost = prev ? this.policy.stop.find((p) => pointHolds(p, prev) && !pointHolds(p, view)) : undefined;
    if (lost) {
      const reason = this.endCause.get(c.info.id) ?? (lost === 'energyTransfer' ? 'stoppedByEv' : lost === 'authorized' ? 'local' : 'evDisconnected');
      this.endCause.delete(c.info.id);
      this.finish(this.o.store.get(tx.id)!, reason, undefined, view);
      return;
    }
    const cause = prev?.authorized && !view.authorized ? (this.endCause.get(c.info.id) ?? null) : null;
    this.emit('onChanged', this.o.store.get(tx.id)!, view, prev, cause);
  }

  private begin(c: ConnectorRuntime, view: ConnectorView, cause: TxPoint): void {
    const details = this.pendingStart.get(c.info.id) ?? {};
    this.pendingStart.delete(c.info.id);
    const meter = c.hardware.meter();
    const now = this.o.clock.now();
    const tx = this.o.store.insert({
      id: randomUUID(),
      connector: c.info.id,
      idTag: view.sessionToken ?? '',
      idTagType: details.idTagType ?? null,
      group: details.group ?? c.sessionGroup ?? null,
      reservationId: details.reservationId ?? null,
      remoteStartId: details.remoteStartId ?? null,
      startedAtMs: now,
      meterStartWh: meter.energyWh,
      lastMeterWh: meter.energyWh,
      lastMeterAtMs: now,
    });
    // The same reading as meterStart for the Transaction.Begin samples.
    const begin = this.sample(c, this.o.settings.list('StopTxnSampledData'), 'transactionBegin', meter);
    this.o.store.addMeterValue(tx.id, begin);
    this.log.info({ connector: tx.connector, transaction: tx.id, idTag: tx.idTag, meterStartWh: tx.meterStartWh }, 'transaction started');
    this.startSampling(c, tx);
    this.emit('onStarted', tx, this.sample(c, this.o.settings.list('MeterValuesSampledData'), 'transactionBegin', meter), cause);
  }

  private startSampling(c: ConnectorRuntime, tx: TransactionRecord): void {
    this.periodic.get(c.info.id)?.stop();
    const ticker = new PeriodicTicker({
      intervalS: this.o.settings.int('MeterValueSampleInterval'),
      onTick: () => {
        const current = this.o.store.get(tx.id);
        if (!current || current.state !== 'active' || !this.enabled('SampledDataEnabled')) return;
        const reading = c.hardware.meter();
        const s = this.sample(c, this.o.settings.list('MeterValuesSampledData'), 'periodic', reading);
        this.o.store.addMeterValue(tx.id, this.sample(c, this.o.settings.list('StopTxnSampledData'), 'periodic', reading));
        this.o.store.touchMeter(tx.id, reading.energyWh, s.timestampMs);
        this.emit('onSampled', current, s);
      },
    });
    this.periodic.set(c.info.id, ticker);
    ticker.start();
  }

  /** 2.0.1 SampledDataCtrlr.Enabled / AlignedDataCtrlr.Enabled (absent or true = on). */
  private enabled(key: string): boolean {
    return !this.o.settings.has(key) || this.o.settings.bool(key);
  }

  private alignedTick(): void {
    if (!this.enabled('AlignedDataEnabled')) return;
    const measurands = this.o.settings.list('MeterValuesAlignedData');
    const stopMeasurands = this.o.settings.list('StopTxnAlignedData');
    for (const c of this.o.runtime.connectors) {
      const tx = this.active(c.info.id);
      const reading = c.hardware.meter();
      const s = this.sample(c, measurands, 'clock', reading);
      if (tx) {
        if (stopMeasurands.length > 0) this.o.store.addMeterValue(tx.id, this.sample(c, stopMeasurands, 'clock', reading));
        this.o.store.touchMeter(tx.id, reading.energyWh, s.timestampMs);
        if (measurands.length > 0) this.emit('onSampled', tx, s);
      } else if (measurands.length > 0) {
        this.emit('onIdleSample', c.info.id, s);
      }
    }
  }

  /** The session ended; the stop itself follows from the stop conditions on the next view. */
  private onSessionEnded(c: ConnectorRuntime, reason: SessionEndReason): void {
    const pending = this.pendingReason.get(c.info.id);
    this.pendingReason.delete(c.info.id);
    this.pendingStart.delete(c.info.id);
    if (!this.active(c.info.id)) return;
    this.endCause.set(c.info.id, reason === 'deauthorized' ? (pending ?? 'local') : SESSION_END_REASON[reason]);
  }

  private finish(tx: TransactionRecord, reason: StopReason, at?: { meterWh: number; atMs: number }, view?: ConnectorView): void {
    this.periodic.get(tx.connector)?.stop();
    this.periodic.delete(tx.connector);
    const c = this.o.runtime.connector(tx.connector);
    let end: MeterSample | null = null;
    let meterStopWh = at?.meterWh ?? tx.lastMeterWh;
    let stoppedAtMs = at?.atMs ?? this.o.clock.now();
    if (c && !at) {
      // One reading for both: meterStop and the Transaction.End sample must agree to the Wh.
      const reading = c.hardware.meter();
      meterStopWh = Math.max(tx.meterStartWh, reading.energyWh);
      end = this.sample(c, this.o.settings.list('StopTxnSampledData'), 'transactionEnd', reading);
      stoppedAtMs = end.timestampMs;
      this.o.store.addMeterValue(tx.id, end);
    }
    const stopped = this.o.store.stop(tx.id, { stoppedAtMs, meterStopWh, reason });
    this.log.info(
      { connector: tx.connector, transaction: tx.id, reason, energyWh: meterStopWh - tx.meterStartWh },
      'transaction stopped',
    );
    const data = thinMeterValues(this.o.store.meterValues<MeterSample>(tx.id), this.o.settings.int('StopTransactionMaxMeterValues'));
    this.emit('onStopped', stopped, reason, data, view ?? c?.view() ?? null);
  }

  private recover(): void {
    for (const tx of this.o.store.active()) {
      const c = this.o.runtime.connector(tx.connector);
      const pilot = c?.hardware.pilot();
      const evThere = pilot === 'B' || pilot === 'C' || pilot === 'D';
      if (c && evThere && c.authorize(tx.idTag, tx.group ?? undefined)) {
        this.log.info({ connector: tx.connector, transaction: tx.id }, 'transaction resumed after restart: the EV is still connected');
        this.startSampling(c, tx);
        this.emit('onResumed', tx);
        continue;
      }
      this.log.warn(
        { connector: tx.connector, transaction: tx.id, lastMeterWh: tx.lastMeterWh },
        'unfinished transaction from before the restart: stopped with reason powerLoss',
      );
      this.finish(tx, 'powerLoss', { meterWh: tx.lastMeterWh, atMs: tx.lastMeterAtMs });
    }
  }

  private persistMeters(): void {
    for (const tx of this.o.store.active()) {
      const c = this.o.runtime.connector(tx.connector);
      if (c) this.o.store.touchMeter(tx.id, c.hardware.meter().energyWh, this.o.clock.now());
    }
  }
}
