/**
 * Persistent key/value settings: OCPP configuration keys and device-model values the CSMS or a
 * technician changed, and small pieces of station state (availability). Values are JSON.
 *
 * Must not: validate values (src/domain/settings owns types and ranges); it only stores them.
 */
import type { Db } from './db.js';

export interface SettingsStore {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  all(): Map<string, unknown>;
}

export function createSettingsStore(db: Db, now: () => number = Date.now): SettingsStore {
  const getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const setStmt = db.prepare(
    'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ' +
      'ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  );
  const delStmt = db.prepare('DELETE FROM settings WHERE key = ?');
  const allStmt = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings ORDER BY key');
  return {
    get<T>(key: string): T | undefined {
      const row = getStmt.get(key);
      return row ? (JSON.parse(row.value) as T) : undefined;
    },
    set(key, value) {
      setStmt.run(key, JSON.stringify(value), now());
    },
    delete(key) {
      delStmt.run(key);
    },
    all() {
      return new Map(allStmt.all().map((r) => [r.key, JSON.parse(r.value) as unknown]));
    },
  };
}
