/**
 * OCPP-J transport: client options.
 *
 * Owns: the option types, their defaults and checks, the connection URL (R-J1) and the HTTP Basic
 * authorization header of security profile 1 (1g). Must not: open connections or log secrets.
 *
 * Security profiles: 0 = no authentication, 1 = HTTP Basic with the identity as user name. TLS
 * (`wss://`) uses Node's default certificate verification; the certificate handling that profiles
 * 2 and 3 need is not implemented here yet, so those values are refused.
 */

import type { Logger } from 'pino';
import type { BackoffConfig } from './backoff.js';
import { RpcConfigError } from './errors.js';
import type { PayloadValidator } from './types.js';

export interface RpcClientOptions {
  /** `ws://` or `wss://` endpoint; the identity is appended, percent-encoded, as the last path segment. */
  url: string;
  identity: string;
  /** Subprotocols offered, in order of preference. The one the server picks is used. */
  protocols: string[];
  securityProfile: 0 | 1;
  /**
   * Basic-auth password (profile 1). A string is sent as its UTF-8 bytes; bytes are sent as given
   * (e.g. a 1.6 AuthorizationKey decoded from hex by the layer above).
   */
  password?: string | Uint8Array;
  /** Called once per connection, after the server picked a subprotocol and before any frame is handled. */
  schemasFor(protocol: string): Promise<PayloadValidator>;
  /** Default wait for the answer to an own CALL; overridable per call. */
  callTimeoutMs: number;
  /** Interval of WebSocket pings; 0 disables them. */
  pingIntervalMs: number;
  /** No pong within this time after a ping → the link is dead: terminate and reconnect. Default pingIntervalMs. */
  pongTimeoutMs?: number;
  backoff: BackoffConfig;
  logger: Logger;
  /** Random source in [0, 1) for the back-off. Default Math.random. */
  random?: () => number;
  /** Largest accepted incoming message; a larger one makes ws close the connection with 1009. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** R-J6: after a CALL timeout, drop and re-open the connection. Default true. */
  reconnectOnTimeout?: boolean;
  /** Limit for the opening handshake (TCP, TLS, HTTP upgrade). Default 30 s. */
  handshakeTimeoutMs?: number;
  /**
   * Limit for a handler to answer a received CALL; after it `InternalError` is sent and the late
   * result dropped. Own CALLs wait while a received CALL is unanswered (R-J5), so this also bounds
   * that wait. Default callTimeoutMs.
   */
  handlerTimeoutMs?: number;
  /** How long `close()` waits for the server's close frame before terminating. Default 5 s. */
  closeTimeoutMs?: number;
  /** Extra CA certificates (PEM) trusted for wss:// besides the system's. */
  ca?: string;
}

/** What `updateOptions()` may change. */
export type RpcClientUpdate = Partial<Omit<RpcClientOptions, 'schemasFor' | 'logger' | 'random'>>;

export const RPC_DEFAULTS = {
  maxPayloadBytes: 1024 * 1024,
  reconnectOnTimeout: true,
  handshakeTimeoutMs: 30_000,
  closeTimeoutMs: 5_000,
} as const;

export interface ResolvedOptions extends Omit<RpcClientOptions, 'password' | 'random'> {
  password: string | Uint8Array | undefined;
  random: () => number;
  pongTimeoutMs: number;
  maxPayloadBytes: number;
  reconnectOnTimeout: boolean;
  handshakeTimeoutMs: number;
  handlerTimeoutMs: number;
  closeTimeoutMs: number;
  /** Derived: endpoint + '/' + percent-encoded identity. */
  connectionUrl: string;
}

/** Same token rule as RFC 6455 / ws for Sec-WebSocket-Protocol values. */
const SUBPROTOCOL_TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`|a-z~]+$/;

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RpcConfigError(`${name} must be a positive number of milliseconds`);
  }
  return value;
}

function nonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RpcConfigError(`${name} must be a number ≥ 0`);
  }
  return value;
}

/** Checks options and fills defaults. Throws RpcConfigError naming the first bad option. */
export function resolveOptions(o: RpcClientOptions): ResolvedOptions {
  if (typeof o.identity !== 'string' || o.identity.length === 0) {
    throw new RpcConfigError('identity must be a non-empty string');
  }
  if (!Array.isArray(o.protocols) || o.protocols.length === 0) {
    throw new RpcConfigError('protocols must list at least one subprotocol');
  }
  for (const p of o.protocols) {
    if (typeof p !== 'string' || !SUBPROTOCOL_TOKEN.test(p)) throw new RpcConfigError(`protocols: invalid subprotocol name`);
  }
  if (new Set(o.protocols).size !== o.protocols.length) throw new RpcConfigError('protocols: duplicate subprotocol');
  if (o.securityProfile !== 0 && o.securityProfile !== 1) {
    throw new RpcConfigError('securityProfile: only 0 and 1 are supported');
  }
  if (o.securityProfile === 1) {
    if (o.password === undefined || o.password.length === 0) {
      throw new RpcConfigError('password is required for security profile 1');
    }
    if (o.identity.includes(':')) {
      throw new RpcConfigError('identity must not contain ":" with security profile 1 (it is the Basic-auth user name)');
    }
  }
  if (typeof o.schemasFor !== 'function') throw new RpcConfigError('schemasFor must be a function');
  const callTimeoutMs = positive('callTimeoutMs', o.callTimeoutMs);
  const pingIntervalMs = nonNegative('pingIntervalMs', o.pingIntervalMs);
  const b = o.backoff;
  if (typeof b !== 'object' || b === null) throw new RpcConfigError('backoff is required');
  nonNegative('backoff.waitMinimumS', b.waitMinimumS);
  nonNegative('backoff.randomRangeS', b.randomRangeS);
  if (!Number.isInteger(b.repeatTimes) || b.repeatTimes < 0) {
    throw new RpcConfigError('backoff.repeatTimes must be an integer ≥ 0');
  }
  const maxPayloadBytes = o.maxPayloadBytes ?? RPC_DEFAULTS.maxPayloadBytes;
  if (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes <= 0) {
    throw new RpcConfigError('maxPayloadBytes must be a positive integer');
  }
  return {
    ...o,
    callTimeoutMs,
    pingIntervalMs,
    backoff: { ...b },
    password: o.password,
    random: o.random ?? Math.random,
    pongTimeoutMs: positive('pongTimeoutMs', o.pongTimeoutMs ?? (pingIntervalMs > 0 ? pingIntervalMs : 1)),
    maxPayloadBytes,
    reconnectOnTimeout: o.reconnectOnTimeout ?? RPC_DEFAULTS.reconnectOnTimeout,
    handshakeTimeoutMs: positive('handshakeTimeoutMs', o.handshakeTimeoutMs ?? RPC_DEFAULTS.handshakeTimeoutMs),
    handlerTimeoutMs: positive('handlerTimeoutMs', o.handlerTimeoutMs ?? callTimeoutMs),
    closeTimeoutMs: positive('closeTimeoutMs', o.closeTimeoutMs ?? RPC_DEFAULTS.closeTimeoutMs),
    connectionUrl: connectionUrl(o.url, o.identity),
  };
}

/**
 * Endpoint URL + '/' + percent-encoded identity (R-J1, 201-J §3.1.1). Trailing slashes of the
 * endpoint path are dropped first, so 'ws://h/ocpp/' and 'ws://h/ocpp' give the same URL. A query
 * string is kept. Credentials or a fragment in the endpoint are refused.
 */
export function connectionUrl(endpoint: string, identity: string): string {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new RpcConfigError('url is not a valid URL');
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new RpcConfigError('url must start with ws:// or wss://');
  if (u.username !== '' || u.password !== '') throw new RpcConfigError('url must not contain credentials');
  if (u.hash !== '') throw new RpcConfigError('url must not contain a fragment');
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${encodeURIComponent(identity)}`;
  return u.toString();
}

/** `Basic base64(<identity>:<password>)` (A00.FR.202–205); a string password is UTF-8 encoded. */
export function basicAuthHeader(identity: string, password: string | Uint8Array): string {
  const pw = typeof password === 'string' ? Buffer.from(password, 'utf8') : Buffer.from(password);
  return `Basic ${Buffer.concat([Buffer.from(`${identity}:`, 'utf8'), pw]).toString('base64')}`;
}
