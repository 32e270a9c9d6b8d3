/**
 * Status reporting that survives reconnects: what was decided to be sent (for de-duplication)
 * and what the CSMS has acknowledged (for the re-sync after an outage, 1.6 R-O5 / 2.0.1 R-O13).
 *
 * Owns: the rule "report a status when it differs from the last one reported", ordering-safe (a
 * change back to an old status while a notification is in flight is still reported), and the
 * minimum status duration (1.6 MinimumStatusDuration: a status must be stable that long before
 * it is reported; a status that changes back in the meantime is never reported).
 * Must not: build messages (the adapter's `send` does) or decide when sending is allowed.
 */
import type { Logger } from 'pino';

export interface StatusReporterOptions<S> {
  send: (key: number, status: S) => Promise<void>;
  same: (a: S | undefined, b: S) => boolean;
  log: Logger;
  /** Stability required before reporting, ms (0 = report at once). */
  minDurationMs?: () => number;
}

export class StatusReporter<S> {
  private readonly delivered = new Map<number, S>();
  private readonly queued = new Map<number, S>();
  private readonly waiting = new Map<number, { status: S; timer: NodeJS.Timeout }>();

  constructor(private readonly o: StatusReporterOptions<S>) {}

  /** Report `status` for `key` unless it equals the last one decided (or `force`). */
  report(key: number, status: S, force = false): void {
    const pending = this.waiting.get(key);
    if (pending) {
      clearTimeout(pending.timer);
      this.waiting.delete(key);
    }
    if (!force && this.o.same(this.queued.get(key), status)) return;
    const minMs = force ? 0 : (this.o.minDurationMs?.() ?? 0);
    if (minMs > 0) {
      // Reported once stable; a change before then replaces it (see the top of report()).
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        if (!this.o.same(this.queued.get(key), status)) this.deliver(key, status);
      }, minMs);
      timer.unref();
      this.waiting.set(key, { status, timer });
      return;
    }
    this.deliver(key, status);
  }

  private deliver(key: number, status: S): void {
    this.queued.set(key, status);
    this.o.send(key, status).then(
      () => this.delivered.set(key, status),
      (err: Error) => {
        this.o.log.warn({ err, key }, 'status notification not delivered');
        // Not delivered: make the next report or re-sync send the current status again.
        if (this.queued.get(key) === status) this.queued.delete(key);
      },
    );
  }

  /** After a reconnect: report every entry that differs from what was acknowledged (or all). */
  resync(entries: Iterable<[number, S]>, all: boolean): void {
    for (const [key, status] of entries) {
      if (all || !this.o.same(this.delivered.get(key), status)) this.report(key, status, true);
      else this.queued.set(key, status);
    }
  }

  /** The link went down: in-flight notifications are lost; forget what was only queued. */
  linkLost(): void {
    this.queued.clear();
    for (const [k, v] of this.delivered) this.queued.set(k, v);
  }

  lastDelivered(key: number): S | undefined {
    return this.delivered.get(key);
  }

  dispose(): void {
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
  }
}
