/**
 * Connector statechart: the IEC 61851 session lifecycle and its safety rules, for one connector.
 *
 * Owns: which session state a connector is in (available, reserved, preparing, energy offered,
 * charging, paused by the EV, paused by the charger, finishing, unavailable, faulted) and the
 * outputs that state demands: the PWM offer and the contactor command. Outputs leave the machine
 * as emitted events (`hw.offer`, `hw.contactor`) delivered synchronously while the triggering
 * event is processed, so opening the contactor never waits on network or disk.
 *
 * Safety invariant (tested over every reachable path): the contactor is commanded closed only
 * when the session is authorized, the EV is in state C or D, no fault is active and the offer
 * is at least 6 A; it is commanded open in the same step as an unplug, a fault or a
 * deauthorization. (Becoming inoperative during a session is "scheduled": it takes effect when
 * the session ends.)
 *
 * Must not: know OCPP, transactions or idTags (src/domain decides who is authorized), do I/O,
 * read the clock (timers are named delays fed from input).
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import type { FaultCode, PilotState } from '../hal/types.js';
import { MIN_OFFER_A } from '../hal/pwm.js';

export interface ConnectorInput {
  /** Flat connector number (for logs and emitted facts). */
  connector: number;
  /** Hardware maximum current per phase, A. */
  maxCurrentA: number;
  /** How long an authorization waits for the EV to be plugged in, ms. */
  connectionTimeoutMs: number;
  /** Whether unplugging the EV ends the session (false: the session waits for the EV). */
  unplugEndsSession?: boolean;
  /** State restored at start: availability persisted by the domain, hardware as read now. */
  operative?: boolean;
  pilot?: PilotState;
  faults?: readonly FaultCode[];
}

export interface ConnectorContext {
  connector: number;
  maxCurrentA: number;
  connectionTimeoutMs: number;
  unplugEndsSession: boolean;
  /** Last pilot state reported by the hardware. */
  pilot: PilotState;
  /** Active hardware faults. */
  faults: FaultCode[];
  /** A session is authorized (the domain said so and has not withdrawn it). */
  authorized: boolean;
  /** The authorized session has had the EV connected at least once. */
  evSeen: boolean;
  /** The authorized session has delivered energy at least once (paused vs. not yet started). */
  energySeen: boolean;
  /** Session ended while the EV is still connected: waiting for the unplug. */
  ended: boolean;
  /** Offered-current input (smart charging, suspension), A. Below 6 A means: offer nothing. */
  limitA: number;
  /** Target availability. While a session runs, false means "scheduled". */
  operative: boolean;
  /** A reservation holds the connector. */
  reserved: boolean;
  /** Outputs as last commanded. */
  contactorClosed: boolean;
  offerA: number | null;
}

export type SessionEndReason = 'deauthorized' | 'evDisconnected' | 'connectionTimeout';

export type ConnectorEvent =
  | { type: 'hal.cpChanged'; state: PilotState }
  | { type: 'hal.faultRaised'; code: FaultCode }
  | { type: 'hal.faultCleared'; code: FaultCode }
  | { type: 'auth.accepted' }
  | { type: 'auth.ended' }
  | { type: 'cmd.setLimit'; currentA: number }
  | { type: 'cmd.setOperative'; operative: boolean }
  | { type: 'cmd.reserve' }
  | { type: 'cmd.unreserve' }
  | { type: 'cmd.configure'; connectionTimeoutMs?: number; unplugEndsSession?: boolean };

/** Emitted outputs (hardware commands) and session facts. */
export type ConnectorEmitted =
  | { type: 'hw.contactor'; closed: boolean }
  | { type: 'hw.offer'; currentA: number | null }
  | { type: 'session.ended'; reason: SessionEndReason };

const EV_PRESENT: readonly PilotState[] = ['B', 'C', 'D'];
const EV_REQUESTING: readonly PilotState[] = ['C', 'D'];

export const isEvPresent = (pilot: PilotState): boolean => EV_PRESENT.includes(pilot);
export const isEvRequesting = (pilot: PilotState): boolean => EV_REQUESTING.includes(pilot);
const pilotFaulty = (pilot: PilotState): boolean => pilot === 'E' || pilot === 'F';

/** The offer a context allows, A, or null when nothing may be offered. */
export function allowedOffer(ctx: Pick<ConnectorContext, 'limitA' | 'maxCurrentA'>): number | null {
  const amps = Math.min(ctx.limitA, ctx.maxCurrentA);
  return amps >= MIN_OFFER_A ? amps : null;
}

/** The safety rule, as a predicate over a context: may the contactor be closed? */
export function contactorMayClose(ctx: ConnectorContext): boolean {
  return (
    ctx.authorized &&
    !ctx.ended &&
    isEvRequesting(ctx.pilot) &&
    ctx.faults.length === 0 &&
    allowedOffer(ctx) !== null
  );
}

export const connectorMachine = setup({
  types: {
    context: {} as ConnectorContext,
    events: {} as ConnectorEvent,
    input: {} as ConnectorInput,
    emitted: {} as ConnectorEmitted,
  },
  actions: {
    /**
     * Bring outputs to what the entered state demands, commanding only what changes. The
     * contactor opens before the offer is withdrawn; the offer is raised before it closes.
     */
    driveOutputs: enqueueActions(
      ({ context, enqueue }, params: { contactor: 'closed' | 'open'; offer: 'allowed' | 'off' }) => {
        const closed = params.contactor === 'closed' && contactorMayClose(context);
        const offer = params.offer === 'allowed' ? allowedOffer(context) : null;
        if (!closed && context.contactorClosed) {
          enqueue.assign({ contactorClosed: false });
          enqueue.emit({ type: 'hw.contactor', closed: false });
        }
        if (offer !== context.offerA) {
          enqueue.assign({ offerA: offer });
          enqueue.emit({ type: 'hw.offer', currentA: offer });
        }
        if (closed && !context.contactorClosed) {
          enqueue.assign({ contactorClosed: true });
          enqueue.emit({ type: 'hw.contactor', closed: true });
        }
      },
    ),
    recordPilot: assign(({ event }) => {
      if (event.type !== 'hal.cpChanged') return {};
      return { pilot: event.state };
    }),
    /** Safety first: an unplug, fault or deauthorization opens the contactor in the same step. */
    openContactorNow: enqueueActions(({ context, enqueue }) => {
      if (context.contactorClosed) {
        enqueue.assign({ contactorClosed: false });
        enqueue.emit({ type: 'hw.contactor', closed: false });
      }
    }),
    addFault: assign(({ context, event }) => {
      if (event.type !== 'hal.faultRaised' || context.faults.includes(event.code)) return {};
      return { faults: [...context.faults, event.code] };
    }),
    removeFault: assign(({ context, event }) => {
      if (event.type !== 'hal.faultCleared') return {};
      return { faults: context.faults.filter((f) => f !== event.code) };
    }),
    authorize: assign({ authorized: true, ended: false, evSeen: false, energySeen: false }),
    markEvSeen: assign({ evSeen: true }),
    markEnergySeen: assign({ energySeen: true }),
    /** The session is over; if the EV is still there we wait for it to leave. */
    endSession: enqueueActions(({ context, enqueue }, params: { reason: SessionEndReason }) => {
      enqueue.assign({
        authorized: false,
        evSeen: false,
        energySeen: false,
        ended: isEvPresent(context.pilot),
      });
      enqueue.emit({ type: 'session.ended', reason: params.reason });
    }),
    clearEnded: assign({ ended: false }),
    clearEndedIfGone: assign(({ context }) => (isEvPresent(context.pilot) ? {} : { ended: false })),
    setLimit: assign(({ event }) => {
      if (event.type !== 'cmd.setLimit') return {};
      return { limitA: Number.isFinite(event.currentA) ? Math.max(0, event.currentA) : 0 };
    }),
    setOperative: assign(({ event }) => {
      if (event.type !== 'cmd.setOperative') return {};
      return { operative: event.operative };
    }),
    reserve: assign({ reserved: true }),
    unreserve: assign({ reserved: false }),
    configure: assign(({ context, event }) => {
      if (event.type !== 'cmd.configure') return {};
      return {
        connectionTimeoutMs: event.connectionTimeoutMs ?? context.connectionTimeoutMs,
        unplugEndsSession: event.unplugEndsSession ?? context.unplugEndsSession,
      };
    }),
  },
  guards: {
    faulty: ({ context }) => context.faults.length > 0 || pilotFaulty(context.pilot),
    inoperativeIdle: ({ context }) => !context.operative && !context.authorized,
    authorizedNoEv: ({ context }) => context.authorized && !isEvPresent(context.pilot),
    authorizedNoEvAfterUnplug: ({ context }) =>
      context.authorized && !isEvPresent(context.pilot) && context.evSeen,
    limitedByCharger: ({ context }) =>
      context.authorized && isEvPresent(context.pilot) && allowedOffer(context) === null,
    evRequesting: ({ context }) => context.authorized && isEvRequesting(context.pilot),
    pausedAfterEnergy: ({ context }) =>
      context.authorized && isEvPresent(context.pilot) && context.energySeen,
    authorizedWithEv: ({ context }) => context.authorized && isEvPresent(context.pilot),
    sessionEndedEvPresent: ({ context }) => context.ended && isEvPresent(context.pilot),
    evPresent: ({ context }) => isEvPresent(context.pilot),
    reserved: ({ context }) => context.reserved,
    canAuthorize: ({ context }) =>
      !context.authorized && context.operative && context.faults.length === 0 && !pilotFaulty(context.pilot),
  },
  delays: {
    connectionTimeout: ({ context }) => context.connectionTimeoutMs,
  },
}).createMachine({
  id: 'connector',
  context: ({ input }) => ({
    connector: input.connector,
    maxCurrentA: input.maxCurrentA,
    connectionTimeoutMs: input.connectionTimeoutMs,
    unplugEndsSession: input.unplugEndsSession ?? true,
    pilot: input.pilot ?? 'A',
    faults: [...(input.faults ?? [])],
    authorized: false,
    evSeen: false,
    energySeen: false,
    ended: false,
    limitA: input.maxCurrentA,
    operative: input.operative ?? true,
    reserved: false,
    contactorClosed: false,
    offerA: null,
  }),
  initial: 'route',
  // Events every state reacts to the same way. States override where they differ.
  on: {
    'hal.faultRaised': { target: '.route', actions: ['addFault', 'openContactorNow'] },
    'hal.faultCleared': { target: '.route', actions: 'removeFault' },
    // The limit only matters while energy is offered; those states re-route on it.
    'cmd.setLimit': { actions: 'setLimit' },
    'cmd.setOperative': { target: '.route', actions: 'setOperative' },
    'cmd.configure': { actions: 'configure' },
    'cmd.reserve': { target: '.route', actions: 'reserve' },
    'cmd.unreserve': { target: '.route', actions: 'unreserve' },
    'auth.ended': [
      {
        guard: ({ context }) => context.authorized,
        target: '.route',
        actions: ['openContactorNow', { type: 'endSession', params: { reason: 'deauthorized' } }],
      },
    ],
    'hal.cpChanged': [
      // Unplug during an authorized session.
      {
        guard: ({ context, event }) =>
          context.authorized && event.type === 'hal.cpChanged' && event.state === 'A' && context.unplugEndsSession,
        target: '.route',
        actions: ['recordPilot', 'openContactorNow', { type: 'endSession', params: { reason: 'evDisconnected' } }],
      },
      { target: '.route', actions: ['recordPilot', 'openContactorNow', 'clearEndedIfGone'] },
    ],
  },
  states: {
    /** Transient: pick the state the context calls for. Order is priority. */
    route: {
      always: [
        { guard: 'faulty', target: 'faulted' },
        { guard: 'inoperativeIdle', target: 'unavailable' },
        { guard: 'authorizedNoEvAfterUnplug', target: 'evDisconnected' },
        { guard: 'authorizedNoEv', target: 'preparing.authorized' },
        { guard: 'limitedByCharger', target: 'pausedByCharger' },
        { guard: 'evRequesting', target: 'charging' },
        { guard: 'pausedAfterEnergy', target: 'pausedByEv' },
        { guard: 'authorizedWithEv', target: 'energyOffered' },
        { guard: 'sessionEndedEvPresent', target: 'finishing' },
        // A reserved connector stays reserved when an EV is plugged in without the reserved token.
        { guard: 'reserved', target: 'reserved' },
        { guard: 'evPresent', target: 'preparing.evConnected' },
        { target: 'available' },
      ],
    },
    available: {
      entry: { type: 'driveOutputs', params: { contactor: 'open', offer: 'off' } },
      on: { 'auth.accepted': { guard: 'canAuthorize', target: 'route', actions: 'authorize' } },
    },
    reserved: {
      entry: { type: 'driveOutputs', params: { contactor: 'open', offer: 'off' } },
      on: {
        'auth.accepted': { guard: 'canAuthorize', target: 'route', actions: ['unreserve', 'authorize'] },
      },
    },
    preparing: {
      entry: { type: 'driveOutputs', params: { contactor: 'open', offer: 'off' } },
      initial: 'evConnected',
      states: {
        /** EV connected, waiting for authorization. */
        evConnected: {
          on: {
            'auth.accepted': { guard: 'canAuthorize', target: '#connector.route', actions: ['unreserve', 'authorize'] },
          },
        },
        /** Authorized, waiting for the EV; gives up after the connection timeout. Events that
         * do not change the state are absorbed here so they do not restart the timer. */
        authorized: {
          on: {
            'cmd.setOperative': { actions: 'setOperative' },
            'cmd.reserve': { actions: 'reserve' },
            'cmd.unreserve': { actions: 'unreserve' },
          },
          after: {
            connectionTimeout: {
              target: '#connector.route',
              actions: { type: 'endSession', params: { reason: 'connectionTimeout' } },
            },
          },
        },
      },
    },
    /** PWM on, contactor open, waiting for the EV to ask for energy (state C). */
    energyOffered: {
      entry: ['markEvSeen', { type: 'driveOutputs', params: { contactor: 'open', offer: 'allowed' } }],
      on: { 'cmd.setLimit': { target: 'route', actions: 'setLimit' } },
    },
    charging: {
      entry: [
        'markEvSeen',
        'markEnergySeen',
        { type: 'driveOutputs', params: { contactor: 'closed', offer: 'allowed' } },
      ],
      on: { 'cmd.setLimit': { target: 'route', actions: 'setLimit' } },
    },
    /** The EV went back to state B after charging: contactor open, offer kept. */
    pausedByEv: {
      entry: { type: 'driveOutputs', params: { contactor: 'open', offer: 'allowed' } },
      on: { 'cmd.setLimit': { target: 'route', actions: 'setLimit' } },
    },
    /** The charger offers nothing (limit below 6 A): PWM off, contactor open. */
    pausedByCharger: {
      entry: ['markEvSeen', { type: 'driveOutputs', params: { contactor: 'open', offer: 'off' } }],
      on: { 'cmd.setLimit': { target: 'route', actions: 'setLimit' } },
    },
    /** The session ended with the EV still connected; waits for the unplug. */
    finishing: {
      entry: { type: 'driveOutputs', params: { contactor: 'open', offer: 'off' } },
      on: { 'auth.accepted': { guard: 'canAuthorize', target: 'route', actions: ['clearEnded', 'authorize'] } },
    },
    /** The EV left but the session goes on (unplugEndsSession = false). */
    evDisconnected: {
      entry: { type: 'driveOutputs', params: { contactor: 'open', offer: 'off' } },
    },
    unavailable: {
      entry: { type: 'driveOutputs', params: { contactor: 'open', offer: 'off' } },
    },
    faulted: {
      entry: { type: 'driveOutputs', params: { contactor: 'open', offer: 'off' } },
    },
  },
});

export type ConnectorMachine = typeof connectorMachine;
