/**
 * Numbered schema migrations. Entry N (1-based) takes the database from version N-1 to N.
 * Never edit a migration that has shipped; add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: settings (configuration keys / variables and persisted station state)
  `CREATE TABLE settings (
     key        TEXT PRIMARY KEY,
     value      TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   ) STRICT;`,
];
