/**
 * The station at run time: the board, one ConnectorRuntime per connector, and the station
 * statechart (registration, heartbeat, availability).
 *
 * Owns: routing hardware events to connectors (connector 0 = every connector), what a card swipe
 * means (start or stop a session, through an injected Authorizer), persisted availability, and a
 * plain view of the whole station. Protocol adapters subscribe to it; it never calls them except
 * through the Authorizer port.
 * Must not: speak OCPP or open sockets.
 */
import { createActor, type Actor } from 'xstate';
import type { Logger } from 'pino';
import type { Board, HalEvent } from '../../hal/types.js';
import { stationMachine } from '../../statecharts/station.js';
import { ConnectorRuntime, type ConnectorView } from './connector.js';
import type { Clock } from './clock.js';
import type { SettingsStore } from '../store/settings.js';

/** Outcome of asking who may charge. `Accepted` starts a session; anything else refuses. */
export interface AuthorizationResult {
  status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx' | 'Unknown';
  /** Group (1.6 parentIdTag / 2.0.1 groupIdToken) the token belongs to, when known. */
  group?: string;
}

export type Authorizer = (token: string, connector: ConnectorRuntime) => Promise<AuthorizationResult>;

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
  private authorizer: Authorizer | null = null;
  private unsubscribeBoard: (() => void) | null = null;
  private readonly pendingAuth = new Set<string>();

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

  setAuthorizer(authorizer: Authorizer | null): void {
    this.authorizer = authorizer;
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

  /** A card was presented (reader event or `evsectl sim swipe`). */
  async swipe(token: string, connectorId = 0): Promise<{ connector: number; action: 'started' | 'stopped' | 'refused'; reason?: string }> {
    const own = this.connectors.find((c) => c.sessionToken === token);
    if (own && (connectorId === 0 || connectorId === own.info.id)) {
      own.deauthorize();
      return { connector: own.info.id, action: 'stopped' };
    }
    const target = connectorId === 0 ? this.pickConnectorForSwipe() : this.connector(connectorId);
    if (!target) return { connector: connectorId, action: 'refused', reason: 'no connector can take a session' };
    if (target.sessionToken !== null) {
      return { connector: target.info.id, action: 'refused', reason: 'connector has a session of another card' };
    }
    if (!this.authorizer) return { connector: target.info.id, action: 'refused', reason: 'no authorization available' };
    const key = `${target.info.id}:${token}`;
    if (this.pendingAuth.has(key)) return { connector: target.info.id, action: 'refused', reason: 'already checking' };
    this.pendingAuth.add(key);
    try {
      const result = await this.authorizer(token, target);
      if (result.status !== 'Accepted') {
        this.log.info({ connector: target.info.id, status: result.status }, 'card refused');
        return { connector: target.info.id, action: 'refused', reason: result.status };
      }
      if (!target.authorize(token)) {
        return { connector: target.info.id, action: 'refused', reason: `connector is ${target.view().state}` };
      }
      return { connector: target.info.id, action: 'started' };
    } catch (err) {
      this.log.error({ err, connector: target.info.id }, 'authorization failed');
      return { connector: target.info.id, action: 'refused', reason: (err as Error).message };
    } finally {
      this.pendingAuth.delete(key);
    }
  }

  /** For a reader shared by all connectors: the connector with an EV waiting, else the first free one. */
  private pickConnectorForSwipe(): ConnectorRuntime | undefined {
    const waiting = this.connectors.find((c) => c.view().state === 'preparing.evConnected');
    if (waiting) return waiting;
    return this.connectors.find((c) => c.sessionToken === null && c.view().state === 'available');
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
        void this.swipe(event.token, event.connector);
        return;
      case 'hal.contactorChanged':
      case 'hal.lockChanged':
      case 'hal.meter':
        return;
    }
  }
}
