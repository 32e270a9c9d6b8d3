/**
 * The OCPP session: the management-system link and the version adapter the station speaks.
 *
 * Owns: which adapter is current (the last negotiated protocol, remembered across restarts, so
 * transaction messages produced offline are queued in the right version; replaced when the server
 * picks another protocol), feeding link and registration events into the station statechart,
 * carrying out what it emits (registration request, heartbeat), forwarding connector changes,
 * the incoming-call gate, and applying transport settings (ping interval, back-off, timeout).
 * Must not: construct the transport (src/main.ts does).
 */
import type { Logger } from 'pino';
import type { RpcClient } from './rpc/index.js';
import type { AdapterContext, AdapterFactory, ReportedStatus, RestartKind, VersionAdapter } from './adapter.js';
import type { Config } from '../config/types.js';
import type { ConnectorView } from '../domain/connector.js';
import type { StationServices } from '../domain/services.js';
import type { SettingsStore } from '../store/settings.js';
import type { QueueStore } from '../store/queue.js';
import type { TransactionStore } from '../store/transactions.js';
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

const LAST_PROTOCOL_KEY = 'ocpp.lastProtocol';
const TRACE_SIZE = 500;

export interface TraceFrame {
  /** ms since the epoch */
  at: number;
  direction: 'in' | 'out';
  protocol: string;
  text: string;
}

/** The message id of a frame, for log fields (cheap: no full parse). */
function messageIdOf(text: string): string | undefined {
  return /^\[\s*\d\s*,\s*"([^"]{1,36})"/.exec(text)?.[1];
}

export interface OcppSessionOptions {
  rpc: RpcClient;
  services: StationServices;
  config: Config;
  stores: AdapterContext['stores'];
  logger: Logger;
  requestRestart(kind: RestartKind, reason: string): void;
}

export class OcppSession {
  private readonly rpc: RpcClient;
  private readonly s: StationServices;
  private readonly opts: OcppSessionOptions;
  private readonly log: Logger;
  private adapter: VersionAdapter;
  private linkUp = false;
  private lastError: string | null = null;
  private readonly cleanups: Array<() => void> = [];
  /** The latest OCPP frames both ways (secrets masked), for `evsectl trace` and bundles. */
  private readonly frames: TraceFrame[] = [];

  constructor(opts: OcppSessionOptions) {
    this.opts = opts;
    this.rpc = opts.rpc;
    this.s = opts.services;
    this.log = opts.logger.child({ component: 'ocpp' });
    const remembered = opts.stores.settings.get<OcppProtocol>(LAST_PROTOCOL_KEY);
    const protocol = remembered && opts.config.csms.protocols.includes(remembered) ? remembered : opts.config.csms.protocols[0]!;
    this.adapter = this.createAdapter(protocol);
  }

  /** Outbox of the current protocol (queue depth, tests). */
  get outbox() {
    return this.adapter.outbox;
  }

  start(): void {
    const { rpc, s } = this;
    const runtime = s.runtime;
    rpc.on('open', ({ protocol }) => this.onOpen(protocol as OcppProtocol));
    rpc.on('close', ({ code, reason, delayMs, willReconnect }) => {
      this.linkUp = false;
      this.lastError = `connection closed (${code}${reason ? ` ${reason}` : ''})`;
      if (willReconnect) this.log.warn({ code, reason, reconnectInMs: delayMs }, 'CSMS connection lost');
      else this.log.info({ code, reason }, 'CSMS connection closed');
      this.adapter.onLinkDown();
      runtime.station.send({ type: 'link.down' });
    });
    rpc.on('connectFailed', ({ error, httpStatus, delayMs }) => {
      this.lastError = error.message;
      this.log.warn({ err: error, httpStatus, retryInMs: delayMs }, 'cannot connect to CSMS');
    });
    // Activity postpones the heartbeat; telling the statechart once a second is precise enough
    // and keeps a busy link (queue replay) from re-arming its timer twice per message.
    let lastActivityMs = 0;
    rpc.on('frame', ({ direction, text, at }) => {
      const frame = redactFrame(text);
      this.frames.push({ at, direction, protocol: this.adapter.protocol, text: frame });
      if (this.frames.length > TRACE_SIZE) this.frames.splice(0, this.frames.length - TRACE_SIZE);
      if (this.log.isLevelEnabled('debug')) this.log.debug({ direction, frame, messageId: messageIdOf(frame) }, 'ocpp frame');
      if (at - lastActivityMs >= 1000) {
        lastActivityMs = at;
        runtime.station.send({ type: 'link.activity' });
      }
    });
    rpc.on('protocolError', (e) => this.log.warn(e, 'malformed message from CSMS'));
    rpc.setIncomingGate((action) => this.adapter.incomingGate(action));

    const station = runtime.station;
    const subs = [
      station.on('station.sendBoot', () => void this.sendBoot()),
      station.on('station.sendHeartbeat', () => void this.sendHeartbeat()),
      station.on('station.registered', () => this.registered(false)),
      station.on('station.online', () => this.registered(true)),
    ];
    this.cleanups.push(...subs.map((sub) => () => sub.unsubscribe()));
    for (const c of runtime.connectors) {
      this.cleanups.push(
        c.onChange((view, prev) => {
          if (this.canSend()) this.adapter.onConnectorChange(view, prev);
        }),
      );
    }
    this.s.sessions.setLink({
      online: () => this.canSend(),
      ask: (token) => this.adapter.askAuthorization(token),
    });
    this.cleanups.push(this.s.settings.onChange((key, value) => this.applySetting(key, value)));
    rpc.connect();
  }

  /**
   * Detach from everything, then close the connection properly (1000). `graceful: false` (hard
   * reset) does not wait for the close handshake. Nothing of this session reacts to the link any
   * more once this is called, so the stores may be closed right after.
   */
  async stop(opts: { graceful?: boolean } = {}): Promise<void> {
    for (const c of this.cleanups.splice(0)) c();
    this.rpc.removeAllListeners();
    this.rpc.setIncomingGate(null);
    this.adapter.outbox.stop();
    this.adapter.dispose();
    const closing = this.rpc.close(1000, 'evsed stopping');
    if (opts.graceful ?? true) await closing;
    else closing.catch((err: Error) => this.log.debug({ err }, 'close after hard reset'));
  }

  /** A local limit changed (evsectl limit): the adapter reports it to the CSMS where its version does. */
  localLimitChanged(connector: number, amps: number | null): void {
    this.adapter.onLocalLimit?.(connector, amps);
  }

  /** The last `n` frames, oldest first. */
  trace(n = TRACE_SIZE): TraceFrame[] {
    return this.frames.slice(-Math.max(0, n));
  }

  get protocol(): OcppProtocol | null {
    return this.linkUp ? this.adapter.protocol : null;
  }

  get connected(): boolean {
    return this.linkUp;
  }

  get error(): string | null {
    return this.lastError;
  }

  /** Status as the CSMS sees (or would see) it in the current protocol. */
  statusOf(view: ConnectorView): ReportedStatus {
    return STATUS_OF[this.adapter.protocol](view);
  }

  canSend(): boolean {
    return this.linkUp && this.s.runtime.station.getSnapshot().matches('accepted');
  }

  private createAdapter(protocol: OcppProtocol): VersionAdapter {
    const ctx: AdapterContext = {
      protocol,
      rpc: this.rpc,
      services: this.s,
      config: this.opts.config,
      stores: this.opts.stores,
      log: this.log.child({ protocol }),
      canSend: () => this.canSend(),
      registration: () => this.s.runtime.view().registration,
      requestRestart: (kind, reason) => this.opts.requestRestart(kind, reason),
    };
    return FACTORIES[protocol](ctx);
  }

  private onOpen(protocol: OcppProtocol): void {
    if (!FACTORIES[protocol]) {
      this.log.error({ protocol }, 'server picked a protocol evsed has no adapter for');
      return;
    }
    if (protocol !== this.adapter.protocol) {
      const left = this.adapter.outbox.depth();
      this.log.warn({ from: this.adapter.protocol, to: protocol, queuedInOldProtocol: left }, 'CSMS speaks another protocol now');
      this.adapter.dispose();
      this.adapter = this.createAdapter(protocol);
    }
    this.opts.stores.settings.set(LAST_PROTOCOL_KEY, protocol);
    this.lastError = null;
    this.linkUp = true;
    this.log.info({ protocol }, 'connected to CSMS');
    this.s.runtime.station.send({ type: 'link.up' });
  }

  private registered(reconnect: boolean): void {
    this.adapter.onRegistered(reconnect);
    this.adapter.outbox.kick();
  }

  private async sendBoot(): Promise<void> {
    const adapter = this.adapter;
    const station = this.s.runtime.station;
    try {
      const answer = await adapter.boot();
      if (adapter !== this.adapter || !this.linkUp) return;
      this.synchronise(answer.currentTime);
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
      await this.adapter.heartbeat();
    } catch (err) {
      this.log.warn({ err }, 'heartbeat failed');
    }
  }

  /** Adopt the CSMS's time; clock-aligned sampling re-aligns. */
  synchronise(serverTime: string): void {
    // 2.0.1 B01.FR.06: only when ClockCtrlr.TimeSource names Heartbeat (1.6 always recommends it).
    const st = this.s.settings;
    if (this.adapter.protocol === 'ocpp2.0.1' && st.has('TimeSource') && !st.list('TimeSource').includes('Heartbeat')) return;
    const jumpMs = this.s.clock.synchronise(serverTime);
    if (Math.abs(jumpMs) > 1000) this.log.info({ jumpMs }, 'station clock adjusted to the CSMS');
    if (jumpMs !== 0) {
      this.s.transactions.clockChanged();
      this.s.smartCharging.resync();
    }
  }

  private applySetting(key: string, value: unknown): void {
    const n = value as number;
    switch (key) {
      case 'HeartbeatInterval':
        this.s.runtime.station.send({ type: 'cmd.setHeartbeatInterval', intervalS: n });
        return;
      case 'WebSocketPingInterval':
        this.rpc.updateOptions({ pingIntervalMs: n * 1000 });
        return;
      case 'MessageTimeout':
        this.rpc.updateOptions({ callTimeoutMs: n * 1000 });
        return;
      case 'BasicAuthPassword': {
        // A01: reconnect with the new password ('' = back to the configured one).
        const password = String(value) || this.opts.config.csms.password;
        if (!password) return;
        this.log.info({ by: 'csms' }, 'basic-auth password changed; reconnecting');
        this.rpc.updateOptions({ password });
        afterReplySafe(() => this.rpc.reconnect());
        return;
      }
      case 'RetryBackOffWaitMinimum':
      case 'RetryBackOffRandomRange':
      case 'RetryBackOffRepeatTimes': {
        const st = this.s.settings;
        this.rpc.updateOptions({
          backoff: {
            waitMinimumS: st.int('RetryBackOffWaitMinimum'),
            randomRangeS: st.int('RetryBackOffRandomRange'),
            repeatTimes: st.int('RetryBackOffRepeatTimes'),
          },
        });
        return;
      }
    }
  }
}

/** Run after the current CALL has been answered (a password change must be acknowledged first). */
function afterReplySafe(fn: () => void): void {
  setTimeout(fn, 100).unref();
}

/** Secrets never reach the log: passwords set through configuration requests are masked. */
export function redactFrame(text: string): string {
  return text
    .replace(/("key"\s*:\s*"AuthorizationKey"\s*,\s*"value"\s*:\s*)"[^"]*"/g, '$1"[redacted]"')
    .replace(/("name"\s*:\s*"BasicAuthPassword"\s*\}\s*,\s*"attributeValue"\s*:\s*)"[^"]*"/g, '$1"[redacted]"')
    .replace(/("attributeValue"\s*:\s*)"[^"]*"(\s*,\s*"component"\s*:\s*\{\s*"name"\s*:\s*"SecurityCtrlr"\s*\}\s*,\s*"variable"\s*:\s*\{\s*"name"\s*:\s*"BasicAuthPassword")/g, '$1"[redacted]"$2');
}
