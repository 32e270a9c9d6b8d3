/**
 * Event delivery of every board (sim, serial, can).
 *
 * Owns: the listener list and the delivery order. Events are delivered synchronously, in the
 * order they happen: an event emitted by a listener while another event is being delivered is
 * queued and delivered, to every listener, after the current one. A listener that throws does
 * not stop delivery to the others; the error goes to `onListenerError`, or, when none is given,
 * to a process warning (code EVSED_HAL_LISTENER) so it is never silent.
 *
 * Must not: filter, transform or drop events.
 */
import type { HalEvent, HalListener } from './types.js';

export type ListenerErrorHandler = (error: unknown, event: HalEvent) => void;

export class EventBus {
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
      this.reportListenerError(error, event);
    }
  }

  private reportListenerError(error: unknown, event: HalEvent): void {
    if (this.onListenerError) {
      try {
        this.onListenerError(error, event);
        return;
      } catch (handlerError) {
        error = new AggregateError([error, handlerError], 'onListenerError threw');
      }
    }
    const message = error instanceof Error ? error.message : String(error);
    process.emitWarning(`hal listener threw on ${event.type}: ${message}`, { code: 'EVSED_HAL_LISTENER' });
  }
}
