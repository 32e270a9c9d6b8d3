// Typed facade over the parts of the `ocpp-rpc` npm package the test peers use.
// Owns: the runtime import of ocpp-rpc (a CommonJS module) and accurate local types for it.
// Must not: add behaviour. ocpp-rpc ships its own .d.ts, but it is incomplete for our use
// (no 'client' event types, constructors demand every option, NOREPLY typed as an object), and
// its errors/symbols are spread into module.exports, which Node's ESM named-import detection
// cannot see — so everything is read from the default (module.exports) import here.

import ocppRpcModule from 'ocpp-rpc';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** What ocpp-rpc's server learned from the HTTP upgrade request. */
export interface RpcHandshake {
  remoteAddress: string | undefined;
  headers: IncomingHttpHeaders;
  /** Subprotocols offered by the client, in its order. */
  protocols: Set<string>;
  /** Path before the identity. */
  endpoint: string;
  /** Last path segment, percent-decoded. */
  identity: string;
  query: URLSearchParams;
  request: IncomingMessage;
  /** Basic-auth password when the username equals the identity, else undefined. */
  password: Buffer | undefined;
}

/** An ocpp-rpc RPCError: `rpcErrorCode` is the OCPP-J error code sent/received. */
export interface RpcError extends Error {
  rpcErrorCode: string;
  rpcErrorMessage: string;
  details: Record<string, unknown>;
}

export interface RpcHandlerContext {
  messageId: string;
  method: string;
  params: any;
  /** Aborts when the connection drops or is closed. */
  signal: AbortSignal;
  reply: (value: unknown) => void;
}

export type RpcHandler = (ctx: RpcHandlerContext) => unknown;

export interface RpcStrictValidationFailure {
  error: RpcError;
  messageId: string;
  method: string;
  params: unknown;
  result: unknown;
  /** true when the invalid message originated locally. */
  outbound: boolean;
  isCall: boolean;
}

export interface RpcCallErrorEvent {
  outbound: boolean;
  messageId: string;
  method: string;
  params: unknown;
  error: Error;
}

export interface RpcCloseEvent {
  code: number;
  reason: string;
}

export interface RpcCallOptions {
  callTimeoutMs?: number;
  signal?: AbortSignal;
  noReply?: boolean;
}

export interface RpcCloseOptions {
  code?: number;
  reason?: string;
  awaitPending?: boolean;
  force?: boolean;
}

/** Both ends share this shape (RPCClient and the server's RPCServerClient). */
export interface RpcEndpoint {
  readonly identity: string;
  /** Negotiated subprotocol; '' or undefined when none. */
  readonly protocol: string | undefined;
  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  readonly state: number;
  handle(method: string, handler: RpcHandler): void;
  handle(handler: RpcHandler): void;
  removeHandler(method?: string): void;
  call(method: string, params?: unknown, options?: RpcCallOptions): Promise<any>;
  sendRaw(message: string): void;
  close(options?: RpcCloseOptions): Promise<{ code?: number; reason?: string } | undefined>;
  on(event: 'message', listener: (e: { message: Buffer | string; outbound: boolean }) => void): this;
  on(event: 'strictValidationFailure', listener: (e: RpcStrictValidationFailure) => void): this;
  on(event: 'callError', listener: (e: RpcCallErrorEvent) => void): this;
  on(event: 'disconnect' | 'close', listener: (e: RpcCloseEvent) => void): this;
  on(event: 'badMessage', listener: (e: { buffer: Buffer; error: Error; response: unknown[] | null }) => void): this;
  on(event: 'protocol', listener: (protocol: string) => void): this;
  on(event: string, listener: (...args: any[]) => void): this;
  once(event: string, listener: (...args: any[]) => void): this;
}

export interface RpcServerClient extends RpcEndpoint {
  readonly handshake: RpcHandshake;
  readonly session: Record<string, unknown>;
}

export interface RpcClient extends RpcEndpoint {
  connect(): Promise<unknown>;
}

export interface RpcValidator {
  readonly subprotocol: string;
  validate(schemaId: string, params: unknown): boolean;
}

export interface RpcServerOptions {
  protocols?: string[];
  callTimeoutMs?: number;
  pingIntervalMs?: number;
  respondWithDetailedErrors?: boolean;
  callConcurrency?: number;
  strictMode?: boolean | string[];
  strictModeValidators?: RpcValidator[];
  maxBadMessages?: number;
}

export interface RpcClientOptions extends RpcServerOptions {
  endpoint: string;
  identity: string;
  password?: string | Buffer;
  headers?: Record<string, string>;
  reconnect?: boolean;
  maxReconnects?: number;
}

export type RpcAuthCallback = (
  accept: (session?: Record<string, unknown>, protocol?: string | false) => void,
  reject: (httpStatus?: number, message?: string) => void,
  handshake: RpcHandshake,
  signal: AbortSignal,
) => void | Promise<void>;

export interface RpcServer {
  auth(callback: RpcAuthCallback): void;
  /** Bound: can be passed straight to http.Server's 'upgrade' event. */
  readonly handleUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>;
  close(options?: RpcCloseOptions): Promise<void>;
  on(event: 'client', listener: (client: RpcServerClient) => void): this;
  on(event: 'upgradeAborted', listener: (e: { error: Error; identity: string; request: IncomingMessage }) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

interface OcppRpcModule {
  RPCServer: new (options: RpcServerOptions) => RpcServer;
  RPCClient: new (options: RpcClientOptions) => RpcClient;
  createRPCError: (code: string, message?: string, details?: Record<string, unknown>) => RpcError;
  createValidator: (subprotocol: string, schemas: object[]) => RpcValidator;
  RPCError: abstract new (...args: any[]) => RpcError;
  TimeoutError: abstract new (...args: any[]) => Error;
  NOREPLY: symbol;
}

const rpc = ocppRpcModule as unknown as OcppRpcModule;

export const RPCServer = rpc.RPCServer;
export const RPCClient = rpc.RPCClient;
export const createRPCError = rpc.createRPCError;
export const createValidator = rpc.createValidator;
export const RPCError = rpc.RPCError;
export const TimeoutError = rpc.TimeoutError;
export const NOREPLY = rpc.NOREPLY;

export function isRpcError(error: unknown): error is RpcError {
  return error instanceof rpc.RPCError;
}
