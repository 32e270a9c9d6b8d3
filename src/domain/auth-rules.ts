/**
 * Pure authorization rules shared by AuthService: how identifiers are compared, what stored
 * information means at a given time, and whether a SendLocalList update may be applied.
 *
 * Owns: identifier keys (case-insensitive), the expiry rule, and the checks on a local list
 * update (version, sizes, duplicates, missing information) with the status they answer.
 * Must not: read or write storage, settings or the clock (everything comes in as arguments).
 */
import type { AuthRecord, ListChange, ListRow } from '../store/auth.js';
import type { AuthInfo, AuthStatus } from './auth-types.js';

export const AUTH_STATUSES: readonly AuthStatus[] = [
  'Accepted',
  'Blocked',
  'ConcurrentTx',
  'Expired',
  'Invalid',
  'NoCredit',
  'NotAllowedTypeEVSE',
  'NotAtThisLocation',
  'NotAtThisTime',
  'Unknown',
];
const STATUS_SET: ReadonlySet<string> = new Set(AUTH_STATUSES);

export function isAuthStatus(s: string): s is AuthStatus {
  return STATUS_SET.has(s);
}

/**
 * The key an identifier (or group identifier) is stored and compared under. OCPP identifiers are
 * case-insensitive (1.6 IdToken = CiString20Type, 16 §7.15; 2.0.1 IdTokenType.idToken "is case
 * insensitive"), so `04a1b2c3` and `04A1B2C3` are the same card.
 */
export function authKey(token: string): string {
  return token.toUpperCase();
}

export function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && authKey(a) === authKey(b);
}

/**
 * What stored information means at `nowMs`: an Accepted entry whose expiry has passed
 * (expiryMs < nowMs) counts as Expired [16 §3.5.1, §3.5.4; C10.FR.13; C14.FR.05]. An unreadable
 * status counts as Invalid (never as Accepted).
 */
export function effectiveInfo(r: AuthRecord, nowMs: number): AuthInfo {
  let status: AuthStatus = isAuthStatus(r.status) ? r.status : 'Invalid';
  if (status === 'Accepted' && r.expiryMs !== undefined && r.expiryMs < nowMs) status = 'Expired';
  const info: AuthInfo = { status };
  if (r.expiryMs !== undefined) info.expiryMs = r.expiryMs;
  if (r.group !== undefined) info.group = r.group;
  return info;
}

export function toRecord(info: AuthInfo): AuthRecord {
  const r: AuthRecord = { status: info.status };
  if (info.expiryMs !== undefined) r.expiryMs = info.expiryMs;
  if (info.group !== undefined) r.group = info.group;
  return r;
}

export type SendLocalListStatus = 'Accepted' | 'Failed' | 'VersionMismatch' | 'NotSupported';

export interface LocalListUpdate {
  /** Version the list has after the update; must be > 0 [16-E 3.52; D01.FR.18]. */
  version: number;
  type: 'Full' | 'Differential';
  /** With `info`: add or replace; without (Differential only): remove. */
  entries: ReadonlyArray<{ token: string; info?: AuthInfo }>;
}

export interface LocalListState {
  currentVersion: number;
  currentSize: number;
  /** Is this key in the list now? */
  has(key: string): boolean;
  /** SendLocalListMaxLength: most entries one update may carry. */
  sendMaxLength: number;
  /** LocalAuthListMaxLength: most entries the list may hold. */
  listMaxLength: number;
}

export type LocalListPlan =
  | { ok: true; type: 'Full'; rows: ListRow[]; version: number }
  | { ok: true; type: 'Differential'; changes: ListChange[]; version: number }
  | { ok: false; status: 'Failed' | 'VersionMismatch'; reason: string };

const refuse = (status: 'Failed' | 'VersionMismatch', reason: string): LocalListPlan => ({ ok: false, status, reason });

/**
 * Check an update against the list as it is and turn it into rows to write. Checks, in order:
 * the version is an integer > 0 (0 and -1 have special meanings in GetLocalListVersion) → else
 * Failed [16-E 3.52; D01.FR.18]; a Differential update's version is greater than the current one
 * → else VersionMismatch [16 §7.47; D01.FR.19]; at most SendLocalListMaxLength entries → else
 * Failed [16 §6.41; D01.FR.11]; no identifier twice → else Failed [16 §6.41; D01.FR.06]; every
 * Full entry has information → else Failed [16 §7.1]; the resulting list holds at most
 * LocalAuthListMaxLength entries → else Failed [16 §9.2.2].
 */
export function planLocalListUpdate(update: LocalListUpdate, state: LocalListState): LocalListPlan {
  const { version, type, entries } = update;
  if (!Number.isSafeInteger(version) || version <= 0) return refuse('Failed', `list version ${version} is not an integer > 0`);
  if (type !== 'Full' && type !== 'Differential') return refuse('Failed', `unknown update type ${String(type)}`);
  if (type === 'Differential' && version <= state.currentVersion) {
    return refuse('VersionMismatch', `differential version ${version} is not greater than the current ${state.currentVersion}`);
  }
  if (entries.length > state.sendMaxLength) {
    return refuse('Failed', `${entries.length} entries exceed SendLocalListMaxLength ${state.sendMaxLength}`);
  }
  const keys = new Set<string>();
  for (const e of entries) {
    const key = authKey(e.token);
    if (keys.has(key)) return refuse('Failed', `identifier ${e.token} appears twice`);
    keys.add(key);
  }
  if (type === 'Full') {
    const missing = entries.find((e) => e.info === undefined);
    if (missing) return refuse('Failed', `full update entry ${missing.token} has no information`);
    if (entries.length > state.listMaxLength) {
      return refuse('Failed', `${entries.length} entries exceed LocalAuthListMaxLength ${state.listMaxLength}`);
    }
    return { ok: true, type, version, rows: entries.map((e) => ({ idTag: authKey(e.token), ...toRecord(e.info!) })) };
  }
  let size = state.currentSize;
  const changes: ListChange[] = [];
  for (const e of entries) {
    const key = authKey(e.token);
    const present = state.has(key);
    if (e.info) {
      if (!present) size += 1;
      changes.push({ idTag: key, record: toRecord(e.info) });
    } else {
      if (present) size -= 1;
      changes.push({ idTag: key });
    }
  }
  if (size > state.listMaxLength) {
    return refuse('Failed', `the list would hold ${size} entries, more than LocalAuthListMaxLength ${state.listMaxLength}`);
  }
  return { ok: true, type, version, changes };
}
