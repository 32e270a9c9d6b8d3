/**
 * What a version adapter (src/ocpp/v16, src/ocpp/v201) provides to the version-neutral session,
 * and what the session gives it.
 *
 * An adapter maps domain facts to messages of its version (`onX`, station → CSMS) and registers
 * handlers for CSMS requests (`handleX`, CSMS → station). It lives as long as its protocol is the
 * station's protocol — across reconnects, and while offline, so that transaction messages are
 * queued even when no connection exists. It is replaced only when the server picks another
 * protocol.
 */
import type { Logger } from 'pino';
import type { CallHandler, HandlerContext, RpcClient, RpcError } from './rpc/index.js';
import type { Outbox } from './outbox.js';
import type { Config } from '../config/types.js';
import type { AuthInfo } from '../domain/auth-types.js';
import type { ConnectorView } from '../domain/connector.js';
import type { StationServices } from '../domain/services.js';
import type { SettingsStore } from '../store/settings.js';
import type { QueueStore } from '../store/queue.js';
import type { TransactionStore } from '../store/transactions.js';
import type { DeviceModelStore } from '../store/device-model.js';
import type { OcppProtocol } from './schemas/index.js';

/** Registration answer, version-neutral. Intervals in seconds. */
export interface BootAnswer {
  status: 'Accepted' | 'Pending' | 'Rejected';
  intervalS: number;
  currentTime: string;
}

export type RestartKind = 'soft' | 'hard';

export interface AdapterContext {
  protocol: OcppProtocol;
  rpc: RpcClient;
  services: StationServices;
  config: Config;
  stores: { settings: SettingsStore; queue: QueueStore; transactions: TransactionStore; deviceModel: DeviceModelStore };
  log: Logger;
  /** Registration accepted and link up: ordinary messages may be sent. */
  canSend(): boolean;
  /** Registration state right now (for Pending/Rejected rules on incoming requests). */
  registration(): 'offline' | 'booting' | 'pending' | 'rejected' | 'retrying' | 'accepted';
  /** Restart evsed in-process (Reset); transactions are stopped by the caller first. */
  requestRestart(kind: RestartKind, reason: string): void;
}

/** Status of a connector as reported in the adapter's version. */
export interface ReportedStatus {
  status: string;
  errorCode: string | null;
}

export interface VersionAdapter {
  readonly protocol: OcppProtocol;
  readonly outbox: Outbox;
  /** Send the registration request and return the answer (throws when there is none). */
  boot(): Promise<BootAnswer>;
  heartbeat(): Promise<void>;
  /** Registration accepted (first time since start: reconnect=false) or link back while registered. */
  onRegistered(reconnect: boolean): void;
  onLinkDown(): void;
  onConnectorChange(view: ConnectorView, previous: ConnectorView | null): void;
  /** Ask the CSMS about a card (Authorize). */
  askAuthorization(token: string): Promise<AuthInfo>;
  /** A local (energy manager) limit was set or cleared: report it where the version does (2.0.1 K). */
  onLocalLimit?(connector: number, amps: number | null): void;
  statusOf(view: ConnectorView): ReportedStatus;
  /** Incoming CALL filter for the current registration state (null = let it through). */
  incomingGate(action: string): RpcError | 'ignore' | null;
  /** Unregister handlers and listeners (protocol changed or evsed stops). */
  dispose(): void;
}

export type AdapterFactory = (ctx: AdapterContext) => VersionAdapter;

/** Typed facade over the untyped transport, keyed by a generated action map. */
export interface ActionMap {
  [action: string]: { request: unknown; response: unknown };
}

export interface TypedRpc<Out extends ActionMap, In extends ActionMap> {
  call<A extends keyof Out & string>(
    action: A,
    payload: Out[A]['request'],
    opts?: { timeoutMs?: number },
  ): Promise<Out[A]['response']>;
  handle<A extends keyof In & string>(
    action: A,
    handler: (payload: In[A]['request'], ctx: HandlerContext) => In[A]['response'] | Promise<In[A]['response']>,
  ): void;
  /** Remove every handler registered through this facade. */
  removeAll(): void;
}

export function typed<Out extends ActionMap, In extends ActionMap>(rpc: RpcClient): TypedRpc<Out, In> {
  const registered = new Set<string>();
  return {
    call: (action, payload, opts) => rpc.call(action, payload as object, opts) as Promise<never>,
    handle: (action, handler) => {
      registered.add(action);
      rpc.handle(action, handler as CallHandler);
    },
    removeAll: () => {
      for (const a of registered) rpc.removeHandler(a);
      registered.clear();
    },
  };
}

/** ISO 8601 UTC with milliseconds, as OCPP wants it. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Run `fn` after the answer to the current CALL has gone out (1.6 §5.17, F06.FR.04: response first). */
export function afterReply(fn: () => void | Promise<void>, log: Logger): void {
  setImmediate(() => {
    Promise.resolve()
      .then(fn)
      .catch((err: Error) => log.error({ err }, 'follow-up of a CSMS request failed'));
  });
}
