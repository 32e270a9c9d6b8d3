/**
 * Charging sessions from the user's side: what presenting a card does (start here, stop a session
 * of the same card or of the same group), remote start and stop, reservations in the way,
 * suspension after the CSMS refuses an identifier, and the connector lock.
 *
 * Owns: choosing the connector for a card at a shared reader, asking AuthService, authorizing the
 * connector statechart, telling TransactionManager the stop reason, and locking/unlocking socket
 * outlets (locked while a transaction runs; kept locked after a deauthorization until the card's
 * owner returns; unlocked on an EV-side unplug when UnlockConnectorOnEVSideDisconnect is on).
 * Must not: speak OCPP.
 */
import type { Logger } from 'pino';
import type { AuthService } from './auth.js';
import type { AuthInfo } from './auth-types.js';
import type { ConnectorRuntime } from './connector.js';
import type { ReservationService } from './reservations.js';
import type { Settings } from './settings.js';
import type { StationRuntime } from './station.js';
import type { StartDetails, StopReason, TransactionManager } from './transactions.js';
import type { TransactionRecord } from '../store/transactions.js';

export interface SwipeOutcome {
  connector: number;
  action: 'started' | 'stopped' | 'unlocked' | 'refused';
  reason?: string;
}

/** The management-system side of authorization (provided by the protocol layer). */
export interface AuthLink {
  /** Registered and connected: requests can be answered now. */
  online(): boolean;
  /** Ask the CSMS about a card (throws when there is no answer). */
  ask(token: string): Promise<AuthInfo>;
}

export interface SessionServiceOptions {
  runtime: StationRuntime;
  auth: AuthService;
  transactions: TransactionManager;
  reservations: ReservationService;
  settings: Settings;
  logger: Logger;
}

export class SessionService {
  private readonly o: SessionServiceOptions;
  private readonly log: Logger;
  private link: AuthLink = { online: () => false, ask: () => Promise.reject(new Error('no CSMS link')) };
  private readonly busy = new Set<string>();
  /** Connectors kept locked for a card after a deauthorization (1.6 §3.5.4). */
  private readonly lockedFor = new Map<number, string>();
  private readonly cleanups: Array<() => void> = [];

  constructor(options: SessionServiceOptions) {
    this.o = options;
    this.log = options.logger.child({ component: 'sessions' });
  }

  setLink(link: AuthLink): void {
    this.link = link;
  }

  start(): void {
    const { runtime, transactions, settings } = this.o;
    const configure = () => {
      for (const c of runtime.connectors) {
        c.configure({
          connectionTimeoutMs: settings.int('ConnectionTimeOut') * 1000,
          unplugEndsSession: settings.bool('StopTransactionOnEVSideDisconnect'),
        });
      }
    };
    configure();
    this.cleanups.push(
      settings.onChange((key) => {
        if (key === 'ConnectionTimeOut' || key === 'StopTransactionOnEVSideDisconnect') configure();
      }),
    );
    // Authorization switched off (2.0.1 AuthCtrlr.Enabled = false): an EV that connects may charge
    // at once, without identification (the session has the empty token).
    const authOff = () => settings.has('AuthEnabled') && !settings.bool('AuthEnabled');
    for (const c of runtime.connectors) {
      this.cleanups.push(
        c.onChange((view) => {
          if (!authOff() || view.state !== 'preparing.evConnected' || !c.canAuthorize()) return;
          transactions.prepareStart(c.info.id, { idTagType: 'NoAuthorization' });
          c.authorize('');
        }),
      );
    }
    this.cleanups.push(
      transactions.subscribe({
        onStarted: (tx) => this.lock(tx.connector, true),
        onResumed: (tx) => this.lock(tx.connector, true),
        onStopped: (tx, reason) => this.afterStop(tx, reason),
      }),
    );
  }

  stop(): void {
    for (const c of this.cleanups.splice(0)) c();
  }

  /** A card was presented at `connector` (0 = a reader shared by all connectors). */
  async presentToken(token: string, connector = 0): Promise<SwipeOutcome> {
    const key = `${connector}:${token}`;
    if (this.busy.has(key)) return { connector, action: 'refused', reason: 'already being checked' };
    this.busy.add(key);
    try {
      return await this.present(token, connector);
    } finally {
      this.busy.delete(key);
    }
  }

  private async present(token: string, connectorId: number): Promise<SwipeOutcome> {
    const { runtime, auth, transactions } = this.o;
    // 1. The card's own session: stop it (no authorization needed, 16 §4.1 / C01.FR.03).
    const own = runtime.connectors.find((c) => c.sessionToken === token && (connectorId === 0 || c.info.id === connectorId));
    if (own) {
      transactions.requestStop(own.info.id, 'local');
      return { connector: own.info.id, action: 'stopped' };
    }
    // 2. A connector kept locked for this card: unlock it.
    for (const [id, owner] of this.lockedFor) {
      if (owner === token && (connectorId === 0 || connectorId === id)) {
        this.lockedFor.delete(id);
        await this.lock(id, false);
        return { connector: id, action: 'unlocked' };
      }
    }
    // 3. At a connector's own reader: a session of another card there may be stopped by a card of
    //    the same group; otherwise start there.
    if (connectorId !== 0) {
      const here = runtime.connector(connectorId);
      if (!here) return { connector: connectorId, action: 'refused', reason: 'no such connector' };
      if (here.sessionToken !== null) return this.stopByGroup(here, token);
      return this.startSession(here, token, {});
    }
    // 4. Shared reader: an EV waiting for a card comes first, then a session of the same group,
    //    then a free connector (card first, plug later).
    const waiting = this.pickConnector(token, true);
    if (waiting) return this.startSession(waiting, token, {});
    for (const c of runtime.connectors.filter((x) => x.sessionToken !== null)) {
      const outcome = await this.stopByGroup(c, token);
      if (outcome.action === 'stopped') return outcome;
    }
    const free = this.pickConnector(token, false);
    if (!free) return { connector: 0, action: 'refused', reason: 'no connector can take a session now' };
    return this.startSession(free, token, {});
  }

  private async stopByGroup(c: ConnectorRuntime, token: string): Promise<SwipeOutcome> {
    const owner = { token: c.sessionToken!, ...(c.sessionGroup ? { group: c.sessionGroup } : {}) };
    if (await this.o.auth.mayStop(token, owner, this.askOpts())) {
      this.o.transactions.requestStop(c.info.id, 'local');
      return { connector: c.info.id, action: 'stopped' };
    }
    return { connector: c.info.id, action: 'refused', reason: 'connector has a session of another card' };
  }

  /** Remote start (RemoteStartTransaction / RequestStartTransaction). */
  async remoteStart(
    token: string,
    connectorId: number | undefined,
    opts: { authorize: boolean; details?: StartDetails },
  ): Promise<{ accepted: boolean; connector?: number; reason?: string }> {
    const target =
      connectorId === undefined || connectorId === 0 ? this.pickConnector(token, false) : this.o.runtime.connector(connectorId);
    if (!target) return { accepted: false, reason: 'no connector can take a session now' };
    if (!target.canAuthorize()) return { accepted: false, connector: target.info.id, reason: `connector is ${target.view().state}` };
    const outcome = await this.startSession(target, token, { skipAuthorization: !opts.authorize, details: opts.details ?? {} });
    return outcome.action === 'started'
      ? { accepted: true, connector: target.info.id }
      : { accepted: false, connector: target.info.id, ...(outcome.reason ? { reason: outcome.reason } : {}) };
  }

  /** Remote stop of whatever session runs on `connector`. */
  remoteStop(connector: number): boolean {
    return this.o.transactions.requestStop(connector, 'remote');
  }

  /** The CSMS refused the card of a running transaction (StartTransaction.conf / TransactionEvent answer). */
  refusedWhileRunning(tx: TransactionRecord): 'stopped' | 'suspended' {
    const { settings, transactions, runtime } = this.o;
    if (settings.bool('StopTransactionOnInvalidId')) {
      transactions.requestStop(tx.connector, 'deAuthorized');
      return 'stopped';
    }
    const c = runtime.connector(tx.connector);
    const limitWh = settings.int('MaxEnergyOnInvalidId');
    if (c && limitWh > 0) {
      const delivered = c.hardware.meter().energyWh - tx.meterStartWh;
      if (delivered < limitWh) {
        this.suspendAfter(c, tx.meterStartWh + limitWh);
        return 'suspended';
      }
    }
    c?.suspend(true);
    return 'suspended';
  }

  /** Unlock a connector by command (UnlockConnector). */
  async unlock(connector: number): Promise<'unlocked' | 'failed' | 'notSupported'> {
    const c = this.o.runtime.connector(connector);
    if (!c || !c.info.hasLock) return 'notSupported';
    this.lockedFor.delete(connector);
    const r = await c.hardware.setLock(false).catch(() => 'failed' as const);
    return r === 'unlocked' ? 'unlocked' : 'failed';
  }

  private async startSession(
    target: ConnectorRuntime,
    token: string,
    opts: { skipAuthorization?: boolean; details?: StartDetails },
  ): Promise<SwipeOutcome> {
    const { auth, reservations, transactions } = this.o;
    const id = target.info.id;
    let group: string | undefined;
    if (!opts.skipAuthorization) {
      const decision = await auth.authorizeStart(token, this.askOpts());
      if (!decision.accepted) {
        this.log.info({ connector: id, status: decision.info.status, source: decision.source }, 'card refused');
        return { connector: id, action: 'refused', reason: decision.info.status };
      }
      group = decision.info.group;
    }
    const res = reservations.check(id, token, group);
    if (res.verdict === 'blocked') return { connector: id, action: 'refused', reason: `reserved (reservation ${res.reservation?.id})` };
    transactions.prepareStart(id, {
      ...(opts.details ?? {}),
      ...(group ? { group } : {}),
      ...(res.verdict === 'own' && res.reservation ? { reservationId: res.reservation.id } : {}),
    });
    if (!target.authorize(token, group)) {
      transactions.prepareStart(id, {});
      return { connector: id, action: 'refused', reason: `connector is ${target.view().state}` };
    }
    if (res.verdict === 'own' && res.reservation) reservations.use(res.reservation.id);
    return { connector: id, action: 'started' };
  }

  /**
   * For a shared reader: the connector reserved for this card, else one with an EV waiting for a
   * card, else (unless `waitingOnly`) a free one.
   */
  private pickConnector(token: string, waitingOnly: boolean): ConnectorRuntime | undefined {
    const { runtime, reservations } = this.o;
    const reserved = reservations.reservedConnectorFor(token);
    if (reserved !== undefined) return runtime.connector(reserved);
    const free = runtime.connectors.filter((c) => c.sessionToken === null && c.canAuthorize());
    const waiting = free.find((c) => c.view().state === 'preparing.evConnected');
    if (waiting || waitingOnly) return waiting;
    return free.find((c) => c.view().state === 'available');
  }

  private askOpts() {
    return { online: this.link.online(), ask: (t: string) => this.link.ask(t) };
  }

  private suspendAfter(c: ConnectorRuntime, stopAtWh: number): void {
    const check = setInterval(() => {
      if (!c.view().authorized) return clearInterval(check);
      if (c.hardware.meter().energyWh >= stopAtWh) {
        c.suspend(true);
        clearInterval(check);
      }
    }, 1000);
    check.unref();
  }

  private afterStop(tx: TransactionRecord, reason: StopReason): void {
    const c = this.o.runtime.connector(tx.connector);
    c?.suspend(false);
    if (!c?.info.hasLock) return;
    if (reason === 'deAuthorized') {
      // Keep the cable locked until the owner of the card comes back (1.6 §3.5.4).
      this.lockedFor.set(tx.connector, tx.idTag);
      return;
    }
    if (reason === 'evDisconnected' && !this.o.settings.bool('UnlockConnectorOnEVSideDisconnect')) return;
    void this.lock(tx.connector, false);
  }

  private async lock(connector: number, locked: boolean): Promise<void> {
    const c = this.o.runtime.connector(connector);
    if (!c?.info.hasLock) return;
    const result = await c.hardware.setLock(locked).catch((err: Error) => {
      this.log.error({ err, connector }, 'lock command failed');
      return 'failed' as const;
    });
    if (result === 'failed') this.log.warn({ connector, locked }, 'connector lock did not confirm');
  }
}
