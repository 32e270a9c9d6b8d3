/**
 * The sender of queued (transaction) messages: strictly in order, one at a time, each written to
 * SQLite before it is sent and deleted only once the CSMS answered it.
 *
 * Owns: the pump (head of the line → prepare → CALL → result or retry), the retry rule (R-O2,
 * E13: a CALLERROR or a timeout uses up an attempt; wait interval × attempts so far before the
 * next; give up after the last attempt), not counting attempts while the link is down, and the
 * queue's size bound (thin intermediate meter values, never start/stop messages).
 * Must not: build payloads (the version adapter's hooks do) or send before registration is
 * accepted (`canSend` says when).
 */
import type { Logger } from 'pino';
import { CallFailure, RpcError, type RpcClient } from './rpc/index.js';
import type { QueuedMessage, QueueStore } from '../store/queue.js';

export interface OutboxHooks {
  /** Final payload right before sending (e.g. with the transactionId filled in); null drops the message. */
  prepare(msg: QueuedMessage): Record<string, unknown> | null;
  /** The CSMS answered. Runs inside the SQLite transaction that deletes the message. */
  onResult(msg: QueuedMessage, response: unknown): void;
  /** After the answer was committed (side effects outside the database: stopping a session …). */
  afterResult?(msg: QueuedMessage, response: unknown): void;
  /** Given up after the last attempt. Runs inside the deleting transaction. */
  onDiscard(msg: QueuedMessage, reason: string): void;
  /** Attempts allowed and base retry interval for this message. */
  attempts(msg: QueuedMessage): number;
  retryIntervalS(msg: QueuedMessage): number;
}

export interface OutboxOptions {
  queue: QueueStore;
  rpc: RpcClient;
  protocol: string;
  hooks: OutboxHooks;
  now: () => number;
  log: Logger;
  /** Registration accepted and link up. */
  canSend: () => boolean;
  /** Most messages kept; above it intermediate meter values are thinned. */
  maxMessages: () => number;
  /** Kinds that may be thinned under the size bound (never start/stop). */
  thinnable: readonly string[];
}

export interface EnqueueRequest {
  action: string;
  kind: string;
  payload: object;
  txId?: string | null;
}

export class Outbox {
  private readonly o: OutboxOptions;
  private pumping = false;
  /** kick() came while the pump was finishing: run it again afterwards, or the kick is lost. */
  private rekick = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly idleWaiters: Array<() => void> = [];
  /** Messages sent and answered since start (for figures and evsectl). */
  delivered = 0;

  constructor(options: OutboxOptions) {
    this.o = options;
  }

  get protocol(): string {
    return this.o.protocol;
  }

  /** Persist a message (committed before this returns) and start sending if possible. */
  enqueue(req: EnqueueRequest): number {
    this.enforceBound();
    const seq = this.o.queue.append({
      protocol: this.o.protocol,
      action: req.action,
      kind: req.kind,
      payload: req.payload,
      txId: req.txId ?? null,
      offline: !this.o.canSend(),
      createdAtMs: this.o.now(),
    });
    this.kick();
    return seq;
  }

  depth(): number {
    return this.o.queue.depth(this.o.protocol);
  }

  /** Start or continue sending (link up, registration accepted, new message). */
  kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.rekick = true;
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.pumping = true;
    this.rekick = false;
    void this.pump().finally(() => {
      this.pumping = false;
      if (this.rekick) this.kick();
    });
  }

  /** The link went down: everything queued now counts as sent while offline (E11.FR.07). */
  linkLost(): void {
    this.o.queue.markAllOffline();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Resolves when the queue of this protocol is empty (tests, graceful stop). */
  whenEmpty(): Promise<void> {
    if (this.depth() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    const { queue, hooks, log } = this.o;
    while (!this.stopped && this.o.canSend()) {
      const msg = queue.head(this.o.protocol);
      if (!msg) {
        for (const w of this.idleWaiters.splice(0)) w();
        return;
      }
      const waitMs = msg.notBeforeMs - this.o.now();
      if (waitMs > 0) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.kick();
        }, waitMs);
        return;
      }
      let payload: Record<string, unknown> | null;
      try {
        payload = hooks.prepare(msg);
      } catch (err) {
        log.error({ err, seq: msg.seq, action: msg.action }, 'queued message cannot be prepared; dropping it');
        queue.removeWith(msg.seq, () => hooks.onDiscard(msg, 'cannot be prepared'));
        continue;
      }
      if (payload === null) {
        queue.remove(msg.seq);
        continue;
      }
      let response: unknown;
      try {
        response = await this.o.rpc.call(msg.action, payload);
      } catch (err) {
        if (err instanceof CallFailure && (err.kind === 'offline' || err.kind === 'closed')) {
          // Not a failure to process: the link is gone. Attempts are kept for when it is back.
          return;
        }
        if (err instanceof CallFailure && err.kind === 'invalidRequest') {
          log.error({ err, seq: msg.seq, action: msg.action }, 'queued message is not schema-valid; dropping it');
          queue.removeWith(msg.seq, () => hooks.onDiscard(msg, err.message));
          continue;
        }
        this.failedAttempt(msg, err as Error);
        continue;
      }
      queue.removeWith(msg.seq, () => hooks.onResult(msg, response));
      this.delivered += 1;
      try {
        hooks.afterResult?.(msg, response);
      } catch (err) {
        log.error({ err, seq: msg.seq, action: msg.action }, 'handling the answer to a queued message failed');
      }
    }
  }

  private failedAttempt(msg: QueuedMessage, err: Error): void {
    const { queue, hooks, log } = this.o;
    const made = msg.attempts + 1;
    const allowed = Math.max(1, hooks.attempts(msg));
    const reason = err instanceof RpcError ? `CALLERROR ${err.code}` : err instanceof CallFailure ? err.kind : err.message;
    if (made >= allowed) {
      log.warn({ seq: msg.seq, action: msg.action, attempts: made, reason }, 'giving up on a queued message');
      queue.removeWith(msg.seq, () => hooks.onDiscard(msg, reason));
      return;
    }
    const waitMs = hooks.retryIntervalS(msg) * 1000 * made;
    log.warn({ seq: msg.seq, action: msg.action, attempt: made, retryInMs: waitMs, reason }, 'queued message failed; will retry');
    queue.recordAttempt(msg.seq, this.o.now() + waitMs);
  }

  private enforceBound(): void {
    const max = this.o.maxMessages();
    let depth = this.o.queue.depth();
    while (depth >= max) {
      const dropped = this.o.queue.thin(this.o.thinnable, Math.max(2, depth));
      if (dropped === 0) {
        this.o.log.warn({ depth, max }, 'offline queue is over its bound with nothing left to thin; keeping everything');
        return;
      }
      this.o.log.warn({ dropped, depth }, 'offline queue full: dropped intermediate meter values');
      depth -= dropped;
    }
  }
}
