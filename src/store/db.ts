/**
 * The evsed database: one SQLite file (better-sqlite3) in the data directory.
 *
 * Owns: opening the file with settings that survive power loss (WAL journal, synchronous=FULL,
 * so a committed write is on disk before the call returns), and the numbered migrations that
 * build and evolve the schema. Each migration runs in its own transaction and is recorded in
 * `user_version`, so a crash mid-migration leaves the previous version intact.
 *
 * Must not: hold business rules. Stores (settings, queue, transactions …) own their tables.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export class StoreError extends Error {
  readonly code: 'EVSED_STORE_OPEN' | 'EVSED_STORE_NEWER';
  constructor(code: StoreError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

export const DB_FILE = 'evsed.db';

/** Open (creating if needed) the database in `dataDir` and bring its schema up to date. */
export function openDatabase(dataDir: string): Db {
  let db: Db;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o750 });
    db = new Database(path.join(dataDir, DB_FILE));
  } catch (err) {
    throw new StoreError('EVSED_STORE_OPEN', `cannot open database in ${dataDir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit, so an acknowledged write survives a power cut.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db): void {
  const current = schemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new StoreError(
      'EVSED_STORE_NEWER',
      `database schema version ${current} is newer than this evsed understands (${MIGRATIONS.length})`,
    );
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version += 1) {
    const sql = MIGRATIONS[version - 1]!;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
