/**
 * Persistent transaction records: one row per transaction, kept after it stops (for
 * `evsectl transactions` and GetTransactionStatus), plus the meter values collected for its
 * stop message.
 *
 * Owns: the `transactions` and `tx_meter_values` tables. Every write is a committed SQLite
 * transaction before the call returns (synchronous=FULL), so a record survives kill -9 and power
 * loss. Must not: decide when transactions start or stop (src/domain/transactions.ts does).
 */
import type { Db } from './db.js';

export interface TransactionRecord {
  /** evsed's own id (UUID v4); unique forever; the OCPP 2.0.1 transactionId. */
  id: string;
  connector: number;
  idTag: string;
  idTagType: string | null;
  group: string | null;
  reservationId: number | null;
  remoteStartId: number | null;
  startedAtMs: number;
  meterStartWh: number;
  /** OCPP 1.6 transactionId given by the CSMS ('-1' when StartTransaction was never delivered). */
  csmsId: string | null;
  state: 'active' | 'stopped';
  stoppedAtMs: number | null;
  meterStopWh: number | null;
  stopReason: string | null;
  lastMeterWh: number;
  lastMeterAtMs: number;
  /** Next OCPP 2.0.1 seqNo to use. */
  seqNo: number;
  /** Last authorization status the CSMS gave for idTag in this transaction. */
  authStatus: string | null;
}

interface Row {
  id: string;
  connector: number;
  id_tag: string;
  id_tag_type: string | null;
  group_id: string | null;
  reservation_id: number | null;
  remote_start_id: number | null;
  started_at: number;
  meter_start_wh: number;
  csms_id: string | null;
  state: 'active' | 'stopped';
  stopped_at: number | null;
  meter_stop_wh: number | null;
  stop_reason: string | null;
  last_meter_wh: number;
  last_meter_at: number;
  seq_no: number;
  auth_status: string | null;
}

function fromRow(r: Row): TransactionRecord {
  return {
    id: r.id,
    connector: r.connector,
    idTag: r.id_tag,
    idTagType: r.id_tag_type,
    group: r.group_id,
    reservationId: r.reservation_id,
    remoteStartId: r.remote_start_id,
    startedAtMs: r.started_at,
    meterStartWh: r.meter_start_wh,
    csmsId: r.csms_id,
    state: r.state,
    stoppedAtMs: r.stopped_at,
    meterStopWh: r.meter_stop_wh,
    stopReason: r.stop_reason,
    lastMeterWh: r.last_meter_wh,
    lastMeterAtMs: r.last_meter_at,
    seqNo: r.seq_no,
    authStatus: r.auth_status,
  };
}

export interface TransactionStore {
  insert(tx: Omit<TransactionRecord, 'state' | 'stoppedAtMs' | 'meterStopWh' | 'stopReason' | 'csmsId' | 'seqNo' | 'authStatus'>): TransactionRecord;
  get(id: string): TransactionRecord | undefined;
  active(): TransactionRecord[];
  activeOn(connector: number): TransactionRecord | undefined;
  recent(limit: number): TransactionRecord[];
  /** Remember the latest meter reading (for a stop after power loss). */
  touchMeter(id: string, energyWh: number, atMs: number): void;
  setCsmsId(id: string, csmsId: string): void;
  setAuthStatus(id: string, status: string): void;
  setRemoteStartId(id: string, remoteStartId: number): void;
  /** The card that authorized a transaction started without one. */
  setIdTag(id: string, idTag: string, group: string | null): void;
  /** Reserve `count` consecutive seqNo values; returns the first. */
  takeSeqNo(id: string, count?: number): number;
  stop(id: string, stop: { stoppedAtMs: number; meterStopWh: number; reason: string }): TransactionRecord;
  addMeterValue(id: string, value: unknown): void;
  meterValues<T = unknown>(id: string): T[];
  /** Delete stopped transactions older than `beforeMs`, keeping at least `keep` most recent. */
  prune(beforeMs: number, keep: number): number;
}

export function createTransactionStore(db: Db): TransactionStore {
  const insert = db.prepare(
    `INSERT INTO transactions (id, connector, id_tag, id_tag_type, group_id, reservation_id, remote_start_id, started_at,
       meter_start_wh, state, last_meter_wh, last_meter_at)
     VALUES (@id, @connector, @idTag, @idTagType, @group, @reservationId, @remoteStartId, @startedAtMs, @meterStartWh, 'active',
       @lastMeterWh, @lastMeterAtMs)`,
  );
  const byId = db.prepare<[string], Row>('SELECT * FROM transactions WHERE id = ?');
  const active = db.prepare<[], Row>("SELECT * FROM transactions WHERE state = 'active' ORDER BY started_at");
  const activeOn = db.prepare<[number], Row>("SELECT * FROM transactions WHERE state = 'active' AND connector = ? ORDER BY started_at DESC LIMIT 1");
  const recent = db.prepare<[number], Row>('SELECT * FROM transactions ORDER BY started_at DESC LIMIT ?');
  const touch = db.prepare('UPDATE transactions SET last_meter_wh = ?, last_meter_at = ? WHERE id = ?');
  const setCsms = db.prepare('UPDATE transactions SET csms_id = ? WHERE id = ?');
  const setAuth = db.prepare('UPDATE transactions SET auth_status = ? WHERE id = ?');
  const setRemote = db.prepare('UPDATE transactions SET remote_start_id = ? WHERE id = ?');
  const setTag = db.prepare('UPDATE transactions SET id_tag = ?, group_id = COALESCE(?, group_id) WHERE id = ?');
  const getSeq = db.prepare<[string], { seq_no: number }>('SELECT seq_no FROM transactions WHERE id = ?');
  const bumpSeq = db.prepare('UPDATE transactions SET seq_no = seq_no + ? WHERE id = ?');
  const stop = db.prepare(
    `UPDATE transactions SET state = 'stopped', stopped_at = ?, meter_stop_wh = ?, stop_reason = ?, last_meter_wh = ?, last_meter_at = ?
     WHERE id = ?`,
  );
  const addValue = db.prepare(
    `INSERT INTO tx_meter_values (tx_id, seq, value)
     VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM tx_meter_values WHERE tx_id = ?), ?)`,
  );
  const values = db.prepare<[string], { value: string }>('SELECT value FROM tx_meter_values WHERE tx_id = ? ORDER BY seq');
  const prune = db.prepare(
    `DELETE FROM transactions WHERE state = 'stopped' AND stopped_at < ?
       AND id NOT IN (SELECT id FROM transactions ORDER BY started_at DESC LIMIT ?)`,
  );
  const takeSeq = db.transaction((id: string, count: number) => {
    const row = getSeq.get(id);
    if (!row) throw new RangeError(`no transaction ${id}`);
    bumpSeq.run(count, id);
    return row.seq_no;
  });

  return {
    insert(tx) {
      insert.run({
        ...tx,
        idTagType: tx.idTagType,
        group: tx.group,
        reservationId: tx.reservationId,
        remoteStartId: tx.remoteStartId,
      });
      return fromRow(byId.get(tx.id)!);
    },
    get: (id) => {
      const r = byId.get(id);
      return r ? fromRow(r) : undefined;
    },
    active: () => active.all().map(fromRow),
    activeOn: (connector) => {
      const r = activeOn.get(connector);
      return r ? fromRow(r) : undefined;
    },
    recent: (limit) => recent.all(limit).map(fromRow),
    touchMeter: (id, energyWh, atMs) => void touch.run(energyWh, atMs, id),
    setCsmsId: (id, csmsId) => void setCsms.run(csmsId, id),
    setAuthStatus: (id, status) => void setAuth.run(status, id),
    setIdTag: (id, idTag, group) => void setTag.run(idTag, group, id),
    setRemoteStartId: (id, remoteStartId) => void setRemote.run(remoteStartId, id),
    takeSeqNo: (id, count = 1) => takeSeq(id, count),
    stop(id, s) {
      stop.run(s.stoppedAtMs, s.meterStopWh, s.reason, s.meterStopWh, s.stoppedAtMs, id);
      return fromRow(byId.get(id)!);
    },
    addMeterValue: (id, value) => void addValue.run(id, id, JSON.stringify(value)),
    meterValues: <T>(id: string) => values.all(id).map((r) => JSON.parse(r.value) as T),
    prune: (beforeMs, keep) => prune.run(beforeMs, keep).changes,
  };
}
