// The independent test CSMS: an OCPP-J server built on the `ocpp-rpc` package in strict mode,
// so every message of the charge point under test is checked against the OCA JSON schemas by
// other people's code, never by evsed's own validators. Used by evsed's OCPP tests and the demo.
// Owns: listening (port, restart on the same port, refusing upgrades, basic auth), protocol
// negotiation, answering CS CALLs (defaults.ts + per-test handlers), the public fixture API.
// Must not: import anything from evsed's src/, hal/ or statecharts/.
//
// Trace: pass `log: true`, or set CSMS_TRACE=1 in the environment, to print every message.

import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { CsmsCallError, CsmsConnection, CALL_FAILURE } from './connection.js';
import { CS_TO_CSMS_ACTIONS, DEFAULT_BOOT, defaultResponse, hasDefault } from './defaults.js';
import { untilAborted } from './handler-tools.js';
import { Recorder } from './recorder.js';
import {
  createRPCError, NOREPLY, RPCServer,
  type RpcAuthCallback, type RpcHandlerContext, type RpcServer, type RpcServerClient,
} from './rpc-types.js';
import {
  OCPP_PROTOCOLS,
  type BootConfig, type CallOptions, type ConnectionInfo, type CsmsClientHandle, type CsmsHandler,
  type OcppProtocol, type RecordedMessage, type TestCsmsOptions, type UpgradeAttempt, type WaitOptions,
} from './types.js';

export { CsmsCallError, CALL_FAILURE } from './connection.js';
export { neverAnswer, rpcError } from './handler-tools.js';
export { formatMessage } from './trace.js';
export { DIRECTION, OCPP_PROTOCOLS } from './types.js';
export type * from './types.js';
export { CS_TO_CSMS_ACTIONS } from './defaults.js';

const DEFAULT_CALL_TIMEOUT_MS = 30_000;
const DEFAULT_WAIT_TIMEOUT_MS = 5_000;
const GOING_AWAY = 1001;
const PROTOCOL_ERROR = 1002;

function isOcppProtocol(value: unknown): value is OcppProtocol {
  return (OCPP_PROTOCOLS as readonly unknown[]).includes(value);
}

function logSink(log: TestCsmsOptions['log']): ((line: string) => void) | undefined {
  if (typeof log === 'function') return log;
  const on = log ?? process.env['CSMS_TRACE'] === '1';
  return on ? (line) => { process.stdout.write(`${line}\n`); } : undefined;
}

export class TestCsms {
  private readonly recorder: Recorder;
  private readonly protocols: OcppProtocol[];
  private readonly passwords: Map<string, string> | undefined;
  private readonly tokens: Map<string, string>;
  private readonly handlers = new Map<string, CsmsHandler>();
  private readonly callTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private boot: BootConfig;
  private nextTransactionId: number;
  private refusal: { httpStatus: number } | null = null;
  private silenced = false;
  private stopped = false;
  private readonly live = new Set<CsmsConnection>();
  private readonly sockets = new Set<Socket>();
  private rpcServer: RpcServer | undefined;
  private httpServer: Server | undefined;
  private listeningPort = 0;

  private constructor(opts: TestCsmsOptions) {
    this.recorder = new Recorder(logSink(opts.log), opts.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS);
    this.protocols = [...(opts.protocols ?? OCPP_PROTOCOLS)];
    if (this.protocols.length === 0) throw new Error('TestCsms: protocols must not be empty');
    this.passwords = opts.passwords ? new Map(Object.entries(opts.passwords)) : undefined;
    this.tokens = new Map(Object.entries(opts.tokens ?? {}));
    for (const [action, handler] of Object.entries(opts.handlers ?? {})) this.handlers.set(action, handler);
    this.callTimeoutMs = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.pingIntervalMs = opts.pingIntervalMs ?? 0;
    this.boot = opts.boot ?? { ...DEFAULT_BOOT };
    this.nextTransactionId = opts.firstTransactionId ?? 1000 + Math.floor(Math.random() * 9_000_000);
  }

  /** Starts listening on 127.0.0.1 (port 0 = ephemeral). */
  static async start(opts: TestCsmsOptions = {}): Promise<TestCsms> {
    const csms = new TestCsms(opts);
    await csms.listen(opts.port ?? 0);
    return csms;
  }

  /** ws://127.0.0.1:PORT — the CS appends /identity. */
  get url(): string {
    return `ws://127.0.0.1:${this.listeningPort}`;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Every frame both ways, in wire order (including CALLERRORs strict mode produced). */
  get messages(): readonly RecordedMessage[] {
    return this.recorder.messages;
  }

  get connections(): readonly ConnectionInfo[] {
    return this.recorder.connections;
  }

  /** Every upgrade request with the HTTP status it got (101 accepted, 401, 404, …). */
  get upgrades(): readonly UpgradeAttempt[] {
    return this.recorder.upgrades;
  }

  /** Current message count: pass as `since` to wait only for what comes next. */
  mark(): number {
    return this.recorder.messages.length;
  }

  /** The open connection of that identity (latest opened; any identity when omitted). */
  client(identity?: string): CsmsClientHandle | undefined {
    let latest: CsmsConnection | undefined;
    for (const conn of this.live) {
      if (!conn.isOpen || (identity !== undefined && conn.identity !== identity)) continue;
      if (!latest || conn.info.index > latest.info.index) latest = conn;
    }
    return latest;
  }

  waitForClient(identity?: string, timeoutMs?: number): Promise<CsmsClientHandle> {
    return this.recorder.wait(() => this.client(identity), timeoutMs,
      () => `no CS${identity === undefined ? '' : ` '${identity}'`} connected; upgrades: ${JSON.stringify(this.upgrades.map((u) => [u.identity, u.httpStatus]))}`);
  }

  /** First message from `since` (default 0, so already recorded ones match) satisfying predicate. */
  waitFor(predicate: (m: RecordedMessage) => boolean, opts: WaitOptions & { description?: string } = {}): Promise<RecordedMessage> {
    const since = opts.since ?? 0;
    let next = since;
    const find = (): RecordedMessage | undefined => {
      const all = this.recorder.messages;
      for (; next < all.length; next++) {
        const m = all[next];
        if (m && predicate(m)) return m;
      }
      return undefined;
    };
    return this.recorder.wait(find, opts.timeoutMs,
      () => `${opts.description ?? 'waitFor predicate'} (since #${since}); last messages:\n${this.recorder.tail(since)}`);
  }

  waitForCall(action: string, opts: WaitOptions & { match?: (payload: any) => boolean; identity?: string } = {}): Promise<RecordedMessage> {
    return this.waitFor(
      (m) => m.direction === 'cs→csms' && m.type === 'CALL' && m.action === action
        && (opts.identity === undefined || m.identity === opts.identity)
        && (opts.match === undefined || opts.match(m.payload)),
      { ...opts, description: `CS CALL ${action}${opts.match ? ' matching' : ''}` },
    );
  }

  /** CS→CSMS CALLs recorded so far, optionally of one action. */
  calls(action?: string): RecordedMessage[] {
    return this.recorder.messages.filter((m) => m.direction === 'cs→csms' && m.type === 'CALL'
      && (action === undefined || m.action === action));
  }

  /** Messages from the CS that strict mode or the framing checks refused. */
  violations(): RecordedMessage[] {
    return this.recorder.messages.filter((m) => m.direction === 'cs→csms' && m.invalid !== undefined);
  }

  /** Replace (or with undefined: remove) the handler of one action, for live connections too. */
  setHandler(action: string, handler: CsmsHandler | undefined): void {
    if (handler) this.handlers.set(action, handler);
    else this.handlers.delete(action);
    for (const conn of this.live) {
      if (handler || hasDefault(conn.protocol, action)) conn.rpc.handle(action, (ctx) => this.dispatch(conn, ctx));
      else conn.rpc.removeHandler(action);
    }
  }

  setBoot(boot: BootConfig): void {
    this.boot = boot;
  }

  /** Set (or with undefined: forget) the authorization status of one idTag/idToken. */
  setToken(token: string, status: string | undefined): void {
    if (status === undefined) this.tokens.delete(token);
    else this.tokens.set(token, status);
  }

  /** Change the expected basic-auth password of one identity (only when `passwords` was given). */
  setPassword(identity: string, password: string | undefined): void {
    if (!this.passwords) throw new Error('TestCsms: setPassword needs the passwords option');
    if (password === undefined) this.passwords.delete(identity);
    else this.passwords.set(identity, password);
  }

  /** CALL to the CS; rejects with a CsmsCallError (kind CALLERROR carries the CS's exact code). */
  async call(action: string, payload: object, identity?: string, opts?: CallOptions): Promise<any> {
    const conn = this.client(identity);
    if (!conn) throw new CsmsCallError(CALL_FAILURE.closed, action, `no CS${identity ? ` '${identity}'` : ''} connected`);
    return conn.call(action, payload, opts);
  }

  /** Raw text to the CS as one frame (for malformed-frame tests). */
  sendRaw(text: string, identity?: string): void {
    const conn = this.client(identity);
    if (!conn) throw new Error(`TestCsms.sendRaw: no CS${identity ? ` '${identity}'` : ''} connected`);
    conn.sendRaw(text);
  }

  /** Raw frames received from the CS (all identities when omitted), in order. */
  rawReceived(identity?: string): string[] {
    return this.recorder.messages
      .filter((m) => m.direction === 'cs→csms' && (identity === undefined || m.identity === identity))
      .map((m) => m.raw);
  }

  /** Close the CS's socket from the server side (default code 1000; 1006 = drop without close frame). */
  async disconnect(identity?: string, code?: number): Promise<void> {
    const conn = this.client(identity);
    if (!conn) throw new Error(`TestCsms.disconnect: no CS${identity ? ` '${identity}'` : ''} connected`);
    await conn.close(code);
  }

  /** Answer every upgrade with this HTTP status until called with null. */
  refuseConnections(mode: null | { httpStatus: number }): void {
    this.refusal = mode;
  }

  /** Stop answering CS CALLs (still recorded). Strict-mode CALLERRORs for invalid CALLs still go out. */
  silence(on: boolean): void {
    this.silenced = on;
  }

  /** Close every connection (1001) and the listener; pending waits reject. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.shutdown(false);
    this.recorder.failAll(new Error('TestCsms stopped'));
  }

  /** The CSMS goes away (connections closed, port no longer listening) until `comeBack()`. */
  async goDown(opts: { abrupt?: boolean } = {}): Promise<void> {
    if (this.stopped) throw new Error('TestCsms.goDown: already stopped');
    if (!this.httpServer) return;
    await this.shutdown(opts.abrupt ?? false);
    this.recorder.event('CSMS down');
  }

  /** The CSMS is back, listening on the same port. */
  async comeBack(): Promise<void> {
    if (this.stopped) throw new Error('TestCsms.comeBack: already stopped');
    if (this.httpServer) return;
    await this.listen(this.listeningPort);
  }

  /** A CSMS restart: close everything (abrupt: drop TCP), stay down downMs, listen on the same port. */
  async restart(opts: { downMs?: number; abrupt?: boolean } = {}): Promise<void> {
    if (this.stopped) throw new Error('TestCsms.restart: already stopped');
    if (this.httpServer) await this.shutdown(opts.abrupt ?? false);
    this.recorder.event(`CSMS down${opts.downMs ? ` for ${opts.downMs} ms` : ''}`);
    if (opts.downMs) await delay(opts.downMs);
    await this.listen(this.listeningPort);
  }

  private async listen(port: number): Promise<void> {
    const rpcServer = new RPCServer({
      protocols: [...this.protocols],
      strictMode: true,
      callTimeoutMs: this.callTimeoutMs,
      pingIntervalMs: this.pingIntervalMs,
    });
    rpcServer.auth(this.authenticate);
    rpcServer.on('client', (client) => this.onClient(client));
    rpcServer.on('error', (error) => this.recorder.event(`server error: ${error.message}`));
    const httpServer = createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    httpServer.on('upgrade', rpcServer.handleUpgrade);
    httpServer.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(port, '127.0.0.1', () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    this.rpcServer = rpcServer;
    this.httpServer = httpServer;
    this.listeningPort = (httpServer.address() as AddressInfo).port;
    this.recorder.event(`CSMS listening on ${this.url} (${this.protocols.join(', ')})`);
  }

  private async shutdown(abrupt: boolean): Promise<void> {
    const { rpcServer, httpServer } = this;
    this.rpcServer = undefined;
    this.httpServer = undefined;
    // Stop accepting first, then close what is open, then drop half-finished upgrades.
    const listenerClosed = httpServer
      ? new Promise<void>((resolve) => httpServer.close(() => resolve()))
      : Promise.resolve();
    await Promise.all([...this.live].map((conn) => conn.close(abrupt ? 1006 : GOING_AWAY)));
    if (rpcServer) await rpcServer.close({ force: true });
    for (const socket of this.sockets) socket.destroy();
    await listenerClosed;
  }

  private readonly authenticate: RpcAuthCallback = (accept, reject, handshake) => {
    const attempt: UpgradeAttempt = {
      at: Date.now(),
      identity: handshake.identity,
      path: handshake.request.url ?? '',
      offeredProtocols: [...handshake.protocols],
      headers: handshake.headers,
      httpStatus: 0,
      protocol: null,
    };
    this.recorder.upgrades.push(attempt);
    const refuse = (httpStatus: number, why: string): void => {
      attempt.httpStatus = httpStatus;
      this.recorder.event(`refused ${handshake.identity || '(no identity)'} with HTTP ${httpStatus}: ${why}`);
      reject(httpStatus, STATUS_CODES[httpStatus] ?? '');
      this.recorder.notify();
    };
    if (this.refusal) return refuse(this.refusal.httpStatus, 'refuseConnections');
    if (handshake.identity === '') return refuse(404, 'no identity in the path');
    if (this.passwords) {
      const expected = this.passwords.get(handshake.identity);
      const given = handshake.password;
      if (expected === undefined || !given || !given.equals(Buffer.from(expected, 'utf8'))) {
        return refuse(401, given ? 'wrong password' : 'no basic-auth credentials for this identity');
      }
    }
    const protocol = this.protocols.find((p) => handshake.protocols.has(p)) ?? null;
    attempt.protocol = protocol;
    attempt.httpStatus = 101;
    // Without a mutual protocol the handshake completes without the header and is closed at once.
    accept({}, protocol ?? false);
    this.recorder.notify();
  };

  private onClient(rpc: RpcServerClient): void {
    const protocol = rpc.protocol;
    if (!isOcppProtocol(protocol)) {
      this.recorder.event(`${rpc.identity} offered no protocol in common (${[...rpc.handshake.protocols].join(', ') || 'none'}); closing`);
      rpc.close({ code: PROTOCOL_ERROR, force: true }).catch(() => undefined);
      return;
    }
    const { handshake } = rpc;
    const info: ConnectionInfo = {
      index: this.recorder.connections.length,
      identity: rpc.identity,
      protocol,
      offeredProtocols: [...handshake.protocols],
      headers: handshake.headers,
      password: handshake.password?.toString('utf8'),
      path: handshake.request.url ?? '',
      openedAt: Date.now(),
    };
    this.recorder.connections.push(info);
    const conn = new CsmsConnection(rpc, info, this.recorder, this.callTimeoutMs);
    this.live.add(conn);
    void conn.closed.then(() => {
      this.live.delete(conn);
      this.recorder.event(`${info.identity} disconnected (code ${info.closeCode ?? '?'}${info.closeReason ? ` ${info.closeReason}` : ''})`);
      this.recorder.notify();
    });
    const actions = new Set<string>([...CS_TO_CSMS_ACTIONS[protocol], ...this.handlers.keys()]);
    for (const action of actions) rpc.handle(action, (ctx) => this.dispatch(conn, ctx));
    this.recorder.event(`${info.identity} connected with ${protocol}${info.password !== undefined ? ' (basic auth)' : ''}`);
    this.recorder.notify();
  }

  private async dispatch(conn: CsmsConnection, ctx: RpcHandlerContext): Promise<unknown> {
    if (this.silenced) return NOREPLY;
    const action = ctx.method;
    const fallback = (): unknown => this.defaultAnswer(conn, action, ctx.params);
    const handler = this.handlers.get(action);
    if (!handler) return fallback();
    const answer = await untilAborted(
      Promise.resolve().then(() => handler(ctx.params, conn, {
        messageId: ctx.messageId, action, protocol: conn.protocol, signal: ctx.signal, fallback,
      })),
      ctx.signal,
    );
    return answer === undefined ? fallback() : answer;
  }

  private defaultAnswer(conn: CsmsConnection, action: string, payload: unknown): unknown {
    const boot = this.boot;
    if (action === 'BootNotification' && typeof boot === 'function') return boot(payload, conn);
    const answer = defaultResponse(action, payload, {
      protocol: conn.protocol,
      tokens: this.tokens,
      boot: typeof boot === 'function' ? DEFAULT_BOOT : boot,
      nextTransactionId: () => this.nextTransactionId++,
    });
    if (answer === undefined) throw createRPCError('NotImplemented', `TestCsms has no answer for ${action} on ${conn.protocol}`);
    return answer;
  }
}
