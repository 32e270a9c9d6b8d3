/**
 * Authorization, version-neutral: may this identifier start a session, may it stop someone
 * else's, what the CSMS told us about it, and the local authorization list the CSMS sends.
 *
 * Owns: the decision rules of OCPP 1.6 §3.5 / §4.1 and 2.0.1 C01, C09–C16, D01–D02 — local list
 * before cache, expiry, LocalPreAuthorize / LocalAuthorizeOffline / AllowOfflineTxForUnknownId,
 * cache eviction and lifetime, group (parentIdTag / groupIdToken) comparison, SendLocalList checks.
 * Must not: send or parse OCPP messages (the caller passes `ask`, which sends Authorize and maps
 * the answer to AuthInfo), know the connection (the caller says `online`), or touch hardware.
 * Reads settings at every decision, so configuration changes apply at once.
 */
import type { AuthStore } from '../store/auth.js';
import type { AuthDecision, AuthInfo, AuthSource } from './auth-types.js';
import {
  authKey,
  effectiveInfo,
  planLocalListUpdate,
  sameId,
  toRecord,
  type LocalListUpdate,
  type SendLocalListStatus,
} from './auth-rules.js';
import type { Clock } from './clock.js';
import type { Settings } from './settings.js';

export { authKey, type LocalListUpdate, type SendLocalListStatus } from './auth-rules.js';

/** Ask the CSMS (Authorize). Rejects when the question cannot be answered (link lost, timeout). */
export type AskCsms = (token: string) => Promise<AuthInfo>;

export interface AuthContext {
  online: boolean;
  ask: AskCsms;
}

/** The slice of a pino logger this service uses. */
export interface AuthLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export type AuthErrorCode = 'EVSED_AUTH_OPTION' | 'EVSED_AUTH_ASK_FAILED' | 'EVSED_AUTH_STORE';

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthError';
    this.code = code;
  }
}

export interface AuthServiceOptions {
  store: AuthStore;
  settings: Settings;
  clock: Pick<Clock, 'now'>;
  /** Most cache entries (default 1000); when full, room is made [16 §3.5.1; C10.FR.07]. */
  cacheMaxEntries?: number;
  /** 2.0.1 AuthCacheCtrlr.LifeTime: an entry unused this long is dropped [C10.FR.08]. */
  cacheLifetimeS?: number;
  /** 2.0.1 AuthCacheCtrlr.DisablePostAuthorize: a cached non-Accepted id is refused without asking. */
  cacheDisablePostAuthorize?: boolean;
  /** 2.0.1 LocalAuthListCtrlr.DisablePostAuthorize: same for listed non-Accepted ids. */
  localListDisablePostAuthorize?: boolean;
  /** 2.0.1 AuthCtrlr.MasterPassGroupId: such ids may stop any session, never start one [C12.FR.09, C16]. */
  masterPassGroupId?: string;
  log?: AuthLog;
}

export const DEFAULT_CACHE_MAX_ENTRIES = 1000;

interface LocalEntry {
  source: 'localList' | 'cache';
  /** Information as it holds now (expired Accepted → Expired). */
  info: AuthInfo;
}

const NO_LOG: AuthLog = { warn: () => undefined };

export class AuthService {
  private readonly store: AuthStore;
  private readonly settings: Settings;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly cacheMaxEntries: number;
  private readonly opts: AuthServiceOptions;
  private readonly log: AuthLog;

  constructor(opts: AuthServiceOptions) {
    const max = opts.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new AuthError('EVSED_AUTH_OPTION', `cacheMaxEntries must be a whole number >= 1, got ${max}`);
    }
    const lifetimeS = opts.cacheLifetimeS;
    if (lifetimeS !== undefined && (!Number.isFinite(lifetimeS) || lifetimeS <= 0)) {
      throw new AuthError('EVSED_AUTH_OPTION', `cacheLifetimeS must be > 0 when set, got ${lifetimeS}`);
    }
    this.store = opts.store;
    this.settings = opts.settings;
    this.clock = opts.clock;
    this.cacheMaxEntries = max;
    this.opts = opts;
    this.log = opts.log ?? NO_LOG;
  }

  // Options given to the constructor win; otherwise the station settings decide, read at every
  // decision so a change by the CSMS applies at once (2.0.1 AuthCacheCtrlr / LocalAuthListCtrlr / AuthCtrlr).
  private setting<T>(key: string, read: (s: Settings) => T, fallback: T): T {
    return this.settings.has(key) ? read(this.settings) : fallback;
  }

  private get cacheLifetimeMs(): number | undefined {
    const s = this.opts.cacheLifetimeS ?? this.setting('AuthCacheLifeTime', (x) => x.int('AuthCacheLifeTime'), 0);
    return s > 0 ? s * 1000 : undefined;
  }

  private get cacheDisablePostAuthorize(): boolean {
    return this.opts.cacheDisablePostAuthorize ?? this.setting('AuthCacheDisablePostAuthorize', (x) => x.bool('AuthCacheDisablePostAuthorize'), false);
  }

  private get localListDisablePostAuthorize(): boolean {
    return (
      this.opts.localListDisablePostAuthorize ??
      this.setting('LocalAuthListDisablePostAuthorize', (x) => x.bool('LocalAuthListDisablePostAuthorize'), false)
    );
  }

  private get masterPassGroupId(): string | undefined {
    const id = this.opts.masterPassGroupId ?? this.setting('MasterPassGroupId', (x) => String(x.get('MasterPassGroupId')), '');
    return id ? id : undefined;
  }

  /**
   * Decide whether `token` may START a session.
   * Online: a locally Accepted id is accepted at once when LocalPreAuthorize is on; a locally
   * known non-Accepted id is asked about (unless DisablePostAuthorize); anything else is asked
   * about and the answer learnt. Offline, or when `ask` rejects: see decideOffline.
   */
  async authorizeStart(token: string, ctx: AuthContext): Promise<AuthDecision> {
    const key = authKey(token);
    const local = this.lookup(key);
    if (!ctx.online) return this.decideOffline(local);
    if (local?.info.status === 'Accepted' && this.settings.bool('LocalPreAuthorize')) {
      return this.localDecision(local); // 16 §3.5.1, §9.1.13; C12 (cache), C14.FR.02/04 (list)
    }
    if (local && local.info.status !== 'Accepted' && this.postAuthorizeDisabled(local.source)) {
      return this.localDecision(local);
    }
    let info: AuthInfo;
    try {
      info = await ctx.ask(token);
    } catch (err) {
      this.warn('EVSED_AUTH_ASK_FAILED', err, 'Authorize could not be answered; deciding as offline', { token });
      return this.decideOffline(this.lookup(key));
    }
    this.learnSafely(token, info);
    return { accepted: this.mayStartWith(info), info: { ...info }, source: 'csms' };
  }

  /**
   * May `token` stop a session that `owner` started? The same id → yes, without asking
   * [16 §4.1; C01.FR.03; C09.FR.07]. Otherwise the presented id must be Accepted and in the
   * owner's group — its group equal to the owner's group or to the owner's id [16 §3.10; C09.FR.03,
   * C09.FR.11; OCTT TC_068/069_CS] — or in the master pass group [C16]. A group known from the
   * list or cache is used without asking [C09.FR.07]; otherwise, online, the CSMS is asked and the
   * answer learnt [C09.FR.05]; offline (or `ask` failing) an unknown group means no.
   */
  async mayStop(token: string, owner: { token: string; group?: string }, ctx: AuthContext): Promise<boolean> {
    if (sameId(token, owner.token)) return true;
    const key = authKey(token);
    const local = this.lookup(key);
    const ownerGroup = () => owner.group ?? this.lookup(authKey(owner.token))?.info.group;
    if (local?.info.status === 'Accepted' && local.info.group !== undefined) {
      return this.groupAllowsStop(local.info.group, owner.token, ownerGroup());
    }
    if (local && local.info.status !== 'Accepted' && this.postAuthorizeDisabled(local.source)) return false;
    if (!ctx.online) return false;
    let info: AuthInfo;
    try {
      info = await ctx.ask(token);
    } catch (err) {
      this.warn('EVSED_AUTH_ASK_FAILED', err, 'Authorize for stopping could not be answered; refusing', { token });
      return false;
    }
    this.learnSafely(token, info);
    return info.status === 'Accepted' && info.group !== undefined && this.groupAllowsStop(info.group, owner.token, ownerGroup());
  }

  /**
   * Information from any CSMS answer about `token` (Authorize, Start/StopTransaction.conf,
   * TransactionEventResponse, ReserveNow): stored in the cache when it is enabled, replacing what
   * was there [16 §3.5.1; C10.FR.01/04/05; C12.FR.06] — never for ids in the local list
   * [16 §3.5.3; C13.FR.01]. Information already past its expiry is stored too and reads as Expired,
   * so the id is refused offline rather than treated as unknown [16 §3.5.4]. When the cache is full,
   * entries unused for the lifetime go first, then non-Accepted or expired ones, then the least
   * recently used [16 §3.5.1; C10.FR.07]. Throws StoreError/SqliteError when the disk fails.
   */
  learn(token: string, info: AuthInfo): void {
    if (!this.settings.bool('AuthorizationCacheEnabled')) return;
    const key = authKey(token);
    if (this.store.listGet(key)) return;
    const nowMs = this.clock.now();
    if (!this.store.cacheGet(key)) this.makeRoom(nowMs);
    this.store.cachePut(key, toRecord(info), nowMs);
  }

  /** Empty the authorization cache [16 §5.4; C11.FR.01]. Answering Rejected when disabled is the adapter's. */
  clearCache(): void {
    this.store.cacheClear();
  }

  /** Entries in the cache now. */
  cacheSize(): number {
    return this.store.cacheCount();
  }

  /** Is the local list feature supported at all (1.6 SupportedFeatureProfiles has LocalAuthListManagement)? */
  localListSupported(): boolean {
    return this.settings.list('SupportedFeatureProfiles').includes('LocalAuthListManagement');
  }

  /**
   * The version to report: 0 when the list was never set [16 §5.10; D02.FR.02] or when it is
   * disabled [D02.FR.03]; otherwise the version of the last accepted update (an emptied list keeps
   * its version > 0, D02 remark). 1.6's -1 for "not supported" is the adapter's, from localListSupported().
   */
  localListVersion(): number {
    if (!this.settings.bool('LocalAuthListEnabled')) return 0;
    return this.store.listVersion();
  }

  /** Entries in the local list now. */
  localListSize(): number {
    return this.store.listCount();
  }

  /**
   * Apply SendLocalList. NotSupported only when the feature is not supported at all [16 §7.47];
   * a disabled list still takes updates (it is maintained, just not used for decisions), as
   * neither 16 §3.5.2/§5.15 nor D01 allow refusing them. Full replaces everything (none → empty
   * list) [16 §6.41; D01.FR.04/15]; Differential adds/replaces entries with information and
   * removes those without [16 §7.1; D01.FR.16/17]; the version is set in the same transaction
   * [D01.FR.04/05]. Any refusal or write failure changes nothing (all-or-nothing, D01 failure
   * postcondition). See planLocalListUpdate for the checks.
   */
  sendLocalList(update: LocalListUpdate): SendLocalListStatus {
    if (!this.localListSupported()) return 'NotSupported';
    const plan = planLocalListUpdate(update, {
      currentVersion: this.store.listVersion(),
      currentSize: this.store.listCount(),
      has: (key) => this.store.listGet(key) !== undefined,
      sendMaxLength: this.settings.int('SendLocalListMaxLength'),
      listMaxLength: this.settings.int('LocalAuthListMaxLength'),
    });
    if (!plan.ok) {
      this.log.warn({ code: 'EVSED_AUTH_LIST_REFUSED', status: plan.status, version: update.version, type: update.type }, plan.reason);
      return plan.status;
    }
    try {
      if (plan.type === 'Full') this.store.listReplaceAll(plan.rows, plan.version);
      else this.store.listApplyDifferential(plan.changes, plan.version);
    } catch (err) {
      this.warn('EVSED_AUTH_STORE', err, 'local list update could not be written; list unchanged', { version: update.version });
      return 'Failed';
    }
    try {
      this.store.cacheDeleteListed(); // keep listed ids out of the cache [16 §3.5.3]
    } catch (err) {
      this.warn('EVSED_AUTH_STORE', err, 'could not drop newly listed ids from the cache (the list still has priority)');
    }
    return 'Accepted';
  }

  /**
   * Offline: Accepted list/cache entries are accepted when LocalAuthorizeOffline is on
   * [16 §3.5, §9.1.12; C13.FR.02/05; C12]; listed or cached ids with another status, or expired,
   * are refused even in unknown-id mode [16 §3.5.4; C13.FR.04/06]; an Accepted entry with
   * LocalAuthorizeOffline off is refused too (the id is known, so unknown-id mode does not apply).
   * Ids in neither: accepted as `offlineUnknown` when AllowOfflineTxForUnknownId is on, and not
   * cached [16 §3.5.4; C15.FR.01/08]; else refused as `offlineRefused` with status Unknown (1.6
   * adapters map that to Invalid).
   */
  private decideOffline(local: LocalEntry | undefined): AuthDecision {
    if (local) {
      if (local.info.status === 'Accepted' && !this.settings.bool('LocalAuthorizeOffline')) {
        return { accepted: false, info: local.info, source: 'offlineRefused' };
      }
      return this.localDecision(local);
    }
    if (this.settings.bool('AllowOfflineTxForUnknownId')) {
      return { accepted: true, info: { status: 'Accepted' }, source: 'offlineUnknown' };
    }
    return { accepted: false, info: { status: 'Unknown' }, source: 'offlineRefused' };
  }

  private localDecision(local: LocalEntry): AuthDecision {
    const source: AuthSource = local.source;
    return { accepted: this.mayStartWith(local.info), info: local.info, source };
  }

  /** Accepted, and not a master pass (those only stop) [C12.FR.09; C16.FR.03]. */
  private mayStartWith(info: AuthInfo): boolean {
    return info.status === 'Accepted' && !sameId(info.group, this.masterPassGroupId);
  }

  private groupAllowsStop(group: string, ownerToken: string, ownerGroup: string | undefined): boolean {
    return sameId(group, ownerGroup) || sameId(group, ownerToken) || sameId(group, this.masterPassGroupId);
  }

  private postAuthorizeDisabled(source: LocalEntry['source']): boolean {
    return source === 'cache' ? this.cacheDisablePostAuthorize : this.localListDisablePostAuthorize;
  }

  /**
   * The local information for `key`: the enabled list first [16 §3.5.3; C13.FR.01], then the
   * enabled cache. A cache entry unused for longer than the lifetime is dropped (treated as absent)
   * [C10.FR.08]; an expired Accepted one is changed to Expired in the cache [16 §3.5.1; C10.FR.13];
   * a found cache entry counts as used (LRU, lifetime).
   */
  private lookup(key: string): LocalEntry | undefined {
    const nowMs = this.clock.now();
    if (this.settings.bool('LocalAuthListEnabled')) {
      const row = this.store.listGet(key);
      if (row) return { source: 'localList', info: effectiveInfo(row, nowMs) };
    }
    if (!this.settings.bool('AuthorizationCacheEnabled')) return undefined;
    const row = this.store.cacheGet(key);
    if (!row) return undefined;
    if (this.cacheLifetimeMs !== undefined && nowMs > row.lastUsedMs + this.cacheLifetimeMs) {
      this.store.cacheDelete(key);
      return undefined;
    }
    const info = effectiveInfo(row, nowMs);
    if (info.status !== row.status) this.store.cacheSetStatus(key, info.status);
    this.store.cacheTouch(key, nowMs);
    return { source: 'cache', info };
  }

  private makeRoom(nowMs: number): void {
    let excess = this.store.cacheCount() - this.cacheMaxEntries + 1;
    if (excess <= 0) return;
    if (this.cacheLifetimeMs !== undefined) excess -= this.store.cacheDeleteUsedBefore(nowMs - this.cacheLifetimeMs);
    if (excess > 0) this.store.cacheEvict(excess, nowMs);
  }

  /** learn() after a decision: a cache write failure must not turn an accepted id away (the cache is a SHOULD). */
  private learnSafely(token: string, info: AuthInfo): void {
    try {
      this.learn(token, info);
    } catch (err) {
      this.warn('EVSED_AUTH_STORE', err, 'could not store the answer in the authorization cache', { token });
    }
  }

  private warn(code: AuthErrorCode, err: unknown, msg: string, extra: Record<string, unknown> = {}): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.log.warn({ code, err: error, ...extra }, msg);
  }
}
