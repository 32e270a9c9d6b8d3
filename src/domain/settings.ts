/**
 * Station settings at run time: typed values from the catalogue, persisted, with commissioning
 * defaults from the configuration file and change notifications.
 *
 * Owns: parsing and checking values as OCPP sends them (strings), the answers a change gets
 * (Accepted / Rejected / RebootRequired / NotSupported, with the reason), and reading typed
 * values. The same checks serve the CSMS (ChangeConfiguration, SetVariables) and evsectl.
 * Must not: know which protocol asked.
 */
import type { SettingsStore } from '../store/settings.js';
import { SETTINGS, SETTINGS_BY_KEY, type SettingDef, type SettingValue } from './settings-catalog.js';

export type ChangeStatus = 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported';

export interface ChangeResult {
  status: ChangeStatus;
  /** Why it was not accepted, in plain words (for logs, evsectl and 2.0.1 statusInfo). */
  reason?: string;
}

export type SettingListener = (key: string, value: SettingValue) => void;

const STORE_PREFIX = 'cfg.';

/** Parse a value as OCPP carries it (a string) or as a typed value, checking the definition. */
export function parseSetting(def: SettingDef, raw: unknown): { ok: true; value: SettingValue } | { ok: false; reason: string } {
  switch (def.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const s = String(raw).trim().toLowerCase();
      if (s === 'true' || s === 'false') return { ok: true, value: s === 'true' };
      return { ok: false, reason: `${def.key} must be true or false` };
    }
    case 'integer': {
      const s = typeof raw === 'number' ? String(raw) : String(raw).trim();
      if (!/^-?\d+$/.test(s)) return { ok: false, reason: `${def.key} must be a whole number` };
      const n = Number(s);
      if (def.min !== undefined && n < def.min) return { ok: false, reason: `${def.key} must be at least ${def.min}` };
      if (def.max !== undefined && n > def.max) return { ok: false, reason: `${def.key} must be at most ${def.max}` };
      return { ok: true, value: n };
    }
    case 'string': {
      const s = String(raw);
      if (def.maxLength !== undefined && s.length > def.maxLength) {
        return { ok: false, reason: `${def.key} must be at most ${def.maxLength} characters` };
      }
      if (def.values && !def.values.includes(s)) return { ok: false, reason: `${def.key} must be one of ${def.values.join(', ')}` };
      if (def.pattern && !def.pattern.test(s)) return { ok: false, reason: `${def.key} has the wrong format` };
      return { ok: true, value: s };
    }
    case 'list': {
      const items = Array.isArray(raw)
        ? raw.map(String)
        : String(raw)
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x.length > 0);
      if (def.maxItems !== undefined && items.length > def.maxItems) {
        return { ok: false, reason: `${def.key} takes at most ${def.maxItems} items` };
      }
      for (const item of items) {
        if (def.values && !def.values.includes(item)) return { ok: false, reason: `${def.key}: "${item}" is not supported` };
        if (def.pattern && !def.pattern.test(item)) return { ok: false, reason: `${def.key}: "${item}" has the wrong format` };
      }
      if (new Set(items).size !== items.length) return { ok: false, reason: `${def.key} lists an item twice` };
      return { ok: true, value: items };
    }
  }
}

/** A value as OCPP 1.6 GetConfiguration reports it. */
export function formatSetting(value: SettingValue): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

export class Settings {
  private readonly store: SettingsStore;
  private readonly defaults = new Map<string, SettingValue>();
  private readonly values = new Map<string, SettingValue>();
  private readonly listeners = new Set<SettingListener>();

  /**
   * `commissioning` are the values of the configuration file's `settings`; a bad one throws a
   * RangeError naming the key. `fixed` are values the station itself decides (NumberOfConnectors).
   */
  constructor(store: SettingsStore, commissioning: Record<string, unknown> = {}, fixed: Record<string, SettingValue> = {}) {
    this.store = store;
    for (const def of SETTINGS) this.defaults.set(def.key, def.default);
    for (const [key, raw] of Object.entries(commissioning)) {
      const def = SETTINGS_BY_KEY.get(key);
      if (!def) throw new RangeError(`settings.${key}: unknown setting`);
      const parsed = parseSetting(def, raw);
      if (!parsed.ok) throw new RangeError(`settings.${key}: ${parsed.reason}`);
      this.defaults.set(key, parsed.value);
    }
    for (const [key, value] of Object.entries(fixed)) this.defaults.set(key, value);
    for (const def of SETTINGS) {
      const stored = def.readonly ? undefined : store.get<SettingValue>(STORE_PREFIX + def.key);
      const parsed = stored === undefined ? null : parseSetting(def, stored);
      this.values.set(def.key, parsed && parsed.ok ? parsed.value : this.defaults.get(def.key)!);
    }
  }

  has(key: string): boolean {
    return SETTINGS_BY_KEY.has(key);
  }

  definition(key: string): SettingDef | undefined {
    return SETTINGS_BY_KEY.get(key);
  }

  get(key: string): SettingValue {
    const v = this.values.get(key);
    if (v === undefined) throw new RangeError(`unknown setting ${key}`);
    return v;
  }

  int(key: string): number {
    return this.get(key) as number;
  }

  bool(key: string): boolean {
    return this.get(key) as boolean;
  }

  list(key: string): string[] {
    return [...(this.get(key) as string[])];
  }

  /** Check a change without applying it. */
  check(key: string, raw: unknown): ChangeResult & { value?: SettingValue } {
    const def = SETTINGS_BY_KEY.get(key);
    if (!def) return { status: 'NotSupported', reason: `unknown setting ${key}` };
    if (def.readonly) return { status: 'Rejected', reason: `${key} is read-only` };
    const parsed = parseSetting(def, raw);
    if (!parsed.ok) return { status: 'Rejected', reason: parsed.reason };
    return { status: def.rebootRequired ? 'RebootRequired' : 'Accepted', value: parsed.value };
  }

  /** Check and apply (persisted before listeners run). */
  set(key: string, raw: unknown): ChangeResult {
    const result = this.check(key, raw);
    if (result.status !== 'Accepted' && result.status !== 'RebootRequired') return result;
    const value = result.value!;
    this.store.set(STORE_PREFIX + key, value);
    const before = this.values.get(key);
    this.values.set(key, value);
    if (formatSetting(before!) !== formatSetting(value)) {
      for (const l of this.listeners) l(key, value);
    }
    return { status: result.status };
  }

  onChange(listener: SettingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every setting with its current value, in catalogue order. */
  entries(): Array<{ def: SettingDef; value: SettingValue }> {
    return SETTINGS.map((def) => ({ def, value: this.values.get(def.key)! }));
  }
}
