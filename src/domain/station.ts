/**
 * The station at run time: the board, one ConnectorRuntime per connector, and the station
 * statechart (registration, heartbeat, availability).
 *
 * Owns: routing hardware events to connectors (connector 0 = every connector) and card readers to
 * listeners (src/domain/sessions.ts decides what a card means), persisted availability, and a
 * plain view of the whole station. Protocol adapters subscribe to it; it never calls them.
 * Must not: speak OCPP or open sockets.
 */
import { createActor, type Actor } from 'xstate';
import type { Logger } from 'pino';
import type { Board, HalEvent } from '../../hal/types.js';
import { stationMachine } from '../../statecharts/station.js';
import { ConnectorRuntime, type ConnectorView } from './connector.js';
import type { Clock } from './clock.js';
import type { SettingsStore } from '../store/settings.js';

/** A card presented at a reader (connector 0 = a reader shared by all connectors). */
export type CardListener = (token: string, connector: number) => void;

export interface StationRuntimeOptions {
  board: Board;
  logger: Logger;
  clock: Clock;
  settings: SettingsStore;
  /** How long an authorization waits for the EV, ms. */
  connectionTimeoutMs: number;
  heartbeatIntervalS: number;
  bootRetryS: number;
}

export interface StationView {
  operative: boolean;
  registration: 'offline' | 'booting' | 'pending' | 'rejected' | 'retrying' | 'accepted';
  registered: boolean;
  heartbeatIntervalS: number;
  connectors: ConnectorView[];
}

const AVAILABILITY_KEY = (id: number) => `availability.connector.${id}`;
const STATION_AVAILABILITY_KEY = 'availability.station';

export class StationRuntime {
  readonly board: Board;
  readonly connectors: readonly ConnectorRuntime[];
  readonly station: Actor<typeof stationMachine>;
  readonly clock: Clock;
  private readonly log: Logger;
  private readonly settings: SettingsStore;
  private unsubscribeBoard: (() => void) | null = null;
  private readonly cardListeners = new Set<CardListener>();

  constructor(opts: StationRuntimeOptions) {
    this.board = opts.board;
    this.clock = opts.clock;
    this.settings = opts.settings;
    this.log = opts.logger.child({ component: 'station' });
    const stationOperative = opts.settings.get<boolean>(STATION_AVAILABILITY_KEY) ?? true;
    this.connectors = opts.board.connectors.map(
      (hardware) =>
        new ConnectorRuntime({
          hardware,
          connectionTimeoutMs: opts.connectionTimeoutMs,
          unplugEndsSession: true,
          operative: stationOperative && (opts.settings.get<boolean>(AVAILABILITY_KEY(hardware.info.id)) ?? true),
          logger: opts.logger,
        }),
    );
    this.station = createActor(stationMachine, {
      input: {
        heartbeatIntervalS: opts.heartbeatIntervalS,
        bootRetryS: opts.bootRetryS,
        operative: stationOperative,
      },
    });
  }

  /** Start the statecharts and listen to the hardware (the board must be started already). */
  start(): void {
    for (const c of this.connectors) c.start();
    this.station.start();
    this.unsubscribeBoard = this.board.on((event) => this.onHardware(event));
  }

  stop(): void {
    this.unsubscribeBoard?.();
    this.unsubscribeBoard = null;
    this.station.stop();
    for (const c of this.connectors) c.stop();
  }

  /** Cards presented at the board's readers. */
  onCard(listener: CardListener): () => void {
    this.cardListeners.add(listener);
    return () => this.cardListeners.delete(listener);
  }

  connector(id: number): ConnectorRuntime | undefined {
    return this.connectors.find((c) => c.info.id === id);
  }

  view(): StationView {
    const snap = this.station.getSnapshot();
    const value = typeof snap.value === 'string' ? snap.value : Object.keys(snap.value)[0]!;
    const registration = (value === 'bootRetryWait' ? 'retrying' : value) as StationView['registration'];
    return {
      operative: snap.context.operative,
      registration,
      registered: snap.context.registered,
      heartbeatIntervalS: snap.context.heartbeatIntervalS,
      connectors: this.connectors.map((c) => c.view()),
    };
  }

  /** Persist and apply availability for one connector (0 = the whole station). */
  setOperative(connectorId: number, operative: boolean): void {
    if (connectorId === 0) {
      this.settings.set(STATION_AVAILABILITY_KEY, operative);
      this.station.send({ type: 'cmd.setOperative', operative });
      for (const c of this.connectors) {
        const own = this.settings.get<boolean>(AVAILABILITY_KEY(c.info.id)) ?? true;
        c.send({ type: 'cmd.setOperative', operative: operative && own });
      }
      return;
    }
    const c = this.connector(connectorId);
    if (!c) throw new RangeError(`no connector ${connectorId}`);
    this.settings.set(AVAILABILITY_KEY(connectorId), operative);
    const stationOperative = this.station.getSnapshot().context.operative;
    c.send({ type: 'cmd.setOperative', operative: operative && stationOperative });
  }

  private onHardware(event: HalEvent): void {
    const targets = event.connector === 0 ? this.connectors : this.connectors.filter((c) => c.info.id === event.connector);
    switch (event.type) {
      case 'hal.cpChanged':
        for (const c of targets) c.send({ type: 'hal.cpChanged', state: event.state });
        return;
      case 'hal.faultRaised':
        this.log.warn({ connector: event.connector, code: event.code, detail: event.detail }, 'hardware fault');
        for (const c of targets) c.send({ type: 'hal.faultRaised', code: event.code });
        return;
      case 'hal.faultCleared':
        this.log.info({ connector: event.connector, code: event.code }, 'hardware fault cleared');
        for (const c of targets) c.send({ type: 'hal.faultCleared', code: event.code });
        return;
      case 'hal.rfid':
        for (const l of this.cardListeners) l(event.token, event.connector);
        return;
      case 'hal.contactorChanged':
      case 'hal.lockChanged':
      case 'hal.meter':
        return;
    }
  }
}
