/**
 * JSON value helpers for the schema generator: type guards, canonical text, keyword-aware copies.
 *
 * Owns: structural comparison of schemas (canonical JSON with sorted keys). Must not: do I/O.
 */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON text with object keys sorted at every level; equal text means equal structure. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Copy of `value` without the object keys in `drop`, at every level. Keys inside `properties`
 * and `definitions` name fields, not keywords, so they are never dropped.
 */
export function withoutKeywords(value: Json, drop: ReadonlySet<string>): Json {
  if (Array.isArray(value)) return value.map((v) => withoutKeywords(v, drop));
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (drop.has(key)) continue;
    out[key] = isNameMap(key) && isJsonObject(child) ? mapValues(child, (v) => withoutKeywords(v, drop)) : withoutKeywords(child, drop);
  }
  return out;
}

/** Copy of `value` with every `$ref` string passed through `rewrite`. */
export function rewriteRefs(value: Json, rewrite: (ref: string) => string): Json {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, rewrite));
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof child === 'string' ? rewrite(child) : rewriteRefs(child, rewrite);
  }
  return out;
}

/** Schema keywords whose object value maps names (fields, definitions) to subschemas. */
export function isNameMap(keyword: string): boolean {
  return keyword === 'properties' || keyword === 'definitions' || keyword === 'patternProperties' || keyword === '$defs';
}

export function mapValues(obj: JsonObject, fn: (value: Json, key: string) => Json): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) out[key] = fn(value, key);
  return out;
}

/** Plain object with keys in sorted order (stable output independent of insertion order). */
export function sortedObject<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const list = [...entries].sort(([a], [b]) => compareStrings(a, b));
  const out: Record<string, T> = {};
  for (const [k, v] of list) out[k] = v;
  return out;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
