/**
 * Station statechart: registration with the management system, heartbeat and station-wide
 * availability.
 *
 * Owns: whether the station may talk (registration accepted, pending, rejected), when to (re)send
 * the registration request, when a heartbeat is due, and the station's operative flag. Requests
 * leave the machine as emitted events (`station.sendBoot`, `station.sendHeartbeat`); answers come
 * back as events.
 *
 * Registration survives a lost link: after a reconnect without a restart the station is still
 * registered and does not register again (it reports `station.online` instead).
 *
 * Must not: build protocol messages, do I/O or read the clock (delays come from context).
 */
import { assign, emit, setup } from 'xstate';

export interface StationInput {
  /** Heartbeat interval until the management system gives one, s. */
  heartbeatIntervalS: number;
  /** Wait before re-sending a registration that failed (error or no answer), s. */
  bootRetryS: number;
  /** Station operative at start (persisted by the domain). */
  operative?: boolean;
}

export interface StationContext {
  heartbeatIntervalS: number;
  bootRetryS: number;
  /** Wait before the next registration attempt while pending or rejected, s. */
  retryS: number;
  /** Registered since this process started. */
  registered: boolean;
  /** The link has been lost at least once since registration (for status re-sync). */
  reconnecting: boolean;
  operative: boolean;
}

export type StationEvent =
  | { type: 'link.up' }
  | { type: 'link.down' }
  /** Any message exchanged with the management system (resets the heartbeat timer). */
  | { type: 'link.activity' }
  | { type: 'boot.accepted'; intervalS: number }
  | { type: 'boot.pending'; intervalS: number }
  | { type: 'boot.rejected'; intervalS: number }
  /** No usable answer: error reply, timeout or link lost while waiting. */
  | { type: 'boot.failed' }
  /** Register again now (triggered by the management system, or content changed). */
  | { type: 'boot.trigger' }
  | { type: 'cmd.setHeartbeatInterval'; intervalS: number }
  | { type: 'cmd.setOperative'; operative: boolean };

export type StationEmitted =
  | { type: 'station.sendBoot' }
  | { type: 'station.sendHeartbeat' }
  /** Registration accepted for the first time since start. */
  | { type: 'station.registered' }
  /** Link back after an outage while already registered. */
  | { type: 'station.online' };

/** Waits below this are raised to it: an interval of 0 must not flood the server (R-B6). */
const MIN_RETRY_S = 10;

export const stationMachine = setup({
  types: {
    context: {} as StationContext,
    events: {} as StationEvent,
    input: {} as StationInput,
    emitted: {} as StationEmitted,
  },
  actions: {
    sendBoot: emit({ type: 'station.sendBoot' }),
    sendHeartbeat: emit({ type: 'station.sendHeartbeat' }),
    announceRegistered: emit({ type: 'station.registered' }),
    announceOnline: emit({ type: 'station.online' }),
    acceptRegistration: assign(({ context, event }) => {
      if (event.type !== 'boot.accepted') return {};
      return {
        registered: true,
        reconnecting: false,
        heartbeatIntervalS: event.intervalS > 0 ? event.intervalS : context.heartbeatIntervalS,
      };
    }),
    setRetry: assign(({ context, event }) => {
      if (event.type !== 'boot.pending' && event.type !== 'boot.rejected') return {};
      return { retryS: event.intervalS > 0 ? event.intervalS : Math.max(MIN_RETRY_S, context.bootRetryS) };
    }),
    markReconnecting: assign({ reconnecting: true }),
    setHeartbeatInterval: assign(({ context, event }) => {
      if (event.type !== 'cmd.setHeartbeatInterval') return {};
      return { heartbeatIntervalS: event.intervalS >= 0 ? event.intervalS : context.heartbeatIntervalS };
    }),
    setOperative: assign(({ event }) => (event.type === 'cmd.setOperative' ? { operative: event.operative } : {})),
  },
  guards: {
    registered: ({ context }) => context.registered,
    heartbeatEnabled: ({ context }) => context.heartbeatIntervalS > 0,
  },
  delays: {
    heartbeat: ({ context }) => context.heartbeatIntervalS * 1000,
    retry: ({ context }) => context.retryS * 1000,
    bootRetry: ({ context }) => Math.max(MIN_RETRY_S, context.bootRetryS) * 1000,
  },
}).createMachine({
  id: 'station',
  context: ({ input }) => ({
    heartbeatIntervalS: input.heartbeatIntervalS,
    bootRetryS: input.bootRetryS,
    retryS: input.bootRetryS,
    registered: false,
    reconnecting: false,
    operative: input.operative ?? true,
  }),
  initial: 'offline',
  on: {
    'cmd.setOperative': { actions: 'setOperative' },
  },
  states: {
    offline: {
      on: {
        'link.up': [
          { guard: 'registered', target: 'accepted', actions: 'announceOnline' },
          { target: 'booting' },
        ],
        'cmd.setHeartbeatInterval': { actions: 'setHeartbeatInterval' },
      },
    },
    /** Registration request sent, waiting for the answer. Nothing else may be sent. */
    booting: {
      entry: 'sendBoot',
      on: {
        'boot.accepted': { target: 'accepted', actions: ['acceptRegistration', 'announceRegistered'] },
        'boot.pending': { target: 'pending', actions: 'setRetry' },
        'boot.rejected': { target: 'rejected', actions: 'setRetry' },
        'boot.failed': { target: 'bootRetryWait' },
        'link.down': { target: 'offline' },
      },
    },
    /** Pending: answer requests, send only what is triggered; register again after the interval. */
    pending: {
      after: { retry: { target: 'booting' } },
      on: {
        'boot.trigger': { target: 'booting' },
        'link.down': { target: 'offline' },
      },
    },
    /** Rejected: send nothing until the interval has passed. */
    rejected: {
      after: { retry: { target: 'booting' } },
      on: { 'link.down': { target: 'offline' } },
    },
    bootRetryWait: {
      after: { bootRetry: { target: 'booting' } },
      on: {
        'boot.trigger': { target: 'booting' },
        'link.down': { target: 'offline' },
      },
    },
    accepted: {
      initial: 'idle',
      on: {
        'link.down': { target: 'offline', actions: 'markReconnecting' },
        'boot.trigger': { target: 'booting' },
        'cmd.setHeartbeatInterval': { target: '.idle', reenter: true, actions: 'setHeartbeatInterval' },
        'link.activity': { target: '.idle', reenter: true },
      },
      states: {
        /** Heartbeat timer runs from the last exchange. */
        idle: {
          after: {
            heartbeat: { guard: 'heartbeatEnabled', target: 'idle', reenter: true, actions: 'sendHeartbeat' },
          },
        },
      },
    },
  },
});

export type StationMachine = typeof stationMachine;
