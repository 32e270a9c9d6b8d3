/**
 * RAPI transport over one serial port: commands out, replies matched, async messages up.
 *
 * Owns: the command queue (one exchange at a time; a priority lane jumps the queue and, when
 * sequence ids are on, is written at once beside the exchange in flight, replies being told
 * apart by their id), per-attempt reply timeouts and retries (a fresh sequence id per attempt,
 * so a late reply to an earlier attempt is discarded), the line framing, and the counters of
 * everything discarded: junk, garbled lines (bad or missing checksum, malformed), overflows,
 * replies nobody waits for. Without sequence ids a reply belongs to the single exchange in
 * flight. `$NK` is a reply, not an error: the caller decides what a refusal means.
 *
 * Must not: know what commands mean, interpret states, retry on `$NK`.
 */
import { HalError } from '../../errors.js';
import type { HalClock } from '../../types.js';
import { LineSplitter } from '../lines.js';
import type { ByteChannel } from '../port.js';
import { encodeRapi, isAsyncFrame, isReplyFrame, parseRapiLine } from './protocol.js';
import type { RapiFrame, RapiGarbleReason } from './protocol.js';

export interface RapiClientOptions {
  /** How long one attempt waits for `$OK`/`$NK`, ms. */
  replyTimeoutMs: number;
  /** Attempts after the first one before a command fails with HalError 'timeout'. */
  retries: number;
  /** Accept lines without checksum (RAPI < 2.0.0). */
  allowMissingChecksum: boolean;
  clock: HalClock;
}

export interface RapiReply {
  ok: boolean;
  params: string[];
  /** Arrival order among every valid frame of this client (replies resolve asynchronously, so
   * a later async frame may be handled first: compare orders to keep the newest state). */
  order: number;
}

export interface SendOptions {
  /** Jump the queue of normal commands (priority commands keep their order among themselves). */
  priority?: boolean;
  /** Override the configured retries for this command. */
  retries?: number;
}

export interface RapiCounters {
  commands: number;
  retries: number;
  timeouts: number;
  linesIn: number;
  asyncMessages: number;
  garbled: Record<RapiGarbleReason, number>;
  junkBytes: number;
  overflowBytes: number;
  /** Replies that matched no command waiting (late, duplicated, or echoed). */
  unmatchedReplies: number;
  /** Frames that are neither replies nor async messages (e.g. echoed commands). */
  unexpectedFrames: number;
}

interface Pending {
  code: string;
  params: readonly (string | number)[];
  priority: boolean;
  attemptsLeft: number;
  seqId: number | null;
  timer: { cancel(): void } | null;
  resolve(reply: RapiReply): void;
  reject(error: Error): void;
}

const MAX_LINE_BYTES = 128;

export class RapiClient {
  private readonly queue: Pending[] = [];
  private readonly inFlight: Pending[] = [];
  private useSeqIds = false;
  private lastSeqId = 0;
  private closed = false;
  private readonly splitter: LineSplitter;
  private readonly asyncListeners = new Set<(frame: RapiFrame, order: number) => void>();
  private frames = 0;
  private readonly aliveListeners = new Set<() => void>();
  private readonly silentListeners = new Set<(detail: string) => void>();
  private readonly stats: RapiCounters = {
    commands: 0,
    retries: 0,
    timeouts: 0,
    linesIn: 0,
    asyncMessages: 0,
    garbled: { noStart: 0, badChecksum: 0, missingChecksum: 0, malformed: 0 },
    junkBytes: 0,
    overflowBytes: 0,
    unmatchedReplies: 0,
    unexpectedFrames: 0,
  };
  private readonly offData: () => void;

  constructor(
    private readonly channel: ByteChannel,
    private readonly options: RapiClientOptions,
  ) {
    this.splitter = new LineSplitter({
      maxLength: MAX_LINE_BYTES,
      onLine: (line) => this.onLine(line),
      onOverflow: (bytes) => (this.stats.overflowBytes += bytes),
    });
    this.offData = channel.onData((bytes) => this.splitter.push(bytes));
  }

  get path(): string {
    return this.channel.path;
  }

  /** Sequence ids are used from the next attempt on (RAPI ≥ 3.0.0). */
  setSequenceIds(on: boolean): void {
    this.useSeqIds = on;
  }

  sequenceIds(): boolean {
    return this.useSeqIds;
  }

  counters(): RapiCounters {
    return { ...this.stats, garbled: { ...this.stats.garbled } };
  }

  /** Send `$code params…`; resolves with the reply (`ok` false for `$NK`). Rejects HalError
   * 'timeout' when no reply came after all attempts, 'portUnavailable' when the port is not
   * open (no retry), 'stopped' after close(). */
  send(code: string, params: readonly (string | number)[] = [], options: SendOptions = {}): Promise<RapiReply> {
    if (this.closed) return Promise.reject(new HalError('stopped', `${this.path}: RAPI client closed`));
    return new Promise<RapiReply>((resolve, reject) => {
      const pending: Pending = {
        code,
        params,
        priority: options.priority ?? false,
        attemptsLeft: 1 + Math.max(0, options.retries ?? this.options.retries),
        seqId: null,
        timer: null,
        resolve,
        reject,
      };
      if (pending.priority) {
        const firstNormal = this.queue.findIndex((p) => !p.priority);
        this.queue.splice(firstNormal < 0 ? this.queue.length : firstNormal, 0, pending);
      } else {
        this.queue.push(pending);
      }
      this.pump();
    });
  }

  /** Commands queued or in flight. */
  busy(): number {
    return this.queue.length + this.inFlight.length;
  }

  onAsync(listener: (frame: RapiFrame, order: number) => void): () => void {
    this.asyncListeners.add(listener);
    return () => this.asyncListeners.delete(listener);
  }

  /** Any valid frame arrived. */
  onAlive(listener: () => void): () => void {
    this.aliveListeners.add(listener);
    return () => this.aliveListeners.delete(listener);
  }

  /** A command went unanswered through all its attempts. */
  onSilent(listener: (detail: string) => void): () => void {
    this.silentListeners.add(listener);
    return () => this.silentListeners.delete(listener);
  }

  /** Drop a partial line (the port was reopened: what came before is not a frame). */
  resetFraming(): void {
    this.stats.junkBytes += this.splitter.reset();
  }

  /** Fail everything waiting with `error` (the port was lost), keep the client usable. */
  failAll(error: HalError): void {
    for (const p of [...this.inFlight, ...this.queue]) {
      p.timer?.cancel();
      p.reject(error);
    }
    this.inFlight.length = 0;
    this.queue.length = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.offData();
    this.failAll(new HalError('stopped', `${this.path}: RAPI client closed`));
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private pump(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (!next) return;
      const canPipeline = this.useSeqIds && next.priority && this.inFlight.every((p) => !p.priority);
      if (this.inFlight.length > 0 && !canPipeline) return;
      this.queue.shift();
      this.inFlight.push(next);
      this.attempt(next);
    }
  }

  private nextSeqId(): number {
    this.lastSeqId = this.lastSeqId >= 255 ? 1 : this.lastSeqId + 1;
    return this.lastSeqId;
  }

  private attempt(p: Pending): void {
    p.attemptsLeft--;
    p.seqId = this.useSeqIds ? this.nextSeqId() : null;
    let line: string;
    try {
      line = encodeRapi(p.code, p.params, p.seqId);
    } catch (error) {
      this.finish(p);
      p.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.stats.commands++;
    p.timer = this.options.clock.setTimeout(() => this.onTimeout(p), this.options.replyTimeoutMs);
    this.channel.write(line).catch((error: unknown) => {
      if (!this.inFlight.includes(p)) return;
      this.finish(p);
      p.reject(error instanceof HalError ? error : new HalError('portUnavailable', `${this.path}: ${String(error)}`));
    });
  }

  private onTimeout(p: Pending): void {
    p.timer = null;
    if (!this.inFlight.includes(p)) return;
    if (p.attemptsLeft > 0) {
      this.stats.retries++;
      this.attempt(p);
      return;
    }
    this.stats.timeouts++;
    this.finish(p);
    const detail = `${this.path}: $${p.code} not answered (${this.options.replyTimeoutMs} ms per attempt)`;
    p.reject(new HalError('timeout', detail));
    for (const listener of [...this.silentListeners]) listener(detail);
  }

  /** Take `p` out of flight and let the queue move. */
  private finish(p: Pending): void {
    p.timer?.cancel();
    p.timer = null;
    const i = this.inFlight.indexOf(p);
    if (i >= 0) this.inFlight.splice(i, 1);
    this.pump();
  }

  private onLine(line: string): void {
    this.stats.linesIn++;
    const parsed = parseRapiLine(line, this.options.allowMissingChecksum);
    this.stats.junkBytes += parsed.junkBytes;
    if (!parsed.ok) {
      this.stats.garbled[parsed.reason]++;
      return;
    }
    const { frame } = parsed;
    const order = ++this.frames;
    for (const listener of [...this.aliveListeners]) listener();
    if (isReplyFrame(frame)) {
      this.onReply(frame, order);
    } else if (isAsyncFrame(frame)) {
      this.stats.asyncMessages++;
      for (const listener of [...this.asyncListeners]) listener(frame, order);
    } else {
      this.stats.unexpectedFrames++;
    }
  }

  private onReply(frame: RapiFrame, order: number): void {
    const p =
      frame.seqId !== null
        ? this.inFlight.find((q) => q.seqId === frame.seqId)
        : this.inFlight.length === 1 && this.inFlight[0]?.seqId === null
          ? this.inFlight[0]
          : undefined;
    if (!p) {
      this.stats.unmatchedReplies++;
      return;
    }
    this.finish(p);
    p.resolve({ ok: frame.code === 'OK', params: frame.params, order });
  }
}
