/**
 * Reservations: holding a connector (or, with connector 0, any connector) for one card until it
 * expires, is cancelled, is used, or the connector becomes faulted or unavailable.
 *
 * Owns: the admission rules of a reservation request (1.6 §5.13, 2.0.1 H01), the expiry timers,
 * who may use a reserved connector (the reserved card or one of its group), keeping enough
 * connectors free for connector-0 reservations, and restoring reservations after a restart.
 * Must not: speak OCPP (the adapters map the results to their status enums).
 */
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { StationRuntime } from './station.js';
import type { Reservation, ReservationStore } from '../store/reservations.js';

export type ReserveResult = 'accepted' | 'faulted' | 'occupied' | 'rejected' | 'unavailable';
export type ReservationEnd = 'expired' | 'cancelled' | 'used' | 'removed';
export type ReservationListener = (r: Reservation, why: ReservationEnd) => void;

export interface ReservationServiceOptions {
  store: ReservationStore;
  runtime: StationRuntime;
  clock: Clock;
  logger: Logger;
  /** Connector 0 (any connector) reservations are supported. */
  connectorZero: () => boolean;
}

export class ReservationService {
  private readonly o: ReservationServiceOptions;
  private readonly log: Logger;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly listeners = new Set<ReservationListener>();
  private readonly cleanups: Array<() => void> = [];

  constructor(options: ReservationServiceOptions) {
    this.o = options;
    this.log = options.logger.child({ component: 'reservations' });
  }

  onEnded(listener: ReservationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Restore persisted reservations (expired ones end now) and watch connector health. */
  start(): void {
    for (const r of this.o.store.all()) {
      if (r.expiryMs <= this.o.clock.now()) this.end(r, 'expired');
      else this.activate(r);
    }
    for (const c of this.o.runtime.connectors) {
      this.cleanups.push(
        c.onChange((view) => {
          if (view.state !== 'faulted' && view.state !== 'unavailable') return;
          for (const r of this.all().filter((x) => x.connector === view.id)) this.end(r, 'removed');
        }),
      );
    }
  }

  stop(): void {
    for (const c of this.cleanups.splice(0)) c();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  all(): Reservation[] {
    return this.o.store.all();
  }

  get(id: number): Reservation | undefined {
    return this.o.store.get(id);
  }

  reserve(r: Reservation): ReserveResult {
    const existing = this.o.store.get(r.id);
    if (r.connector === 0) {
      if (!this.o.connectorZero()) return 'rejected';
      const free = this.o.runtime.connectors.filter((c) => c.view().state === 'available').length;
      const heldByZero = this.all().filter((x) => x.connector === 0 && x.id !== r.id).length;
      if (free - heldByZero <= 0) {
        const views = this.o.runtime.connectors.map((c) => c.view().state);
        if (views.every((s) => s === 'faulted')) return 'faulted';
        if (views.every((s) => s === 'unavailable')) return 'unavailable';
        return 'occupied';
      }
    } else {
      const c = this.o.runtime.connector(r.connector);
      if (!c) return 'rejected';
      const state = c.view().state;
      if (state === 'faulted') return 'faulted';
      if (state === 'unavailable') return 'unavailable';
      const reservedByOther = this.all().some((x) => x.connector === r.connector && x.id !== r.id);
      const sameConnectorReplacement = existing?.connector === r.connector && state === 'reserved';
      if (reservedByOther || (state !== 'available' && !sameConnectorReplacement)) return 'occupied';
    }
    if (existing) this.release(existing);
    this.o.store.put(r);
    this.activate(r);
    this.log.info({ reservation: r.id, connector: r.connector, expiry: new Date(r.expiryMs).toISOString() }, 'reservation accepted');
    return 'accepted';
  }

  cancel(id: number): boolean {
    const r = this.o.store.get(id);
    if (!r) return false;
    this.end(r, 'cancelled');
    return true;
  }

  /**
   * May `token` (of `group`) start a session at `connector`? `own` = a reservation of this card
   * holds it (to be consumed), `free` = no reservation in the way, `blocked` = reserved for others.
   */
  check(connector: number, token: string, group?: string | null): { verdict: 'own' | 'free' | 'blocked'; reservation?: Reservation } {
    const matches = (r: Reservation) => r.token === token || (!!group && (r.group === group || r.token === group));
    const here = this.all().find((r) => r.connector === connector);
    if (here) return matches(here) ? { verdict: 'own', reservation: here } : { verdict: 'blocked', reservation: here };
    const zero = this.all().filter((r) => r.connector === 0);
    const mine = zero.find(matches);
    if (mine) return { verdict: 'own', reservation: mine };
    if (zero.length === 0) return { verdict: 'free' };
    // Keep as many connectors free as there are connector-0 reservations of other cards.
    const free = this.o.runtime.connectors.filter((c) => c.info.id !== connector && c.view().state === 'available').length;
    return free >= zero.length ? { verdict: 'free' } : { verdict: 'blocked', reservation: zero[0] };
  }

  /** Does a reservation of someone holding `token`/`group` exist (for connector choice)? */
  reservedConnectorFor(token: string, group?: string | null): number | undefined {
    return this.all().find((r) => r.connector !== 0 && (r.token === token || (!!group && r.group === group)))?.connector;
  }

  /** A session started under this reservation. */
  use(id: number): void {
    const r = this.o.store.get(id);
    if (r) this.end(r, 'used');
  }

  private activate(r: Reservation): void {
    if (r.connector !== 0) this.o.runtime.connector(r.connector)?.send({ type: 'cmd.reserve' });
    const t = this.timers.get(r.id);
    if (t) clearTimeout(t);
    const wait = Math.max(0, r.expiryMs - this.o.clock.now());
    // setTimeout takes at most 2^31-1 ms; re-check on wake-up for longer reservations.
    const timer = setTimeout(() => {
      const current = this.o.store.get(r.id);
      if (!current) return;
      if (current.expiryMs <= this.o.clock.now()) this.end(current, 'expired');
      else this.activate(current);
    }, Math.min(wait, 2 ** 31 - 1));
    timer.unref();
    this.timers.set(r.id, timer);
  }

  private release(r: Reservation): void {
    const t = this.timers.get(r.id);
    if (t) clearTimeout(t);
    this.timers.delete(r.id);
    this.o.store.remove(r.id);
    if (r.connector !== 0 && !this.all().some((x) => x.connector === r.connector)) {
      this.o.runtime.connector(r.connector)?.send({ type: 'cmd.unreserve' });
    }
  }

  private end(r: Reservation, why: ReservationEnd): void {
    this.release(r);
    this.log.info({ reservation: r.id, connector: r.connector, why }, 'reservation ended');
    for (const l of this.listeners) {
      try {
        l(r, why);
      } catch (err) {
        this.log.error({ err }, 'reservation listener failed');
      }
    }
  }
}
