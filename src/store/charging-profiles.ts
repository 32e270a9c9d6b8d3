/**
 * Persistent charging profiles: installed profiles survive restarts and power loss and apply
 * offline (16-E 3.37, K01.FR.27, OCTT TC_K_13_CS).
 *
 * Owns the `charging_profiles` table: one row per installed profile, the whole profile as JSON
 * plus the columns profiles are found and cleared by (id, connector, purpose, stack level,
 * transaction). Every write is a committed SQLite transaction before the call returns
 * (synchronous=FULL); `replace` removes the replaced profiles and adds the new one atomically.
 * Must not: decide what replaces what or whether a profile is acceptable
 * (src/domain/smart-charging/validate.ts does). The profile type is the caller's: this store only
 * needs the keys below, so it does not depend on the domain.
 */
import type { Db } from './db.js';

/** The fields a stored profile is looked up by. */
export interface StoredProfileKeys {
  id: number;
  /** 0 = the whole station, else the flat connector id. */
  connector: number;
  purpose: string;
  stackLevel: number;
  transactionId?: string;
}

/** Fields to match, all given ones must match (logical AND); empty = every profile. */
export interface ProfileFilter {
  id?: number;
  connector?: number;
  purpose?: string;
  stackLevel?: number;
  transactionId?: string;
}

export interface ChargingProfileStore<P extends StoredProfileKeys> {
  /** Insert, or overwrite the profile with the same id. */
  put(profile: P): void;
  /** Remove `removeIds` and put `profile`, in one SQLite transaction. */
  replace(profile: P, removeIds: readonly number[]): void;
  get(id: number): P | undefined;
  /** Matching profiles, by id. */
  list(filter?: ProfileFilter): P[];
  remove(id: number): boolean;
  /** Remove the matching profiles; returns them. */
  removeWhere(filter: ProfileFilter): P[];
  count(): number;
}

interface Row {
  profile: string;
}

function where(filter: ProfileFilter): { sql: string; args: Array<number | string> } {
  const parts: string[] = [];
  const args: Array<number | string> = [];
  const add = (column: string, value: number | string | undefined) => {
    if (value === undefined) return;
    parts.push(`${column} = ?`);
    args.push(value);
  };
  add('id', filter.id);
  add('connector', filter.connector);
  add('purpose', filter.purpose);
  add('stack_level', filter.stackLevel);
  add('transaction_id', filter.transactionId);
  return { sql: parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '', args };
}

export function createChargingProfileStore<P extends StoredProfileKeys>(
  db: Db,
  now: () => number = Date.now,
): ChargingProfileStore<P> {
  const putStmt = db.prepare(
    `INSERT INTO charging_profiles (id, connector, purpose, stack_level, transaction_id, profile, installed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET connector = excluded.connector, purpose = excluded.purpose,
       stack_level = excluded.stack_level, transaction_id = excluded.transaction_id,
       profile = excluded.profile, installed_at = excluded.installed_at`,
  );
  const delStmt = db.prepare('DELETE FROM charging_profiles WHERE id = ?');
  const getStmt = db.prepare<[number], Row>('SELECT profile FROM charging_profiles WHERE id = ?');
  const countStmt = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM charging_profiles');
  const parse = (r: Row): P => JSON.parse(r.profile) as P;
  const put = (p: P) =>
    void putStmt.run(p.id, p.connector, p.purpose, p.stackLevel, p.transactionId ?? null, JSON.stringify(p), now());
  const list = (filter: ProfileFilter = {}): P[] => {
    const w = where(filter);
    return db
      .prepare<Array<number | string>, Row>(`SELECT profile FROM charging_profiles${w.sql} ORDER BY id`)
      .all(...w.args)
      .map(parse);
  };
  const replaceTx = db.transaction((p: P, removeIds: readonly number[]) => {
    for (const id of removeIds) delStmt.run(id);
    put(p);
  });
  const removeWhereTx = db.transaction((filter: ProfileFilter): P[] => {
    const found = list(filter);
    for (const p of found) delStmt.run(p.id);
    return found;
  });
  return {
    put,
    replace: (p, removeIds) => replaceTx(p, removeIds),
    get(id) {
      const r = getStmt.get(id);
      return r ? parse(r) : undefined;
    },
    list,
    remove: (id) => delStmt.run(id).changes > 0,
    removeWhere: (filter) => removeWhereTx(filter),
    count: () => countStmt.get()!.n,
  };
}
