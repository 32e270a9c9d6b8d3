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
  // 2: transactions, the offline queue, authorization (cache, local list), reservations
  `CREATE TABLE transactions (
     id              TEXT PRIMARY KEY,
     connector       INTEGER NOT NULL,
     id_tag          TEXT NOT NULL,
     id_tag_type     TEXT,
     group_id        TEXT,
     reservation_id  INTEGER,
     remote_start_id INTEGER,
     started_at      INTEGER NOT NULL,
     meter_start_wh  REAL NOT NULL,
     csms_id         TEXT,
     state           TEXT NOT NULL CHECK (state IN ('active', 'stopped')),
     stopped_at      INTEGER,
     meter_stop_wh   REAL,
     stop_reason     TEXT,
     last_meter_wh   REAL NOT NULL,
     last_meter_at   INTEGER NOT NULL,
     seq_no          INTEGER NOT NULL DEFAULT 0,
     auth_status     TEXT
   ) STRICT;
   CREATE INDEX transactions_by_state ON transactions (state, connector);
   CREATE INDEX transactions_by_start ON transactions (started_at);

   CREATE TABLE outbox (
     seq        INTEGER PRIMARY KEY AUTOINCREMENT,
     protocol   TEXT NOT NULL,
     action     TEXT NOT NULL,
     kind       TEXT NOT NULL,
     payload    TEXT NOT NULL,
     tx_id      TEXT,
     attempts   INTEGER NOT NULL DEFAULT 0,
     not_before INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     offline    INTEGER NOT NULL DEFAULT 0
   ) STRICT;
   CREATE INDEX outbox_by_protocol ON outbox (protocol, seq);

   CREATE TABLE tx_meter_values (
     tx_id TEXT NOT NULL REFERENCES transactions (id) ON DELETE CASCADE,
     seq   INTEGER NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (tx_id, seq)
   ) STRICT;

   CREATE TABLE auth_cache (
     id_tag     TEXT PRIMARY KEY,
     status     TEXT NOT NULL,
     expiry     INTEGER,
     group_id   TEXT,
     updated_at INTEGER NOT NULL,
     last_used  INTEGER NOT NULL
   ) STRICT;

   CREATE TABLE local_list (
     id_tag   TEXT PRIMARY KEY,
     status   TEXT NOT NULL,
     expiry   INTEGER,
     group_id TEXT
   ) STRICT;

   CREATE TABLE reservations (
     id        INTEGER PRIMARY KEY,
     connector INTEGER NOT NULL,
     id_tag    TEXT NOT NULL,
     group_id  TEXT,
     expiry    INTEGER NOT NULL
   ) STRICT;`,
  // 3: OCPP 2.0.1 device model values that are not station settings (src/store/device-model.ts)
  `CREATE TABLE device_model_values (
     component          TEXT NOT NULL,
     component_instance TEXT NOT NULL DEFAULT '',
     evse_id            INTEGER NOT NULL DEFAULT 0,
     connector_id       INTEGER NOT NULL DEFAULT 0,
     variable           TEXT NOT NULL,
     variable_instance  TEXT NOT NULL DEFAULT '',
     attribute          TEXT NOT NULL CHECK (attribute IN ('Actual', 'Target', 'MinSet', 'MaxSet')),
     value              TEXT NOT NULL,
     updated_at         INTEGER NOT NULL,
     PRIMARY KEY (component, component_instance, evse_id, connector_id, variable, variable_instance, attribute)
   ) STRICT;`,
  // 4: charging profiles (src/store/charging-profiles.ts); the profile itself is JSON, the
  // columns are what profiles are looked up and cleared by.
  `CREATE TABLE charging_profiles (
     id             INTEGER PRIMARY KEY,
     connector      INTEGER NOT NULL,
     purpose        TEXT NOT NULL,
     stack_level    INTEGER NOT NULL,
     transaction_id TEXT,
     profile        TEXT NOT NULL,
     installed_at   INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX charging_profiles_by_scope ON charging_profiles (connector, purpose, stack_level);
   CREATE INDEX charging_profiles_by_tx ON charging_profiles (transaction_id);`,
];
