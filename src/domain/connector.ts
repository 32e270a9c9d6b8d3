/**
 * One connector at run time: its statechart actor bound to its hardware.
 *
 * Owns: forwarding hardware events into the connector machine, carrying the machine's output
 * commands (PWM offer, contactor) to the hardware at once, and a plain view of the connector
 * (state, pilot, outputs, meter, session token) for the protocol adapters and evsectl.
 * Must not: speak OCPP, touch the network or the database.
 */
import { createActor, type Actor } from 'xstate';
import type { Logger } from 'pino';
import type { ConnectorHardware, ConnectorInfo, FaultCode, MeterReading, PilotState } from '../../hal/types.js';
import {
  connectorMachine,
  type ConnectorEvent,
  type SessionEndReason,
} from '../../statecharts/connector.js';

/** Flattened state name, e.g. `charging`, `preparing.authorized`. */
export type ConnectorStateName =
  | 'available'
  | 'reserved'
  | 'preparing.evConnected'
  | 'preparing.authorized'
  | 'energyOffered'
  | 'charging'
  | 'pausedByEv'
  | 'pausedByCharger'
  | 'finishing'
  | 'evDisconnected'
  | 'unavailable'
  | 'faulted';

export interface ConnectorView {
  id: number;
  evseId: number;
  connectorId: number;
  state: ConnectorStateName;
  pilot: PilotState;
  faults: FaultCode[];
  authorized: boolean;
  /** Target availability (false while a session runs = scheduled to become unavailable). */
  operative: boolean;
  reserved: boolean;
  limitA: number;
  offerA: number | null;
  contactorClosed: boolean;
  meter: MeterReading;
  /** Token that authorized the running session, if any. */
  sessionToken: string | null;
  /** Group of that token (1.6 parentIdTag / 2.0.1 groupIdToken), when known. */
  sessionGroup: string | null;
}

export function flattenState(value: unknown): ConnectorStateName {
  if (typeof value === 'string') return value as ConnectorStateName;
  const [parent, child] = Object.entries(value as Record<string, unknown>)[0] ?? ['available', undefined];
  return (child === undefined ? parent : `${parent}.${String(child)}`) as ConnectorStateName;
}

export interface ConnectorRuntimeOptions {
  hardware: ConnectorHardware;
  connectionTimeoutMs: number;
  unplugEndsSession: boolean;
  operative: boolean;
  logger: Logger;
}

export type ConnectorListener = (view: ConnectorView, previous: ConnectorView | null) => void;
export type SessionEndListener = (connector: ConnectorRuntime, reason: SessionEndReason, token: string | null) => void;

export class ConnectorRuntime {
  readonly info: ConnectorInfo;
  readonly hardware: ConnectorHardware;
  private readonly actor: Actor<typeof connectorMachine>;
  private readonly log: Logger;
  private readonly listeners = new Set<ConnectorListener>();
  private readonly endListeners = new Set<SessionEndListener>();
  private token: string | null = null;
  private group: string | null = null;
  private limitA: number;
  private suspended = false;
  private last: ConnectorView | null = null;

  constructor(opts: ConnectorRuntimeOptions) {
    this.hardware = opts.hardware;
    this.info = opts.hardware.info;
    this.limitA = opts.hardware.info.maxCurrentA;
    this.log = opts.logger.child({ component: 'connector', connector: this.info.id });
    this.actor = createActor(connectorMachine, {
      input: {
        connector: this.info.id,
        maxCurrentA: this.info.maxCurrentA,
        connectionTimeoutMs: opts.connectionTimeoutMs,
        unplugEndsSession: opts.unplugEndsSession,
        operative: opts.operative,
        pilot: opts.hardware.pilot(),
        faults: opts.hardware.faults(),
      },
    });
    // Outputs go to the hardware synchronously, inside the step that decided them.
    this.actor.on('hw.contactor', ({ closed }) => {
      this.log.info({ closed }, closed ? 'closing contactor' : 'opening contactor');
      this.hardware.setContactor(closed).catch((err: Error) => {
        this.log.error({ err, closed }, 'contactor command failed');
      });
    });
    this.actor.on('hw.offer', ({ currentA }) => {
      this.log.debug({ currentA }, 'PWM offer');
      this.hardware.setOffer(currentA).catch((err: Error) => {
        this.log.error({ err, currentA }, 'PWM command failed');
      });
    });
    this.actor.on('session.ended', ({ reason }) => {
      const token = this.token;
      this.token = null;
      this.group = null;
      if (this.suspended) {
        this.suspended = false;
        queueMicrotask(() => this.applyLimit());
      }
      this.log.info({ reason }, 'session ended');
      for (const l of this.endListeners) l(this, reason, token);
    });
    this.actor.subscribe({
      next: () => this.publish(),
      error: (err) => this.log.fatal({ err }, 'connector statechart failed'),
    });
  }

  start(): void {
    this.actor.start();
    this.publish();
  }

  stop(): void {
    this.actor.stop();
  }

  send(event: ConnectorEvent): void {
    this.actor.send(event);
  }

  /** Authorize a session for `token` (of `group`); false when the connector cannot take one now. */
  authorize(token: string, group?: string): boolean {
    const before = this.actor.getSnapshot();
    if (!before.can({ type: 'auth.accepted' })) return false;
    this.token = token;
    this.group = group ?? null;
    this.actor.send({ type: 'auth.accepted' });
    if (!this.actor.getSnapshot().context.authorized) {
      this.token = null;
      this.group = null;
      return false;
    }
    this.publish();
    return true;
  }

  /** End the running session (deauthorize). The contactor opens in this call. */
  deauthorize(): void {
    this.actor.send({ type: 'auth.ended' });
  }

  get sessionToken(): string | null {
    return this.token;
  }

  get sessionGroup(): string | null {
    return this.group;
  }

  /** Apply a policy setting to the statechart (ConnectionTimeOut, StopTransactionOnEVSideDisconnect). */
  configure(cfg: { connectionTimeoutMs?: number; unplugEndsSession?: boolean }): void {
    this.actor.send({ type: 'cmd.configure', ...cfg });
  }

  /** Offered-current limit (A) from smart charging; below 6 A the charger pauses the session. */
  setLimit(currentA: number): void {
    this.limitA = currentA;
    this.applyLimit();
  }

  /**
   * Suspend energy for this session whatever the limit (a refused card, MaxEnergyOnInvalidId
   * reached); cleared when the session ends.
   */
  suspend(on: boolean): void {
    this.suspended = on;
    this.applyLimit();
  }

  private applyLimit(): void {
    this.actor.send({ type: 'cmd.setLimit', currentA: this.suspended ? 0 : this.limitA });
  }

  /** The connector can start a session now (operative, no fault, no session). */
  canAuthorize(): boolean {
    return this.actor.getSnapshot().can({ type: 'auth.accepted' });
  }

  view(): ConnectorView {
    const snap = this.actor.getSnapshot();
    const ctx = snap.context;
    return {
      id: this.info.id,
      evseId: this.info.evseId,
      connectorId: this.info.connectorId,
      state: flattenState(snap.value),
      pilot: ctx.pilot,
      faults: [...ctx.faults],
      authorized: ctx.authorized,
      operative: ctx.operative,
      reserved: ctx.reserved,
      limitA: ctx.limitA,
      offerA: ctx.offerA,
      contactorClosed: ctx.contactorClosed,
      meter: this.hardware.meter(),
      sessionToken: this.token,
      sessionGroup: this.group,
    };
  }

  /** Called with the new view whenever the state or a reported field changes (not on meter ticks). */
  onChange(listener: ConnectorListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onSessionEnded(listener: SessionEndListener): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  private publish(): void {
    const view = this.view();
    const prev = this.last;
    if (prev && sameExceptMeter(prev, view)) return;
    this.last = view;
    for (const l of this.listeners) {
      try {
        l(view, prev);
      } catch (err) {
        this.log.error({ err }, 'connector listener failed');
      }
    }
  }
}

function sameExceptMeter(a: ConnectorView, b: ConnectorView): boolean {
  return (
    a.state === b.state &&
    a.pilot === b.pilot &&
    a.authorized === b.authorized &&
    a.operative === b.operative &&
    a.reserved === b.reserved &&
    a.limitA === b.limitA &&
    a.offerA === b.offerA &&
    a.contactorClosed === b.contactorClosed &&
    a.sessionToken === b.sessionToken &&
    a.faults.join() === b.faults.join()
  );
}
