/**
 * OCPP-J transport: own CALLs.
 *
 * Owns: the in-memory FIFO of own CALLs, the single CALL in flight (R-J5), its timeout (R-J6) and
 * matching CALLRESULT / CALLERROR frames to it. Must not: persist or retry anything (the OCPP layer
 * above owns that), open sockets or parse frames.
 */

import type { Logger } from 'pino';
import { CallFailure, RpcError, type CallFailureKind } from './errors.js';
import type { JsonObject, PayloadValidator } from './types.js';

/** What the queue needs from the current connection. */
export interface OutboundLink {
  readonly validator: PayloadValidator;
  /** Writes one text frame. */
  send(text: string): void;
  /** False while the link is gone or a received CALL is still unanswered (its reply goes first). */
  canSendCall(): boolean;
}

export interface OutboundCall {
  action: string;
  messageId: string;
  /** The serialized CALL. */
  text: string;
  timeoutMs: number;
}

interface Pending extends OutboundCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | null;
}

/** How a received answer related to our CALLs. */
export type AnswerMatch = 'matched' | 'late' | 'unknown';

/** Ids of timed-out CALLs remembered to tell a late answer from an unknown id (logging only). */
const TIMED_OUT_MEMORY = 32;

export class OutboundCalls {
  private readonly queue: Pending[] = [];
  private inFlight: Pending | null = null;
  private readonly timedOut: string[] = [];

  constructor(
    private readonly logger: Logger,
    /** Called after a CALL timed out and was rejected; the client decides whether to reconnect. */
    private readonly onTimeout: (call: OutboundCall) => void,
  ) {}

  /** Number of CALLs waiting plus the one in flight. */
  get size(): number {
    return this.queue.length + (this.inFlight === null ? 0 : 1);
  }

  enqueue(call: OutboundCall, link: OutboundLink): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...call, resolve, reject, timer: null });
      this.pump(link);
    });
  }

  /** Sends the next CALL when none is in flight and the link allows it. */
  pump(link: OutboundLink | null): void {
    if (this.inFlight !== null || link === null || !link.canSendCall()) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.inFlight = next;
    next.timer = setTimeout(() => this.expire(next), next.timeoutMs);
    link.send(next.text);
  }

  /** A CALLRESULT arrived. The payload is validated as the response of the in-flight action. */
  settleResult(messageId: string, payload: JsonObject, validator: PayloadValidator): AnswerMatch {
    const call = this.take(messageId);
    if (call === null) return this.unmatched(messageId);
    let issue;
    try {
      issue = validator.validate(call.action, 'response', payload);
    } catch (err) {
      this.logger.error({ err, action: call.action }, 'response validator threw');
      issue = { code: 'InternalError' as const, message: 'validator failed', path: '' };
    }
    if (issue !== null) {
      this.logger.warn({ action: call.action, messageId, issue }, 'CALLRESULT payload is invalid');
      call.reject(new CallFailure('invalidResponse', call.action, { messageId, issue }));
    } else {
      call.resolve(payload);
    }
    return 'matched';
  }

  /** A CALLERROR arrived. */
  settleError(messageId: string, error: RpcError): AnswerMatch {
    const call = this.take(messageId);
    if (call === null) return this.unmatched(messageId);
    call.reject(error);
    return 'matched';
  }

  /** A malformed CALLRESULT / CALLERROR carried this id: fail the in-flight CALL at once. */
  settleMalformed(messageId: string, detail: string): AnswerMatch {
    const call = this.take(messageId);
    if (call === null) return this.unmatched(messageId);
    call.reject(new CallFailure('invalidResponse', call.action, { messageId, detail }));
    return 'matched';
  }

  /** Rejects the in-flight CALL and every waiting one. */
  failAll(kind: Extract<CallFailureKind, 'offline' | 'closed'>): void {
    const all = this.inFlight === null ? [...this.queue] : [this.inFlight, ...this.queue];
    this.inFlight = null;
    this.queue.length = 0;
    for (const call of all) {
      if (call.timer !== null) clearTimeout(call.timer);
      call.reject(new CallFailure(kind, call.action, { messageId: call.messageId }));
    }
  }

  private take(messageId: string): Pending | null {
    const call = this.inFlight;
    if (call === null || call.messageId !== messageId) return null;
    if (call.timer !== null) clearTimeout(call.timer);
    this.inFlight = null;
    return call;
  }

  private unmatched(messageId: string): AnswerMatch {
    return this.timedOut.includes(messageId) ? 'late' : 'unknown';
  }

  private expire(call: Pending): void {
    if (this.inFlight !== call) return;
    this.inFlight = null;
    call.timer = null;
    this.timedOut.push(call.messageId);
    if (this.timedOut.length > TIMED_OUT_MEMORY) this.timedOut.shift();
    this.logger.warn({ action: call.action, messageId: call.messageId, timeoutMs: call.timeoutMs }, 'CALL timed out');
    call.reject(new CallFailure('timeout', call.action, { messageId: call.messageId }));
    this.onTimeout(call);
  }
}
