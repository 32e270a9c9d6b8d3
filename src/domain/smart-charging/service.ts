/**
 * Smart charging at run time: the installed profiles and the local limits, turned into the
 * offered-current limit of every connector, applied when anything changes and exactly at every
 * boundary in time.
 *
 * Owns:
 * - installing (validate.ts rules, persisted before it is acknowledged), clearing and listing
 *   profiles; tx profiles bind to the transaction running on their connector and are removed
 *   when it ends (1.6 §3.13.1, K02.FR.05) or, after a restart, when it no longer runs;
 * - the local limit inputs of an on-site energy manager (connector, or 0 = the whole station),
 *   honoured while ExternalControlSignalsEnabled is true (so are external-constraint profiles);
 * - applying: each connector's limit = its composite at this instant, shared with the other
 *   connectors when a station-wide limit binds (apply.ts), sent to the connector statechart with
 *   ConnectorRuntime.setLimit (below 6 A the statechart pauses the session); again whenever a
 *   profile, a local limit, a session (authorized or not) or ExternalControlSignalsEnabled
 *   changes, and at every boundary: one timer to the earliest nextChangeMs, re-armed after each
 *   run; while a boundary is ahead it sleeps at most `maxSleepMs`, so a wall-clock correction is
 *   caught up with even without `resync()` (call resync() after the station clock was set);
 * - a change event per connector whose applied limit changed (for 2.0.1 reporting).
 * Must not: speak OCPP (adapters map requests and results), or decide when transactions start.
 */
import type { Logger } from 'pino';
import type { HalClock } from '../../../hal/types.js';
import type { Clock } from '../clock.js';
import type { ConnectorRuntime, ConnectorView } from '../connector.js';
import type { Settings } from '../settings.js';
import type { StationRuntime } from '../station.js';
import type { ChargingProfileStore } from '../../store/charging-profiles.js';
import { limitsToApply } from './apply.js';
import {
  compositeSchedule,
  evaluateAt,
  nextChangeMs,
  stationCompositeSchedule,
  type CompositeOptions,
  type CompositeSchedule,
  type ConnectorContext,
  type LimitBreakdown,
  type LimitOrigin,
} from './composite.js';
import { SmartChargingError } from './errors.js';
import type { ChargingProfile, LimitSource, ProfilePurpose, RateUnit } from './model.js';
import { externalControlEnabled, profileLimits } from './settings.js';
import { validateProfile, type InstallRules, type ProfileRejection } from './validate.js';

export type LimitChangeSource = LimitSource | 'hardware';

export interface LimitChange {
  connector: number;
  /** The limit now applied, A per phase. */
  limitA: number;
  /** The limit applied before; null on the first application after start. */
  previousA: number | null;
  /** Who set it: a profile's source, `ems` for a local limit, or the hardware maximum. */
  source: LimitChangeSource;
  purpose?: ProfilePurpose;
  profileId?: number;
  /** Lowered below the connector's own composite to share a station-wide limit. */
  shared: boolean;
}

export type LimitListener = (change: LimitChange) => void;

export type InstallResult =
  | { status: 'accepted'; replaced: ChargingProfile[] }
  | { status: 'rejected'; reason: ProfileRejection; message: string };

/** Which profiles to clear; with `id` the other fields are ignored (16-E 3.26). */
export interface ClearFilter {
  id?: number;
  connector?: number;
  purpose?: ProfilePurpose;
  stackLevel?: number;
  /** External constraints are never cleared by the management system (K10.FR.08/09) unless this is set. */
  includeExternal?: boolean;
}

export interface SmartChargingServiceOptions {
  store: ChargingProfileStore<ChargingProfile>;
  settings: Settings;
  clock: Clock;
  runtime: StationRuntime;
  /** When the transaction on a connector could first take energy, ms; undefined = none runs. */
  txStartOf(connector: number): number | undefined;
  /** evsed's id of the transaction running on a connector (binds and checks tx profiles). */
  txIdOf?(connector: number): string | undefined;
  logger: Logger;
  /** Timers (a manual clock in tests); default: Node timers, unref'd. */
  timers?: Pick<HalClock, 'setTimeout'>;
  /** Longest sleep between two evaluations, ms (default 10 min). */
  maxSleepMs?: number;
  composite?: CompositeOptions;
}

const nodeTimers: Pick<HalClock, 'setTimeout'> = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

const sourceOf = (o: LimitOrigin | null): LimitChangeSource =>
  o === null || o.kind === 'hardware' ? 'hardware' : o.kind === 'local' ? 'ems' : o.source;

export class SmartChargingService {
  private readonly o: SmartChargingServiceOptions;
  private readonly log: Logger;
  private readonly timers: Pick<HalClock, 'setTimeout'>;
  private readonly listeners = new Set<LimitListener>();
  private readonly localLimits = new Map<number, number>();
  private readonly applied = new Map<number, number>();
  /** When a connector's session began (authorized), for first-come sharing before its transaction. */
  private readonly sessionSince = new Map<number, number>();
  private readonly cleanups: Array<() => void> = [];
  private installed: ChargingProfile[] = [];
  private timer: { cancel(): void } | null = null;
  private started = false;
  private applying = false;
  private again = false;

  constructor(options: SmartChargingServiceOptions) {
    this.o = options;
    this.log = options.logger.child({ component: 'smart-charging' });
    this.timers = options.timers ?? nodeTimers;
  }

  /** Load the profiles, drop tx profiles whose transaction is gone, and start applying. */
  start(): void {
    this.installed = this.o.store.list();
    for (const p of this.installed.filter((x) => x.purpose === 'tx' && !this.txRunning(x.connector, x.transactionId))) {
      this.o.store.remove(p.id);
      this.log.info({ profileId: p.id, connector: p.connector }, 'transaction profile removed: its transaction no longer runs');
    }
    this.installed = this.o.store.list();
    const now = this.o.clock.now();
    for (const c of this.o.runtime.connectors) {
      if (c.view().authorized) this.sessionSince.set(c.info.id, now);
      this.cleanups.push(c.onChange((view, prev) => this.onConnector(c, view, prev)));
    }
    this.cleanups.push(
      this.o.settings.onChange((key) => {
        if (key === 'ExternalControlSignalsEnabled') this.apply();
      }),
    );
    this.started = true;
    this.apply();
  }

  stop(): void {
    this.started = false;
    this.timer?.cancel();
    this.timer = null;
    for (const c of this.cleanups.splice(0)) c();
  }

  onLimitChanged(listener: LimitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validate and install a profile (persisted before this returns), then apply. */
  install(profile: ChargingProfile, rules: InstallRules = {}): InstallResult {
    const p: ChargingProfile = { ...profile };
    if (p.purpose === 'tx' && p.transactionId === undefined) {
      const txId = this.o.txIdOf?.(p.connector);
      if (txId !== undefined) p.transactionId = txId;
    }
    const installed = this.o.store.list();
    const result = validateProfile(p, {
      installed,
      limits: profileLimits(this.o.settings),
      connectorExists: (id) => this.o.runtime.connector(id) !== undefined,
      connectorPhases: (id) => this.o.runtime.connector(id)?.info.phases ?? 3,
      txRunning: (c, txId) => this.txRunning(c, txId),
      rules,
    });
    if (!result.ok) {
      this.log.info({ profileId: p.id, reason: result.reason }, `charging profile refused: ${result.message}`);
      return { status: 'rejected', reason: result.reason, message: result.message };
    }
    const replaced = installed.filter((x) => result.replaces.includes(x.id));
    this.o.store.replace(p, result.replaces);
    this.installed = this.o.store.list();
    this.log.info(
      { profileId: p.id, purpose: p.purpose, connector: p.connector, stackLevel: p.stackLevel, replaced: result.replaces },
      'charging profile installed',
    );
    this.apply();
    return { status: 'accepted', replaced };
  }

  /** Remove the matching profiles (logical AND; none given = all), then apply. Returns them. */
  clear(filter: ClearFilter = {}): ChargingProfile[] {
    const candidates =
      filter.id !== undefined
        ? this.o.store.list({ id: filter.id })
        : this.o.store.list({ connector: filter.connector, purpose: filter.purpose, stackLevel: filter.stackLevel });
    const chosen = candidates.filter((p) => filter.includeExternal === true || p.purpose !== 'external');
    this.removeAll(chosen, 'cleared');
    return chosen;
  }

  /** Installed profiles matching `filter`, by id. */
  profiles(filter: { id?: number; connector?: number; purpose?: ProfilePurpose; stackLevel?: number } = {}): ChargingProfile[] {
    return this.o.store.list(filter);
  }

  /** The local (energy-manager) limit for a connector or, with 0, the whole station; null removes it. */
  setLocalLimit(connector: number, amps: number | null): void {
    if (connector !== 0 && this.o.runtime.connector(connector) === undefined) {
      throw new SmartChargingError('unknownConnector', String(connector));
    }
    if (amps !== null && !(Number.isFinite(amps) && amps >= 0)) throw new SmartChargingError('invalidLimit', String(amps));
    if (amps === null) this.localLimits.delete(connector);
    else this.localLimits.set(connector, amps);
    this.log.info({ connector, amps }, 'local limit set');
    this.apply();
  }

  localLimit(connector: number): number | null {
    return this.localLimits.get(connector) ?? null;
  }

  /** A transaction started on `connector`: relative schedules start now. */
  transactionStarted(connector: number): void {
    this.log.debug({ connector }, 'transaction started');
    this.apply();
  }

  /** A transaction ended: its tx profiles are removed (all tx profiles of the connector without an id). */
  transactionEnded(connector: number, transactionId?: string): ChargingProfile[] {
    const removed = this.o.store
      .list({ purpose: 'tx', connector })
      .filter((p) => transactionId === undefined || p.transactionId === undefined || p.transactionId === transactionId);
    this.removeAll(removed, 'transaction ended');
    return removed;
  }

  /** Re-evaluate now and re-arm the timer (after the station clock moved). */
  resync(): void {
    this.apply();
  }

  /** The limit the profiles and local limits impose on a connector at `atMs` (before sharing). */
  limitInForce(connector: number, atMs: number = this.o.clock.now()): LimitBreakdown {
    const c = this.connectorOrThrow(connector);
    return evaluateAt(this.effectiveProfiles(), this.context(c), atMs, this.o.composite);
  }

  /** The limit last applied to a connector, A (undefined before start). */
  appliedLimit(connector: number): number | undefined {
    return this.applied.get(connector);
  }

  unitSupported(unit: RateUnit): boolean {
    return profileLimits(this.o.settings).units.includes(unit);
  }

  /** The composite schedule of a connector (0 = the station's total); null for an unknown connector. */
  composite(connector: number, request: { fromMs?: number; durationS: number; unit: RateUnit }): CompositeSchedule | null {
    if (!(Number.isInteger(request.durationS) && request.durationS >= 0)) {
      throw new SmartChargingError('invalidDuration', String(request.durationS));
    }
    const fromMs = request.fromMs ?? this.o.clock.now();
    const common = { profiles: this.effectiveProfiles(), fromMs, durationS: request.durationS, unit: request.unit };
    const options = this.o.composite ?? {};
    if (connector === 0) {
      const station = this.externalOn() ? this.localLimits.get(0) : undefined;
      return stationCompositeSchedule({
        ...common,
        options,
        connectors: this.o.runtime.connectors.map((c) => {
          const { stationLocalLimitA: _ignored, ...ctx } = this.context(c);
          return ctx;
        }),
        ...(station !== undefined ? { stationLocalLimitA: station } : {}),
      });
    }
    const c = this.o.runtime.connector(connector);
    if (!c) return null;
    return compositeSchedule({ ...this.context(c), ...common, options });
  }

  private connectorOrThrow(connector: number): ConnectorRuntime {
    const c = this.o.runtime.connector(connector);
    if (!c) throw new SmartChargingError('unknownConnector', String(connector));
    return c;
  }

  private txRunning(connector: number, transactionId: string | undefined): boolean {
    if (this.o.txStartOf(connector) === undefined) return false;
    if (transactionId === undefined || this.o.txIdOf === undefined) return true;
    return this.o.txIdOf(connector) === transactionId;
  }

  private externalOn(): boolean {
    return externalControlEnabled(this.o.settings);
  }

  private effectiveProfiles(): ChargingProfile[] {
    return this.externalOn() ? this.installed : this.installed.filter((p) => p.purpose !== 'external');
  }

  private context(c: ConnectorRuntime): ConnectorContext {
    const id = c.info.id;
    const ctx: ConnectorContext = {
      connector: id,
      hardwareMaxA: c.info.maxCurrentA,
      phases: c.info.phases,
      nominalVoltageV: c.info.nominalVoltageV,
    };
    const txStart = this.o.txStartOf(id);
    if (txStart !== undefined) ctx.txStartMs = txStart;
    const txId = this.o.txIdOf?.(id);
    if (txId !== undefined) ctx.transactionId = txId;
    if (this.externalOn()) {
      const own = this.localLimits.get(id);
      const station = this.localLimits.get(0);
      if (own !== undefined) ctx.localLimitA = own;
      if (station !== undefined) ctx.stationLocalLimitA = station;
    }
    return ctx;
  }

  private removeAll(profiles: readonly ChargingProfile[], why: string): void {
    if (profiles.length === 0) return;
    for (const p of profiles) this.o.store.remove(p.id);
    this.installed = this.o.store.list();
    this.log.info({ profileIds: profiles.map((p) => p.id) }, `charging profiles removed (${why})`);
    this.apply();
  }

  private onConnector(c: ConnectorRuntime, view: ConnectorView, prev: ConnectorView | null): void {
    if (prev !== null && prev.authorized === view.authorized) return;
    if (view.authorized) this.sessionSince.set(c.info.id, this.o.clock.now());
    else this.sessionSince.delete(c.info.id);
    this.apply();
  }

  /** Apply the limits in force now; re-entrant calls (a statechart reacting) run once more afterwards. */
  private apply(): void {
    if (!this.started) return;
    if (this.applying) {
      this.again = true;
      return;
    }
    this.applying = true;
    let now: number;
    try {
      do {
        this.again = false;
        now = this.o.clock.now();
        this.applyOnce(now);
      } while (this.again);
    } finally {
      this.applying = false;
    }
    // The same instant as the evaluation: a timer that fired a millisecond early evaluates just
    // before a boundary, and the next change is then that boundary, not the one after it.
    this.arm(now);
  }

  private applyOnce(now: number): void {
    const connectors = this.o.runtime.connectors.map((c) => {
      const ctx = this.context(c);
      return { ctx, active: c.view().authorized, sinceMs: ctx.txStartMs ?? this.sessionSince.get(c.info.id) ?? now };
    });
    for (const l of limitsToApply(this.effectiveProfiles(), connectors, now, this.o.composite)) {
      const previousA = this.applied.get(l.connector) ?? null;
      if (previousA === l.limitA) continue;
      this.applied.set(l.connector, l.limitA);
      const change: LimitChange = { connector: l.connector, limitA: l.limitA, previousA, source: sourceOf(l.origin), shared: l.shared };
      if (l.origin?.kind === 'profile') [change.purpose, change.profileId] = [l.origin.purpose, l.origin.profileId];
      this.log.info({ connector: l.connector, limitA: l.limitA, previousA, source: change.source, profileId: change.profileId }, 'charging limit applied');
      this.o.runtime.connector(l.connector)!.setLimit(l.limitA);
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch (err) {
          this.log.error({ err }, 'limit listener failed');
        }
      }
    }
  }

  /** One timer to the earliest instant any connector's limit can change. */
  private arm(evaluatedAtMs: number): void {
    this.timer?.cancel();
    this.timer = null;
    if (!this.started) return;
    const now = evaluatedAtMs;
    const profiles = this.effectiveProfiles();
    let next = Infinity;
    for (const c of this.o.runtime.connectors) next = Math.min(next, nextChangeMs(profiles, this.context(c), now));
    if (!Number.isFinite(next)) {
      this.log.debug('no limit change ahead');
      return;
    }
    const delayMs = Math.min(Math.max(0, next - this.o.clock.now()), this.o.maxSleepMs ?? 600_000);
    this.log.debug({ nextChange: new Date(next).toISOString(), delayMs }, 'next limit evaluation');
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.apply();
    }, delayMs);
  }
}
