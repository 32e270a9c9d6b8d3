/**
 * Persistent reservations (1.6 ReserveNow / 2.0.1 H01): they survive restarts (B01.FR.13).
 * Owns the `reservations` table. Must not: decide whether a reservation is possible.
 */
import type { Db } from './db.js';

export interface Reservation {
  id: number;
  /** Flat connector number; 0 = any connector of the station (1.6 connector 0 / 2.0.1 no EVSE). */
  connector: number;
  token: string;
  group: string | null;
  expiryMs: number;
}

interface Row {
  id: number;
  connector: number;
  id_tag: string;
  group_id: string | null;
  expiry: number;
}

const fromRow = (r: Row): Reservation => ({ id: r.id, connector: r.connector, token: r.id_tag, group: r.group_id, expiryMs: r.expiry });

export interface ReservationStore {
  put(r: Reservation): void;
  remove(id: number): boolean;
  get(id: number): Reservation | undefined;
  all(): Reservation[];
}

export function createReservationStore(db: Db): ReservationStore {
  const put = db.prepare(
    `INSERT INTO reservations (id, connector, id_tag, group_id, expiry) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET connector = excluded.connector, id_tag = excluded.id_tag, group_id = excluded.group_id, expiry = excluded.expiry`,
  );
  const del = db.prepare('DELETE FROM reservations WHERE id = ?');
  const get = db.prepare<[number], Row>('SELECT * FROM reservations WHERE id = ?');
  const all = db.prepare<[], Row>('SELECT * FROM reservations ORDER BY id');
  return {
    put: (r) => void put.run(r.id, r.connector, r.token, r.group, r.expiryMs),
    remove: (id) => del.run(id).changes > 0,
    get: (id) => {
      const r = get.get(id);
      return r ? fromRow(r) : undefined;
    },
    all: () => all.all().map(fromRow),
  };
}
