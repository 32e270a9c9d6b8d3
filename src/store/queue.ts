/**
 * The offline queue: OCPP messages that must reach the CSMS exactly in order (transaction
 * messages), written before they are sent and deleted when the CSMS has answered them.
 *
 * Owns: the `outbox` table — append, head of the line per protocol, retry bookkeeping, delete,
 * marking everything queued as sent-while-offline, and the size bound's thinning step.
 *
 * Durability: `append` commits with synchronous=FULL (on disk before it returns: a queued
 * message survives power loss). `remove` / `removeWith` commit with synchronous=NORMAL for speed
 * (a replay deletes hundreds of messages a second): they survive a crash of evsed (kill -9); the
 * write-ahead log is forced to disk at the next FULL commit and at the latest one second later,
 * so a power cut can at worst bring back messages the CSMS answered in that last second (sent
 * twice), never lose one. Must not: decide what to send or when.
 */
import type { Db } from './db.js';

export interface QueuedMessage {
  seq: number;
  protocol: string;
  action: string;
  /** What the message is, for the size policy: `start`, `stop`, `meter`, `event`, `update` … */
  kind: string;
  payload: Record<string, unknown>;
  /** Transaction the message belongs to (transactions.id), if any. */
  txId: string | null;
  attempts: number;
  /** Not to be sent before this time, ms since the epoch. */
  notBeforeMs: number;
  createdAtMs: number;
  /** The message was created, or waited in the queue, while the link was down. */
  offline: boolean;
}

interface Row {
  seq: number;
  protocol: string;
  action: string;
  kind: string;
  payload: string;
  tx_id: string | null;
  attempts: number;
  not_before: number;
  created_at: number;
  offline: number;
}

const fromRow = (r: Row): QueuedMessage => ({
  seq: r.seq,
  protocol: r.protocol,
  action: r.action,
  kind: r.kind,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  txId: r.tx_id,
  attempts: r.attempts,
  notBeforeMs: r.not_before,
  createdAtMs: r.created_at,
  offline: r.offline === 1,
});

export interface QueueStore {
  append(msg: { protocol: string; action: string; kind: string; payload: object; txId?: string | null; offline?: boolean; createdAtMs: number }): number;
  head(protocol: string): QueuedMessage | undefined;
  get(seq: number): QueuedMessage | undefined;
  remove(seq: number): void;
  /** Delete a message and run `also` in the same SQLite transaction (e.g. store the transactionId the answer carried). */
  removeWith(seq: number, also: () => void): void;
  recordAttempt(seq: number, notBeforeMs: number): void;
  updatePayload(seq: number, payload: object): void;
  markAllOffline(): number;
  depth(protocol?: string): number;
  oldestCreatedAtMs(): number | null;
  countsByKind(): Record<string, number>;
  list(limit: number): QueuedMessage[];
  /** Thinning step of the size bound: delete every other message of `kinds` among the oldest `window`; returns how many. */
  thin(kinds: readonly string[], window: number): number;
  hasTx(txId: string): boolean;
}

export function createQueueStore(db: Db): QueueStore {
  const append = db.prepare(
    `INSERT INTO outbox (protocol, action, kind, payload, tx_id, offline, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const nextRows = db.prepare<[string, number, number], Row>('SELECT * FROM outbox WHERE protocol = ? AND seq > ? ORDER BY seq LIMIT ?');
  const get = db.prepare<[number], Row>('SELECT * FROM outbox WHERE seq = ?');
  const del = db.prepare('DELETE FROM outbox WHERE seq = ?');
  const attempt = db.prepare('UPDATE outbox SET attempts = attempts + 1, not_before = ? WHERE seq = ?');
  const payload = db.prepare('UPDATE outbox SET payload = ? WHERE seq = ?');
  const offline = db.prepare('UPDATE outbox SET offline = 1 WHERE offline = 0');
  const depthAll = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox');
  const depthOf = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE protocol = ?');
  const oldest = db.prepare<[], { t: number | null }>('SELECT MIN(created_at) AS t FROM outbox');
  const kinds = db.prepare<[], { kind: string; n: number }>('SELECT kind, COUNT(*) AS n FROM outbox GROUP BY kind');
  const list = db.prepare<[number], Row>('SELECT * FROM outbox ORDER BY seq LIMIT ?');
  const hasTx = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE tx_id = ?');

  // Deletes only need to survive a crash of evsed at once; a power cut within a second (see header).
  let syncTimer: NodeJS.Timeout | null = null;
  const syncNormal = db.prepare('PRAGMA synchronous = NORMAL');
  const syncFull = db.prepare('PRAGMA synchronous = FULL');
  const relaxed = <T>(fn: () => T): T => {
    syncNormal.run();
    try {
      return fn();
    } finally {
      syncFull.run();
      if (!syncTimer) {
        syncTimer = setTimeout(() => {
          syncTimer = null;
          // A checkpoint writes the log into the database file and syncs it.
          if (db.open) db.pragma('wal_checkpoint(PASSIVE)');
        }, 1000);
        syncTimer.unref();
      }
    }
  };
  const removeWith = db.transaction((seq: number, also: () => void) => {
    also();
    del.run(seq);
  });
  // Head-of-line reads come in batches: a replay of a long queue would otherwise pay one SELECT per
  // message. The batch is dropped whenever rows change under it other than by removing its head.
  const PREFETCH = 64;
  let batch: QueuedMessage[] = [];
  let batchProtocol = '';
  const invalidate = () => {
    batch = [];
  };
  const dropFromBatch = (seq: number) => {
    if (batch[0]?.seq === seq) batch.shift();
    else invalidate();
  };

  return {
    append: (m) =>
      Number(
        append.run(m.protocol, m.action, m.kind, JSON.stringify(m.payload), m.txId ?? null, m.offline ? 1 : 0, m.createdAtMs)
          .lastInsertRowid,
      ),
    head: (protocol) => {
      if (batchProtocol !== protocol) {
        batchProtocol = protocol;
        invalidate();
      }
      if (batch.length === 0) batch = nextRows.all(protocol, 0, PREFETCH).map(fromRow);
      return batch[0];
    },
    get: (seq) => {
      const r = get.get(seq);
      return r ? fromRow(r) : undefined;
    },
    remove: (seq) => {
      relaxed(() => void del.run(seq));
      dropFromBatch(seq);
    },
    removeWith: (seq, also) => {
      relaxed(() => removeWith(seq, also));
      dropFromBatch(seq);
    },
    recordAttempt: (seq, notBeforeMs) => {
      attempt.run(notBeforeMs, seq);
      invalidate();
    },
    updatePayload: (seq, p) => {
      payload.run(JSON.stringify(p), seq);
      invalidate();
    },
    markAllOffline: () => {
      invalidate();
      return offline.run().changes;
    },
    depth: (protocol) => (protocol ? depthOf.get(protocol)!.n : depthAll.get()!.n),
    oldestCreatedAtMs: () => oldest.get()!.t,
    countsByKind: () => Object.fromEntries(kinds.all().map((r) => [r.kind, r.n])),
    list: (limit) => list.all(limit).map(fromRow),
    thin(kindsToThin, window) {
      if (kindsToThin.length === 0) return 0;
      const marks = kindsToThin.map(() => '?').join(',');
      const rows = db
        .prepare<unknown[], { seq: number }>(`SELECT seq FROM outbox WHERE kind IN (${marks}) ORDER BY seq LIMIT ?`)
        .all(...kindsToThin, window);
      // Drop the 1st, 3rd, 5th … (R-O8 / R-O12: intermediate values first; the newest are kept).
      const victims = rows.filter((_, i) => i % 2 === 0 && i < rows.length - 1);
      relaxed(() =>
        db.transaction(() => {
          for (const v of victims) del.run(v.seq);
        })(),
      );
      invalidate();
      return victims.length;
    },
    hasTx: (txId) => hasTx.get(txId)!.n > 0,
  };
}
