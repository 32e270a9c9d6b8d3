/**
 * Status reporting that survives reconnects: what was decided to be sent (for de-duplication)
 * and what the CSMS has acknowledged (for the re-sync after an outage, 1.6 R-O5 / 2.0.1 R-O13).
 *
 * Owns: the rule "report a status when it differs from the last one reported", ordering-safe
 * (a change back to an old status while a notification is in flight is still reported).
 * Must not: build messages (the adapter's `send` does) or decide when sending is allowed.
 */
import type { Logger } from 'pino';

export class StatusReporter<S> {
  private readonly delivered = new Map<number, S>();
  private readonly queued = new Map<number, S>();

  constructor(
    private readonly send: (key: number, status: S) => Promise<void>,
    private readonly same: (a: S | undefined, b: S) => boolean,
    private readonly log: Logger,
  ) {}

  /** Report `status` for `key` unless it equals the last one decided (or `force`). */
  report(key: number, status: S, force = false): void {
    if (!force && this.same(this.queued.get(key), status)) return;
    this.queued.set(key, status);
    this.send(key, status).then(
      () => this.delivered.set(key, status),
      (err: Error) => {
        this.log.warn({ err, key }, 'status notification not delivered');
        // Not delivered: make the next report or re-sync send the current status again.
        if (this.queued.get(key) === status) this.queued.delete(key);
      },
    );
  }

  /** After a reconnect: report every entry that differs from what was acknowledged (or all). */
  resync(entries: Iterable<[number, S]>, all: boolean): void {
    for (const [key, status] of entries) {
      if (all || !this.same(this.delivered.get(key), status)) this.report(key, status, true);
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
}
