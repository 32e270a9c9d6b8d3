/**
 * The OCPP session: one management-system connection and the version adapter it speaks.
 *
 * Owns: picking the adapter for the subprotocol the server chose, feeding link and registration
 * events into the station statechart, carrying out what it emits (registration request,
 * heartbeat), forwarding connector changes to the adapter, and the incoming-call gate.
 * Version-neutral: everything version-specific is behind VersionAdapter.
 * Must not: construct the transport (src/main.ts does) or hold protocol state across connections.
 */
import type { Logger } from 'pino';
import type { RpcClient } from './rpc/index.js';
import type { AdapterContext, AdapterFactory, ReportedStatus, VersionAdapter } from './adapter.js';
import type { Config } from '../config/types.js';
import type { Clock } from '../domain/clock.js';
import type { ConnectorView } from '../domain/connector.js';
import type { StationRuntime } from '../domain/station.js';
import type { SettingsStore } from '../store/settings.js';
import type { OcppProtocol } from './schemas/index.js';
import { createV16Adapter, v16StatusOf } from './v16/index.js';
import { createV201Adapter, v201StatusOf } from './v201/index.js';

const FACTORIES: Record<OcppProtocol, AdapterFactory> = {
  'ocpp1.6': createV16Adapter,
  'ocpp2.0.1': createV201Adapter,
};

const STATUS_OF: Record<OcppProtocol, (v: ConnectorView) => ReportedStatus> = {
  'ocpp1.6': v16StatusOf,
  'ocpp2.0.1': v201StatusOf,
};

export interface OcppSessionOptions {
  rpc: RpcClient;
  runtime: StationRuntime;
  clock: Clock;
  config: Config;
  settings: SettingsStore;
  logger: Logger;
}

export class OcppSession {
  private readonly rpc: RpcClient;
  private readonly runtime: StationRuntime;
  private readonly opts: OcppSessionOptions;
  private readonly log: Logger;
  private adapter: VersionAdapter | null = null;
  private lastError: string | null = null;
  private readonly cleanups: Array<() => void> = [];
  /** Per-protocol state that survives reconnects (not restarts). */
  private readonly sharedState = new Map<string, unknown>();

  constructor(opts: OcppSessionOptions) {
    this.opts = opts;
    this.rpc = opts.rpc;
    this.runtime = opts.runtime;
    this.log = opts.logger.child({ component: 'ocpp' });
  }

  start(): void {
    const { rpc, runtime } = this;
    rpc.on('open', ({ protocol }) => this.onOpen(protocol as OcppProtocol));
    rpc.on('close', ({ code, reason, delayMs }) => {
      this.lastError = `connection closed (${code}${reason ? ` ${reason}` : ''})`;
      this.log.warn({ code, reason, reconnectInMs: delayMs }, 'CSMS connection closed');
      this.adapter?.dispose();
      this.adapter = null;
      runtime.station.send({ type: 'link.down' });
    });
    rpc.on('connectFailed', ({ error, httpStatus, delayMs }) => {
      this.lastError = error.message;
      this.log.warn({ err: error, httpStatus, retryInMs: delayMs }, 'cannot connect to CSMS');
    });
    rpc.on('frame', ({ direction, text }) => {
      this.log.debug({ direction, frame: text }, 'ocpp frame');
      runtime.station.send({ type: 'link.activity' });
    });
    rpc.on('protocolError', (e) => this.log.warn(e, 'malformed message from CSMS'));
    rpc.setIncomingGate((action) => this.adapter?.incomingGate(action) ?? null);

    const station = runtime.station;
    const subs = [
      station.on('station.sendBoot', () => void this.sendBoot()),
      station.on('station.sendHeartbeat', () => void this.sendHeartbeat()),
      station.on('station.registered', () => this.adapter?.onRegistered(false)),
      station.on('station.online', () => this.adapter?.onRegistered(true)),
    ];
    this.cleanups.push(...subs.map((s) => () => s.unsubscribe()));
    for (const c of runtime.connectors) {
      this.cleanups.push(
        c.onChange((view, prev) => {
          if (this.canSend()) this.adapter?.onConnectorChange(view, prev);
        }),
      );
    }
    runtime.setAuthorizer(async (token, connector) => {
      if (!this.adapter || !this.canSend()) throw new Error('CSMS not reachable: cannot authorize');
      return this.adapter.authorize(token, connector.info.id);
    });
    rpc.connect();
  }

  async stop(): Promise<void> {
    for (const c of this.cleanups.splice(0)) c();
    this.runtime.setAuthorizer(null);
    await this.rpc.close(1000, 'evsed stopping');
    this.adapter?.dispose();
    this.adapter = null;
  }

  get protocol(): OcppProtocol | null {
    return this.adapter?.protocol ?? null;
  }

  get connected(): boolean {
    return this.adapter !== null;
  }

  get error(): string | null {
    return this.lastError;
  }

  /** Status as the CSMS sees (or would see) it: the negotiated version, else the first configured. */
  statusOf(view: ConnectorView): ReportedStatus {
    const protocol = this.adapter?.protocol ?? this.opts.config.csms.protocols[0] ?? 'ocpp1.6';
    return STATUS_OF[protocol](view);
  }

  private canSend(): boolean {
    return this.adapter !== null && this.runtime.station.getSnapshot().matches('accepted');
  }

  private onOpen(protocol: OcppProtocol): void {
    const factory = FACTORIES[protocol];
    if (!factory) {
      this.log.error({ protocol }, 'server picked a protocol evsed has no adapter for');
      return;
    }
    this.lastError = null;
    const ctx: AdapterContext = {
      protocol,
      rpc: this.rpc,
      runtime: this.runtime,
      clock: this.opts.clock,
      config: this.opts.config,
      settings: this.opts.settings,
      log: this.log.child({ protocol }),
      canSend: () => this.canSend(),
      registration: () => this.runtime.view().registration,
      shared: <T>(name: string, create: () => T): T => {
        const key = `${protocol}:${name}`;
        if (!this.sharedState.has(key)) this.sharedState.set(key, create());
        return this.sharedState.get(key) as T;
      },
    };
    this.adapter = factory(ctx);
    this.log.info({ protocol }, 'connected to CSMS');
    this.runtime.station.send({ type: 'link.up' });
  }

  private async sendBoot(): Promise<void> {
    const adapter = this.adapter;
    if (!adapter) return;
    const station = this.runtime.station;
    try {
      const answer = await adapter.boot();
      if (adapter !== this.adapter) return;
      this.opts.clock.synchronise(answer.currentTime);
      this.log.info({ status: answer.status, intervalS: answer.intervalS }, 'registration answered');
      if (answer.status === 'Accepted') station.send({ type: 'boot.accepted', intervalS: answer.intervalS });
      else if (answer.status === 'Pending') station.send({ type: 'boot.pending', intervalS: answer.intervalS });
      else station.send({ type: 'boot.rejected', intervalS: answer.intervalS });
    } catch (err) {
      this.lastError = `registration failed: ${(err as Error).message}`;
      this.log.warn({ err }, 'registration request failed');
      if (adapter === this.adapter) station.send({ type: 'boot.failed' });
    }
  }

  private async sendHeartbeat(): Promise<void> {
    try {
      await this.adapter?.heartbeat();
    } catch (err) {
      this.log.warn({ err }, 'heartbeat failed');
    }
  }
}
