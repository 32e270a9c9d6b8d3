/**
 * Authorization storage: the authorization cache (table `auth_cache`) and the local authorization
 * list (table `local_list`, its version under the settings key `localList.version`). Times are ms
 * since the epoch; identifiers are stored exactly as given (src/domain/auth decides the key form).
 *
 * Owns: prepared statements, and the transactions that make a list update all-or-nothing (the
 * entries and the version change in ONE transaction, so a power cut leaves either the old list
 * with its old version or the new list with its new version).
 * Must not: decide anything — expiry, priority between list and cache, when to evict or how much,
 * what a version must be. src/domain/auth owns those rules.
 */
import type { Db } from './db.js';
import { createSettingsStore } from './settings.js';

/** Settings key holding the local list version (absent = never set = 0). */
export const LOCAL_LIST_VERSION_KEY = 'localList.version';

/** What is known about one identifier. `status` is an AuthStatus word (stored as text). */
export interface AuthRecord {
  status: string;
  /** Expiry of the information, ms since the epoch. */
  expiryMs?: number;
  /** Group identifier (1.6 parentIdTag, 2.0.1 groupIdToken). */
  group?: string;
}

export interface CacheRow extends AuthRecord {
  idTag: string;
  /** When the information was last written. */
  updatedAtMs: number;
  /** When the entry was last written or looked up (LRU order, lifetime). */
  lastUsedMs: number;
}

export interface ListRow extends AuthRecord {
  idTag: string;
}

/** One differential change: with `record` add or replace, without it remove. */
export interface ListChange {
  idTag: string;
  record?: AuthRecord;
}

export interface AuthStore {
  cacheGet(idTag: string): CacheRow | undefined;
  /** Insert or replace; sets updated_at and last_used to `nowMs`. */
  cachePut(idTag: string, record: AuthRecord, nowMs: number): void;
  /** Change the status only (e.g. to Expired), keeping times. */
  cacheSetStatus(idTag: string, status: string): void;
  /** Record a use: last_used = `nowMs`. */
  cacheTouch(idTag: string, nowMs: number): void;
  cacheDelete(idTag: string): void;
  /** Remove every entry; returns how many there were. */
  cacheClear(): number;
  cacheCount(): number;
  /** Remove entries last used before `cutoffMs`; returns how many. */
  cacheDeleteUsedBefore(cutoffMs: number): number;
  /**
   * Remove up to `count` entries: first those whose status is not Accepted or whose expiry is
   * before `nowMs`, then the others; least recently used first within each (ties by id).
   * Returns how many were removed.
   */
  cacheEvict(count: number, nowMs: number): number;
  /** Remove cache entries for identifiers present in the local list; returns how many. */
  cacheDeleteListed(): number;

  listGet(idTag: string): ListRow | undefined;
  listCount(): number;
  /** Every entry, ordered by identifier (diagnostics, tests). */
  listAll(): ListRow[];
  /** 0 when never set. */
  listVersion(): number;
  setListVersion(version: number): void;
  /** Replace the whole list and set its version, in one transaction. */
  listReplaceAll(entries: readonly ListRow[], version: number): void;
  /** Apply changes in order and set the version, in one transaction. */
  listApplyDifferential(changes: readonly ListChange[], version: number): void;
}

interface CacheDbRow {
  id_tag: string;
  status: string;
  expiry: number | null;
  group_id: string | null;
  updated_at: number;
  last_used: number;
}

interface ListDbRow {
  id_tag: string;
  status: string;
  expiry: number | null;
  group_id: string | null;
}

function record(row: { status: string; expiry: number | null; group_id: string | null }): AuthRecord {
  const r: AuthRecord = { status: row.status };
  if (row.expiry !== null) r.expiryMs = row.expiry;
  if (row.group_id !== null) r.group = row.group_id;
  return r;
}

export function createAuthStore(db: Db): AuthStore {
  const settings = createSettingsStore(db);

  const cacheGetStmt = db.prepare<[string], CacheDbRow>(
    'SELECT id_tag, status, expiry, group_id, updated_at, last_used FROM auth_cache WHERE id_tag = ?',
  );
  const cachePutStmt = db.prepare<[string, string, number | null, string | null, number, number]>(
    'INSERT INTO auth_cache (id_tag, status, expiry, group_id, updated_at, last_used) VALUES (?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT(id_tag) DO UPDATE SET status = excluded.status, expiry = excluded.expiry, ' +
      'group_id = excluded.group_id, updated_at = excluded.updated_at, last_used = excluded.last_used',
  );
  const cacheSetStatusStmt = db.prepare<[string, string]>('UPDATE auth_cache SET status = ? WHERE id_tag = ?');
  const cacheTouchStmt = db.prepare<[number, string]>('UPDATE auth_cache SET last_used = ? WHERE id_tag = ?');
  const cacheDeleteStmt = db.prepare<[string]>('DELETE FROM auth_cache WHERE id_tag = ?');
  const cacheClearStmt = db.prepare('DELETE FROM auth_cache');
  const cacheCountStmt = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM auth_cache');
  const cacheDeleteUsedBeforeStmt = db.prepare<[number]>('DELETE FROM auth_cache WHERE last_used < ?');
  const cacheEvictStmt = db.prepare<[number, number]>(
    'DELETE FROM auth_cache WHERE id_tag IN (SELECT id_tag FROM auth_cache ORDER BY ' +
      "CASE WHEN status <> 'Accepted' OR (expiry IS NOT NULL AND expiry < ?) THEN 0 ELSE 1 END, " +
      'last_used, id_tag LIMIT ?)',
  );
  const cacheDeleteListedStmt = db.prepare('DELETE FROM auth_cache WHERE id_tag IN (SELECT id_tag FROM local_list)');

  const listGetStmt = db.prepare<[string], ListDbRow>('SELECT id_tag, status, expiry, group_id FROM local_list WHERE id_tag = ?');
  const listCountStmt = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM local_list');
  const listAllStmt = db.prepare<[], ListDbRow>('SELECT id_tag, status, expiry, group_id FROM local_list ORDER BY id_tag');
  const listClearStmt = db.prepare('DELETE FROM local_list');
  const listPutStmt = db.prepare<[string, string, number | null, string | null]>(
    'INSERT INTO local_list (id_tag, status, expiry, group_id) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT(id_tag) DO UPDATE SET status = excluded.status, expiry = excluded.expiry, group_id = excluded.group_id',
  );
  const listDeleteStmt = db.prepare<[string]>('DELETE FROM local_list WHERE id_tag = ?');

  const setVersion = (version: number) => settings.set(LOCAL_LIST_VERSION_KEY, version);
  const putListEntry = (idTag: string, r: AuthRecord) => listPutStmt.run(idTag, r.status, r.expiryMs ?? null, r.group ?? null);

  const replaceAll = db.transaction((entries: readonly ListRow[], version: number) => {
    listClearStmt.run();
    for (const e of entries) putListEntry(e.idTag, e);
    setVersion(version);
  });
  const applyDifferential = db.transaction((changes: readonly ListChange[], version: number) => {
    for (const c of changes) {
      if (c.record) putListEntry(c.idTag, c.record);
      else listDeleteStmt.run(c.idTag);
    }
    setVersion(version);
  });

  return {
    cacheGet(idTag) {
      const row = cacheGetStmt.get(idTag);
      if (!row) return undefined;
      return { idTag: row.id_tag, ...record(row), updatedAtMs: row.updated_at, lastUsedMs: row.last_used };
    },
    cachePut(idTag, r, nowMs) {
      cachePutStmt.run(idTag, r.status, r.expiryMs ?? null, r.group ?? null, nowMs, nowMs);
    },
    cacheSetStatus(idTag, status) {
      cacheSetStatusStmt.run(status, idTag);
    },
    cacheTouch(idTag, nowMs) {
      cacheTouchStmt.run(nowMs, idTag);
    },
    cacheDelete(idTag) {
      cacheDeleteStmt.run(idTag);
    },
    cacheClear() {
      return cacheClearStmt.run().changes;
    },
    cacheCount() {
      return cacheCountStmt.get()!.n;
    },
    cacheDeleteUsedBefore(cutoffMs) {
      return cacheDeleteUsedBeforeStmt.run(cutoffMs).changes;
    },
    cacheEvict(count, nowMs) {
      if (count <= 0) return 0;
      return cacheEvictStmt.run(nowMs, count).changes;
    },
    cacheDeleteListed() {
      return cacheDeleteListedStmt.run().changes;
    },
    listGet(idTag) {
      const row = listGetStmt.get(idTag);
      return row ? { idTag: row.id_tag, ...record(row) } : undefined;
    },
    listCount() {
      return listCountStmt.get()!.n;
    },
    listAll() {
      return listAllStmt.all().map((row) => ({ idTag: row.id_tag, ...record(row) }));
    },
    listVersion() {
      return settings.get<number>(LOCAL_LIST_VERSION_KEY) ?? 0;
    },
    setListVersion(version) {
      setVersion(version);
    },
    listReplaceAll(entries, version) {
      replaceAll(entries, version);
    },
    listApplyDifferential(changes, version) {
      applyDifferential(changes, version);
    },
  };
}
