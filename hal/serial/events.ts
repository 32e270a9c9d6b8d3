/**
 * Event delivery and fault bookkeeping of the serial board.
 *
 * Owns: the listener list (events delivered synchronously, in order; an event emitted while
 * another is delivered is queued behind it; a throwing listener never stops delivery — its
 * error goes to `onListenerError`, else to a process warning EVSED_HAL_LISTENER), and the
 * FaultBook: a fault code may be held by several sources at once (the controller's state, the
 * contactor supervision, the link, the meter); `hal.faultRaised` goes out when the first source
 * raises it, `hal.faultCleared` when the last one lets go.
 *
 * Must not: filter or transform events.
 */
import { FAULT_CODES } from '../types.js';
import type { FaultCode, HalEvent, HalListener } from '../types.js';

export type ListenerErrorHandler = (error: unknown, event: HalEvent) => void;

export class SerialEventBus {
  private listeners: HalListener[] = [];
  private readonly queue: HalEvent[] = [];
  private delivering = false;

  constructor(private readonly onListenerError?: ListenerErrorHandler) {}

  on(listener: HalListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(event: HalEvent): void {
    this.queue.push(event);
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        for (const listener of this.listeners) this.deliver(listener, next);
      }
    } finally {
      this.delivering = false;
    }
  }

  private deliver(listener: HalListener, event: HalEvent): void {
    try {
      listener(event);
    } catch (error) {
      if (this.onListenerError) {
        this.onListenerError(error, event);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      process.emitWarning(`hal listener threw on ${event.type}: ${message}`, { code: 'EVSED_HAL_LISTENER' });
    }
  }
}

/** Who holds a fault. */
export type FaultSource = 'controller' | 'feedback' | 'link' | 'meter';

export class FaultBook {
  private readonly held = new Map<FaultCode, Set<FaultSource>>();

  constructor(
    private readonly connector: number,
    private readonly emit: (event: HalEvent) => void,
  ) {}

  raise(code: FaultCode, source: FaultSource, detail?: string): void {
    const sources = this.held.get(code);
    if (sources) {
      sources.add(source);
      return;
    }
    this.held.set(code, new Set([source]));
    this.emit(
      detail === undefined
        ? { type: 'hal.faultRaised', connector: this.connector, code }
        : { type: 'hal.faultRaised', connector: this.connector, code, detail },
    );
  }

  clear(code: FaultCode, source: FaultSource): void {
    const sources = this.held.get(code);
    if (!sources || !sources.delete(source)) return;
    if (sources.size > 0) return;
    this.held.delete(code);
    this.emit({ type: 'hal.faultCleared', connector: this.connector, code });
  }

  /** Make `source` hold exactly `codes` (raising and clearing the difference). */
  set(source: FaultSource, codes: readonly FaultCode[], detail?: string): void {
    for (const [code, sources] of [...this.held]) {
      if (sources.has(source) && !codes.includes(code)) this.clear(code, source);
    }
    for (const code of codes) this.raise(code, source, detail);
  }

  has(code: FaultCode, source?: FaultSource): boolean {
    const sources = this.held.get(code);
    return sources !== undefined && (source === undefined || sources.has(source));
  }

  codes(): FaultCode[] {
    return FAULT_CODES.filter((code) => this.held.has(code));
  }
}
