// Recording and waiting for the test CSMS: every frame both ways, connections, upgrade attempts.
// Owns: the recorded arrays, OCPP-J frame parsing for the record, waiters with timeouts, trace output.
// Must not: talk to sockets or decide answers (csms.ts / connection.ts do).

import { formatEvent, formatMessage } from './trace.js';
import type {
  ConnectionInfo, Direction, MessageType, RecordedMessage, UpgradeAttempt,
} from './types.js';

export interface ParsedFrame {
  type: MessageType;
  id: string;
  action: string;
  payload: any;
  errorCode?: string;
  errorDescription?: string;
}

/** Parses one text frame the way a reader of the trace wants it; never throws. */
export function parseFrame(raw: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { type: 'INVALID', id: '', action: '', payload: undefined };
  }
  if (!Array.isArray(value)) return { type: 'INVALID', id: '', action: '', payload: value };
  const [typeNumber, id, a, b, c] = value as unknown[];
  const idText = typeof id === 'string' ? id : '';
  if (typeNumber === 2 && typeof id === 'string' && typeof a === 'string' && value.length === 4) {
    return { type: 'CALL', id, action: a, payload: b };
  }
  if (typeNumber === 3 && typeof id === 'string' && value.length === 3) {
    return { type: 'CALLRESULT', id, action: '', payload: a };
  }
  if (typeNumber === 4 && typeof id === 'string' && typeof a === 'string' && value.length >= 4) {
    return {
      type: 'CALLERROR', id, action: '', payload: c,
      errorCode: a, errorDescription: typeof b === 'string' ? b : JSON.stringify(b),
    };
  }
  // Keep a readable action (e.g. a CALL with a missing payload) so its answer can be matched.
  const action = typeNumber === 2 && typeof a === 'string' ? a : '';
  return { type: 'INVALID', id: idText, action, payload: value };
}

interface Waiter {
  poll: () => void;
  fail: (error: Error) => void;
}

export class Recorder {
  readonly messages: RecordedMessage[] = [];
  readonly connections: ConnectionInfo[] = [];
  readonly upgrades: UpgradeAttempt[] = [];
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly log: ((line: string) => void) | undefined,
    readonly defaultTimeoutMs: number,
  ) {}

  add(message: Omit<RecordedMessage, 'seq'>): RecordedMessage {
    const recorded: RecordedMessage = { seq: this.messages.length, ...message };
    this.messages.push(recorded);
    this.log?.(formatMessage(recorded));
    this.notify();
    return recorded;
  }

  /** Marks a recorded message as refused by strict mode / framing checks. */
  markInvalid(message: RecordedMessage, reason: string): void {
    message.invalid = reason;
    this.log?.(formatEvent(Date.now(), `previous ${message.type} ${message.action} ${message.id} refused: ${reason}`));
  }

  event(text: string): void {
    this.log?.(formatEvent(Date.now(), text));
  }

  /** Re-evaluates every waiter; call after anything was recorded or changed. */
  notify(): void {
    for (const waiter of [...this.waiters]) waiter.poll();
  }

  /** Resolves with find()'s first defined value, checked now and after every notify(). */
  wait<T>(find: () => T | undefined, timeoutMs: number | undefined, describe: () => string): Promise<T> {
    const first = find();
    if (first !== undefined) return Promise.resolve(first);
    const ms = timeoutMs ?? this.defaultTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        poll: () => {
          const found = find();
          if (found === undefined) return;
          done();
          resolve(found);
        },
        fail: (error) => {
          done();
          reject(error);
        },
      };
      const timer = setTimeout(() => waiter.fail(new Error(`timed out after ${ms} ms: ${describe()}`)), ms);
      this.waiters.add(waiter);
    });
  }

  failAll(error: Error): void {
    for (const waiter of [...this.waiters]) waiter.fail(error);
  }

  /** The last messages from seq `since`, formatted, for timeout errors. */
  tail(since: number, count = 12): string {
    const recent = this.messages.slice(Math.max(since, this.messages.length - count));
    if (recent.length === 0) return '  (no messages recorded)';
    return recent.map((m) => `  ${formatMessage(m, { color: false, width: 200 })}`).join('\n');
  }
}

/** Per-connection bookkeeping: which action each message id belongs to, pending annotations. */
export class ConnectionRecorder {
  private readonly callsFromCs = new Map<string, string>();
  private readonly callsFromCsms = new Map<string, string>();
  /** Notes for outbound frames not sent yet, by message id. */
  private readonly pendingOutboundNotes = new Map<string, string>();
  private lastInbound: RecordedMessage | undefined;

  constructor(private readonly recorder: Recorder, readonly info: ConnectionInfo) {}

  frame(direction: Direction, raw: string): RecordedMessage {
    const parsed = parseFrame(raw);
    const fromCs = direction === 'cs→csms';
    let action = parsed.action;
    if (parsed.type === 'CALL' || (parsed.type === 'INVALID' && parsed.action !== '')) {
      (fromCs ? this.callsFromCs : this.callsFromCsms).set(parsed.id, parsed.action);
    } else if (parsed.type === 'CALLRESULT' || parsed.type === 'CALLERROR') {
      // A result travels the opposite way of the CALL it answers.
      action = (fromCs ? this.callsFromCsms : this.callsFromCs).get(parsed.id) ?? '';
    }
    const message: Omit<RecordedMessage, 'seq'> = {
      at: Date.now(),
      identity: this.info.identity,
      connection: this.info.index,
      direction,
      type: parsed.type,
      id: parsed.id,
      action,
      payload: parsed.payload,
      protocol: this.info.protocol,
      raw,
    };
    if (parsed.errorCode !== undefined) message.errorCode = parsed.errorCode;
    if (parsed.errorDescription !== undefined) message.errorDescription = parsed.errorDescription;
    if (!fromCs) {
      const note = this.pendingOutboundNotes.get(parsed.id);
      if (note !== undefined) {
        this.pendingOutboundNotes.delete(parsed.id);
        message.invalid = note;
      }
    }
    const recorded = this.recorder.add(message);
    if (fromCs) this.lastInbound = recorded;
    return recorded;
  }

  /** Strict mode refused an inbound CALL/CALLRESULT with this id (it was recorded just before). */
  markInbound(id: string, type: 'CALL' | 'CALLRESULT', reason: string): void {
    const match = this.findLast((m) => m.direction === 'cs→csms' && m.id === id && m.type === type);
    if (match) this.recorder.markInvalid(match, reason);
  }

  /** ocpp-rpc found the last inbound frame non-conforming (its 'badMessage' event). */
  markLastInbound(reason: string): void {
    if (this.lastInbound) this.recorder.markInvalid(this.lastInbound, reason);
  }

  /** The next outbound frame with this id carries the note (e.g. InternalError for a bad handler answer). */
  noteOutbound(id: string, reason: string): void {
    this.pendingOutboundNotes.set(id, reason);
  }

  /** The CS's reply (CALLRESULT/CALLERROR) to the CSMS CALL with this id, if recorded. */
  replyTo(id: string): RecordedMessage | undefined {
    return this.findLast((m) => m.direction === 'cs→csms' && m.id === id
      && (m.type === 'CALLRESULT' || m.type === 'CALLERROR'));
  }

  private findLast(predicate: (m: RecordedMessage) => boolean): RecordedMessage | undefined {
    const all = this.recorder.messages;
    for (let i = all.length - 1; i >= 0; i--) {
      const m = all[i];
      if (m && m.connection === this.info.index && predicate(m)) return m;
    }
    return undefined;
  }
}
