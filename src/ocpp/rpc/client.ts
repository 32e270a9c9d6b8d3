/**
 * OCPP-J transport: the client (the charging station side of one OCPP-J connection).
 *
 * Owns: the WebSocket lifecycle — connect, subprotocol check (R-J2), Basic auth (1g), keepalive,
 * reconnect with back-off (R-O14) until close() — and routing frames between framing, own CALLs
 * (outbound.ts) and received CALLs (inbound.ts). Verbs: connect / call / handle / close.
 * Must not: persist or retry OCPP messages, or know any action's meaning; the OCPP layer above
 * owns both and is told about the link through events.
 *
 * Failure handling:
 * - HTTP status on the upgrade (401, 404, 5xx, …), network errors, handshake timeout, a server
 *   that picks no subprotocol or one not offered, or no validator for the picked one →
 *   'connectFailed', back off, retry.
 * - Connection lost → every waiting and in-flight CALL rejects 'offline'; 'close'; back off, retry.
 * - A received message above maxPayloadBytes: ws sends close 1009 ("message too big") and stops
 *   reading (so the local 'close' event reports 1006); treated as any lost connection: the CALLs
 *   reject 'offline' and the client reconnects after back-off. The big message is never answered.
 * - No pong within pongTimeoutMs, or (reconnectOnTimeout) a CALL timeout → the link is suspect
 *   (R-J6): terminate and reconnect.
 */

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { WebSocket, type RawData } from 'ws';
import { Backoff } from './backoff.js';
import { CallFailure, ConnectError, RpcError } from './errors.js';
import { BINARY_FRAME, answerToProblem, isJsonObject, parseFrame, serializeCall } from './framing.js';
import { newMessageId } from './ids.js';
import { InboundCalls, type CallHandler, type IncomingGate } from './inbound.js';
import { Keepalive } from './keepalive.js';
import { EARLY_FRAME_LIMIT, Link, type Attempt, type ConnectionState, type RpcClientEvents } from './link.js';
import {
  basicAuthHeader,
  resolveOptions,
  type ResolvedOptions,
  type RpcClientOptions,
  type RpcClientUpdate,
} from './options.js';
import { OutboundCalls } from './outbound.js';
import { MESSAGE_TYPE } from './types.js';

export class RpcClient extends EventEmitter<RpcClientEvents> {
  private raw: RpcClientOptions;
  private opts: ResolvedOptions;
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private readonly keepalive: Keepalive;
  private readonly outbound: OutboundCalls;
  private readonly inbound: InboundCalls;
  private state: ConnectionState = 'idle';
  private attempt: Attempt | null = null;
  private link: Link | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closeTimer: NodeJS.Timeout | null = null;
  private reconnectNow = false;
  private closeWaiters: Array<() => void> = [];

  /** Throws RpcConfigError for invalid options. */
  constructor(options: RpcClientOptions) {
    super();
    this.raw = { ...options };
    this.opts = resolveOptions(this.raw);
    this.log = options.logger.child({ component: 'ocpp-rpc' });
    this.backoff = new Backoff(this.opts.backoff, this.opts.random);
    this.keepalive = new Keepalive((silentMs) => this.drop(`no pong within ${silentMs} ms`));
    this.outbound = new OutboundCalls(this.log, () => {
      if (this.opts.reconnectOnTimeout && this.link !== null) this.drop('CALL timed out (R-J6)');
      else this.outbound.pump(this.link);
    });
    this.inbound = new InboundCalls(
      this.log,
      () => this.opts.handlerTimeoutMs,
      () => this.outbound.pump(this.link),
    );
  }

  /** Subprotocol of the current connection; null while not connected. */
  get protocol(): string | null {
    return this.link?.protocol ?? null;
  }

  /** True while a connection is open and its validator is loaded. */
  get connected(): boolean {
    return this.link !== null;
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** Own CALLs waiting or in flight. */
  get pendingCalls(): number {
    return this.outbound.size;
  }

  /** Starts connecting; keeps reconnecting with back-off until close(). No-op when already started. */
  connect(): void {
    if (this.state !== 'idle' && this.state !== 'closed') {
      this.log.debug({ state: this.state }, 'connect() ignored: already started');
      return;
    }
    this.backoff.reset();
    this.openSocket();
  }

  /** Closes with `code` (default 1000) and stops reconnecting. Resolves once the socket is closed. */
  close(code = 1000, reason = ''): Promise<void> {
    if (this.state === 'idle' || this.state === 'closed') {
      this.state = 'closed';
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (this.state === 'closing') return done;
    this.state = 'closing';
    this.clearRetryTimer();
    this.outbound.failAll('closed');
    const ws = this.attempt?.ws;
    if (ws === undefined) {
      this.finishClosing();
    } else if (ws.readyState === WebSocket.OPEN) {
      try {
        ws.close(code, reason);
        this.closeTimer = setTimeout(() => ws.terminate(), this.opts.closeTimeoutMs);
      } catch (err) {
        this.log.error({ err, code }, 'close() with an invalid code or reason; terminating');
        ws.terminate();
      }
    } else {
      ws.terminate();
    }
    return done;
  }

  /** Drops the connection and opens a new one at once (e.g. after a password change). */
  reconnect(): void {
    if (this.state === 'waiting') {
      this.clearRetryTimer();
      this.openSocket();
    } else if (this.state === 'open' || this.state === 'connecting') {
      this.reconnectNow = true;
      this.drop('reconnect requested');
    }
  }

  /**
   * Sends a CALL and resolves with the validated CALLRESULT payload. Rejects with CallFailure
   * ('offline' at once when not connected, 'closed' after close(), 'invalidRequest' when the
   * action or payload is not valid for the negotiated protocol, 'timeout', 'invalidResponse') or
   * with RpcError when the server answers with a CALLERROR. Own CALLs go one at a time (R-J5).
   */
  call(action: string, payload: object, opts: { timeoutMs?: number } = {}): Promise<unknown> {
    if (this.state === 'closing' || this.state === 'closed') return Promise.reject(new CallFailure('closed', action));
    const link = this.link;
    if (link === null) return Promise.reject(new CallFailure('offline', action));
    const invalid = (detail: string, issue?: CallFailure['issue']): Promise<never> =>
      Promise.reject(new CallFailure('invalidRequest', action, { detail, issue: issue ?? null }));
    if (!link.validator.csToCsms.has(action)) return invalid(`action is not known for ${link.protocol}`);
    if (!isJsonObject(payload)) return invalid('payload must be a JSON object');
    const timeoutMs = opts.timeoutMs ?? this.opts.callTimeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return invalid('timeoutMs must be a positive number');
    let issue;
    try {
      issue = link.validator.validate(action, 'request', payload);
    } catch (err) {
      this.log.error({ err, action }, 'request validator threw');
      return invalid('validator failed');
    }
    if (issue !== null) return invalid(issue.message, issue);
    const messageId = newMessageId();
    let text: string;
    try {
      text = serializeCall(messageId, action, payload);
    } catch {
      return invalid('payload cannot be encoded as JSON');
    }
    return this.outbound.enqueue({ action, messageId, text, timeoutMs }, link);
  }

  /** Registers the handler of a CSMS-initiated action (replaces an earlier one). */
  handle(action: string, handler: CallHandler): void {
    this.inbound.handle(action, handler);
  }

  removeHandler(action: string): void {
    this.inbound.removeHandler(action);
  }

  /** Consulted first for every received CALL; see IncomingGate. */
  setIncomingGate(gate: IncomingGate | null): void {
    this.inbound.setGate(gate);
  }

  /**
   * Changes options. Throws RpcConfigError (and changes nothing) when the result is invalid.
   * Ping interval / pong timeout apply at once; URL, identity, protocols, password, security profile
   * and payload limit on the next connection; back-off from the next wait.
   */
  updateOptions(update: RpcClientUpdate): void {
    const raw = { ...this.raw, ...update };
    const next = resolveOptions(raw);
    const pingChanged = next.pingIntervalMs !== this.opts.pingIntervalMs || next.pongTimeoutMs !== this.opts.pongTimeoutMs;
    this.raw = raw;
    this.opts = next;
    this.backoff.update(next.backoff);
    if (pingChanged && this.link !== null) this.keepalive.restart(next.pingIntervalMs, next.pongTimeoutMs);
  }

  private openSocket(): void {
    const o = this.opts;
    this.state = 'connecting';
    const headers: Record<string, string> = {};
    if (o.securityProfile === 1 && o.password !== undefined) headers['authorization'] = basicAuthHeader(o.identity, o.password);
    let ws: WebSocket;
    try {
      ws = new WebSocket(o.connectionUrl, o.protocols, {
        headers,
        maxPayload: o.maxPayloadBytes,
        handshakeTimeout: o.handshakeTimeoutMs,
        ...(o.ca ? { ca: o.ca } : {}),
      });
    } catch (err) {
      // Only reachable with options ws itself refuses; report like any failed attempt.
      this.log.error({ err }, 'WebSocket could not be created');
      const error = new ConnectError('network', err instanceof Error ? err.message : String(err), { cause: err });
      this.scheduleRetry(null, { error, delayMs: null }, 1006, '');
      return;
    }
    const attempt: Attempt = { ws, failure: null, lastError: null, early: [] };
    this.attempt = attempt;
    this.log.info({ url: o.connectionUrl, protocols: o.protocols }, 'connecting');

    ws.on('upgrade', (res) => {
      const picked = res.headers['sec-websocket-protocol'];
      if (typeof picked !== 'string') {
        attempt.failure = new ConnectError('subprotocol', `server picked none of ${o.protocols.join(', ')}`);
      } else if (!o.protocols.includes(picked)) {
        attempt.failure = new ConnectError('subprotocol', `server picked "${picked}", which was not offered`);
      }
      // ws refuses such a handshake itself ('error' + 'close' follow); failure says why.
    });
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      attempt.failure = new ConnectError('httpStatus', `HTTP ${status}`, { httpStatus: status });
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => this.onOpen(attempt));
    ws.on('message', (data, isBinary) => {
      if (this.attempt !== attempt) return;
      if (this.link === null) {
        if (attempt.early.length < EARLY_FRAME_LIMIT) attempt.early.push({ data, isBinary });
        else this.log.warn('frame dropped: received before the validator was ready');
        return;
      }
      this.onFrame(this.link, data, isBinary);
    });
    ws.on('error', (err) => {
      attempt.lastError = err;
      this.log.debug({ err: err.message }, 'socket error');
    });
    ws.on('close', (code, reason) => this.onClose(attempt, code, reason.toString('utf8')));
  }

  private onOpen(attempt: Attempt): void {
    const { ws } = attempt;
    if (this.attempt !== attempt || this.state !== 'connecting') return;
    const protocol = ws.protocol;
    this.opts
      .schemasFor(protocol)
      .then((validator) => {
        if (this.attempt !== attempt || this.state !== 'connecting' || ws.readyState !== WebSocket.OPEN) return;
        const link = new Link(ws, protocol, validator, (socket, text) => this.write(socket, text));
        this.link = link;
        this.state = 'open';
        this.backoff.reset();
        this.keepalive.start(ws, this.opts.pingIntervalMs, this.opts.pongTimeoutMs);
        this.log.info({ protocol }, 'connected');
        this.emit('open', { protocol });
        const early = attempt.early.splice(0);
        for (const f of early) if (this.link === link) this.onFrame(link, f.data, f.isBinary);
      })
      .catch((err: unknown) => {
        if (this.attempt !== attempt) return;
        this.log.error({ err, protocol }, 'no payload validator for the negotiated subprotocol');
        attempt.failure = new ConnectError('schemas', `no validator for ${protocol}`, { cause: err });
        ws.close(1011, 'no schemas for subprotocol');
      });
  }

  private onFrame(link: Link, data: RawData, isBinary: boolean): void {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const text = buf.toString('utf8');
    this.emit('frame', { direction: 'in', text, at: Date.now() });
    this.log.debug({ frame: text }, 'frame in');
    const parsed = isBinary ? BINARY_FRAME : parseFrame(text);
    if (!parsed.ok) {
      const p = parsed.problem;
      const answer = answerToProblem(p, link.protocol);
      if (answer !== null) link.reply(answer);
      const isAnswer = p.messageTypeId === MESSAGE_TYPE.callResult || p.messageTypeId === MESSAGE_TYPE.callError;
      if (isAnswer) this.outbound.settleMalformed(p.messageId, p.description);
      this.log.warn({ reason: p.reason, messageId: p.messageId, answered: answer !== null }, `bad frame: ${p.description}`);
      this.emit('protocolError', { reason: p.reason, messageId: p.messageId, description: p.description, answer });
      this.outbound.pump(this.link);
      return;
    }
    const frame = parsed.frame;
    if (frame.type === MESSAGE_TYPE.call) {
      void this.inbound.receive(link, frame);
      return;
    }
    const match =
      frame.type === MESSAGE_TYPE.callResult
        ? this.outbound.settleResult(frame.messageId, frame.payload, link.validator)
        : this.outbound.settleError(
            frame.messageId,
            RpcError.fromWire(frame.errorCode, frame.errorDescription, frame.errorDetails),
          );
    if (match !== 'matched') {
      const reason = match === 'late' ? 'lateAnswer' : 'unknownMessageId';
      const description = match === 'late' ? 'answer to a CALL that already timed out' : 'answer to no CALL of ours';
      this.log.warn({ messageId: frame.messageId, type: frame.type }, `ignored: ${description}`);
      this.emit('protocolError', { reason, messageId: frame.messageId, description, answer: null });
    }
    this.outbound.pump(this.link);
  }

  private write(ws: WebSocket, text: string): void {
    this.emit('frame', { direction: 'out', text, at: Date.now() });
    this.log.debug({ frame: text }, 'frame out');
    ws.send(text, (err) => {
      if (err) this.log.warn({ err: err.message }, 'send failed');
    });
  }

  /** Ends the current connection without a close handshake; onClose decides what follows. */
  private drop(why: string): void {
    const ws = this.attempt?.ws;
    if (ws === undefined) return;
    this.log.warn({ why }, 'dropping the connection');
    ws.terminate();
  }

  private onClose(attempt: Attempt, code: number, reason: string): void {
    if (this.attempt !== attempt) return;
    this.attempt = null;
    const link = this.link;
    this.link = null;
    if (link !== null) link.alive = false;
    this.keepalive.stop();
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    const closing = this.state === 'closing';
    this.outbound.failAll(closing ? 'closed' : 'offline');
    const failure =
      link === null
        ? {
            error:
              attempt.failure ??
              new ConnectError('network', attempt.lastError?.message ?? `closed with ${code}`, { cause: attempt.lastError }),
            delayMs: null,
          }
        : null;
    if (closing) {
      // An attempt aborted by close() is not reported as a failure.
      if (link !== null) this.emit('close', { code, reason, willReconnect: false, delayMs: null });
      this.finishClosing();
      return;
    }
    this.scheduleRetry(link, failure, code, reason);
  }

  private scheduleRetry(
    link: Link | null,
    failure: { error: ConnectError; delayMs: number | null } | null,
    code: number,
    reason: string,
  ): void {
    const delayMs = this.reconnectNow ? 0 : this.backoff.next();
    this.reconnectNow = false;
    this.state = 'waiting';
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.openSocket();
    }, delayMs);
    if (failure !== null) {
      this.log.warn({ err: failure.error.message, code: failure.error.code, delayMs }, 'connection attempt failed');
      this.emitConnectFailed({ error: failure.error, delayMs });
    } else if (link !== null) {
      this.log.warn({ code, reason, delayMs }, 'connection lost');
      this.emit('close', { code, reason, willReconnect: true, delayMs });
    }
  }

  private emitConnectFailed(f: { error: ConnectError; delayMs: number | null }): void {
    const event = f.error.httpStatus === undefined ? f : { ...f, httpStatus: f.error.httpStatus };
    this.emit('connectFailed', event);
  }

  private finishClosing(): void {
    this.state = 'closed';
    this.log.info('closed');
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  }

  private clearRetryTimer(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
