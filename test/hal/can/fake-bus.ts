/**
 * An in-memory CAN bus for tests: several CanChannel ends, with the semantics of SocketCAN
 * raw sockets on one interface.
 *
 * Owns: delivery — a frame sent on one end is received by every other open end, never by the
 * sender, asynchronously (a microtask after send returns), in the bus-wide sending order, each
 * receiver getting its own copy of the data — and test handles: a log of every frame on the
 * wire, an end whose transmit line is cut (`muted`: its frames are lost, as when evsed hangs or a
 * transceiver dies), an end whose sends fail (`failSends`: like a full transmit queue), and
 * injected channel errors.
 *
 * Must not: use timers (delivery needs no clock), reorder or merge frames.
 */
import { HalError } from '../../../hal/errors.js';
import { Listeners, checkFrame, formatId } from '../../../hal/can/channel.js';
import type { CanChannel, CanFrame } from '../../../hal/can/channel.js';

export interface WireFrame extends CanFrame {
  /** Name of the end that sent it. */
  from: string;
}

export class FakeBus {
  private readonly ends = new Set<FakeBusEnd>();
  private readonly queue: { from: FakeBusEnd; frame: CanFrame }[] = [];
  private draining = false;
  /** Every frame that reached the wire (muted ends' frames do not), in order. */
  readonly wire: WireFrame[] = [];

  /** A new end (a socket on the interface). */
  connect(name: string): FakeBusEnd {
    const end = new FakeBusEnd(name, this);
    this.ends.add(end);
    return end;
  }

  /** Frames on the wire with this id (optionally from one end). */
  framesWithId(id: number, from?: string): WireFrame[] {
    return this.wire.filter((f) => f.id === id && (from === undefined || f.from === from));
  }

  /** @internal called by an end */
  transmit(from: FakeBusEnd, frame: CanFrame): void {
    const copy: CanFrame = {
      id: frame.id,
      ext: frame.ext === true,
      rtr: frame.rtr === true,
      data: Buffer.from(frame.data),
    };
    this.wire.push({ ...copy, from: from.name });
    this.queue.push({ from, frame: copy });
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => this.drain());
    }
  }

  /** @internal */
  detach(end: FakeBusEnd): void {
    this.ends.delete(end);
  }

  private drain(): void {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      for (const end of this.ends) {
        if (end !== next.from) end.deliver({ ...next.frame, data: Buffer.from(next.frame.data) });
      }
    }
    this.draining = false;
  }
}

export class FakeBusEnd implements CanChannel {
  /** Frames sent while muted are lost (send succeeds, nothing reaches the wire). */
  muted = false;
  /** Sends throw HalError 'timeout' like a full transmit queue. */
  failSends = false;
  private open = true;
  private readonly frames = new Listeners<CanFrame>();
  private readonly errors = new Listeners<HalError>();

  constructor(
    readonly name: string,
    private readonly bus: FakeBus,
  ) {}

  send(frame: CanFrame): void {
    if (!this.open) throw new HalError('stopped', `${this.name}: channel closed`);
    checkFrame(frame);
    if (this.failSends)
      throw new HalError('timeout', `${this.name}: frame ${formatId(frame.id)} not queued (fake: transmit queue full)`);
    if (this.muted) return;
    this.bus.transmit(this, frame);
  }

  onFrame(listener: (frame: CanFrame) => void): () => void {
    return this.frames.add(listener);
  }

  onError(listener: (error: HalError) => void): () => void {
    return this.errors.add(listener);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.bus.detach(this);
  }

  isOpen(): boolean {
    return this.open;
  }

  /** The kernel hangs up the socket (interface down or removed): closed, with an error. */
  hangUp(): void {
    this.close();
    this.errors.emit(new HalError('interfaceMissing', `${this.name}: the kernel closed the CAN socket`), 'error');
  }

  /** Report a channel error (a bus error frame, a lost interface) to the listeners. */
  injectError(error: HalError): void {
    this.errors.emit(error, 'error');
  }

  /** @internal called by the bus */
  deliver(frame: CanFrame): void {
    if (this.open) this.frames.emit(frame, 'frame');
  }
}
