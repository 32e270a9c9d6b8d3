/**
 * What a version adapter (src/ocpp/v16, src/ocpp/v201) provides to the version-neutral session,
 * and what the session gives it.
 *
 * An adapter maps domain facts to messages of its version (`onX`, station → CSMS) and registers
 * handlers for CSMS requests (`handleX`, CSMS → station). One adapter instance lives for one
 * WebSocket connection; state that must outlive a connection lives in the domain or the store.
 */
import type { Logger } from 'pino';
import type { CallHandler, HandlerContext, RpcClient } from './rpc/index.js';
import type { Config } from '../config/types.js';
import type { Clock } from '../domain/clock.js';
import type { ConnectorView } from '../domain/connector.js';
import type { AuthorizationResult, StationRuntime } from '../domain/station.js';
import type { SettingsStore } from '../store/settings.js';
import type { OcppProtocol } from './schemas/index.js';

/** Registration answer, version-neutral. Intervals in seconds. */
export interface BootAnswer {
  status: 'Accepted' | 'Pending' | 'Rejected';
  intervalS: number;
  currentTime: string;
}

export interface AdapterContext {
  protocol: OcppProtocol;
  rpc: RpcClient;
  runtime: StationRuntime;
  clock: Clock;
  config: Config;
  settings: SettingsStore;
  log: Logger;
  /** Registration accepted and link up: ordinary messages may be sent. */
  canSend(): boolean;
  /** Registration state right now (for Pending/Rejected rules on incoming requests). */
  registration(): 'offline' | 'booting' | 'pending' | 'rejected' | 'retrying' | 'accepted';
  /** State that outlives one connection (e.g. the last status the CSMS acknowledged), by name. */
  shared<T>(name: string, create: () => T): T;
}

/** Status of a connector as reported in the adapter's version. */
export interface ReportedStatus {
  status: string;
  errorCode: string | null;
}

export interface VersionAdapter {
  readonly protocol: OcppProtocol;
  /** Send the registration request and return the answer (throws when there is none). */
  boot(): Promise<BootAnswer>;
  heartbeat(): Promise<void>;
  /** Registration accepted (first time since start: reconnect=false) or link back while registered. */
  onRegistered(reconnect: boolean): void;
  onConnectorChange(view: ConnectorView, previous: ConnectorView | null): void;
  authorize(token: string, connector: number): Promise<AuthorizationResult>;
  statusOf(view: ConnectorView): ReportedStatus;
  /** Incoming CALL filter for the current registration state (null = let it through). */
  incomingGate(action: string): import('./rpc/index.js').RpcError | 'ignore' | null;
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
}

export function typed<Out extends ActionMap, In extends ActionMap>(rpc: RpcClient): TypedRpc<Out, In> {
  return {
    call: (action, payload, opts) => rpc.call(action, payload as object, opts) as Promise<never>,
    handle: (action, handler) => rpc.handle(action, handler as CallHandler),
  };
}
