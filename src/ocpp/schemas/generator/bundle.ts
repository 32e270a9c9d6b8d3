/**
 * Turns one version's message schemas into a bundle: shared definitions plus message schemas that
 * reference them, so every definition is typed and compiled once.
 *
 * Owns: merging `definitions` of all files by name (refusing names whose structures differ),
 * hoisting object subschemas that occur inline more than once (1.6 repeats IdTagInfo,
 * ChargingProfile, MeterValue … in several files) and naming them after their field.
 * Must not: change what any schema accepts.
 */

import { GeneratorError } from './errors.js';
import {
  canonicalJson,
  isJsonObject,
  isNameMap,
  sortedObject,
  withoutKeywords,
  type Json,
  type JsonObject,
} from './json.js';
import type { MessagePair } from './source.js';

export interface SchemaBundle {
  /** definition name → schema; references inside use `#/definitions/<name>` */
  definitions: Readonly<Record<string, JsonObject>>;
  /** message name (`AuthorizeRequest`, `AuthorizeResponse`) → schema without `definitions` */
  messages: Readonly<Record<string, JsonObject>>;
}

/** Keywords that document but do not constrain (javaType: OCA's code-generator hint); copies may differ in them. */
const ANNOTATIONS: ReadonlySet<string> = new Set(['description', '$comment', 'javaType']);
const LOCAL_REF = /^#\/definitions\/([A-Za-z0-9_]+)$/;

export function messageName(action: string, kind: keyof MessagePair): string {
  return `${action}${kind === 'request' ? 'Request' : 'Response'}`;
}

export function bundleSchemas(pairs: ReadonlyMap<string, MessagePair>): SchemaBundle {
  const definitions = new Map<string, { schema: JsonObject; key: string; from: string }>();
  const messages = new Map<string, JsonObject>();
  for (const [action, pair] of pairs) {
    for (const kind of ['request', 'response'] as const) {
      const name = messageName(action, kind);
      const { definitions: defs, ...body } = pair[kind];
      checkRefs(body, name);
      if (defs !== undefined) {
        if (!isJsonObject(defs)) throw new GeneratorError('unsupportedSchema', `${name}: definitions is not an object`);
        for (const [defName, def] of Object.entries(defs)) {
          if (!isJsonObject(def)) throw new GeneratorError('unsupportedSchema', `${name}: definition ${defName}`);
          checkRefs(def, name);
          mergeDefinition(definitions, defName, def, name);
        }
      }
      messages.set(name, body);
    }
  }
  for (const name of messages.keys()) {
    if (definitions.has(name)) throw new GeneratorError('definitionConflict', `${name} is both a message and a definition`);
  }
  const defs = new Map([...definitions].map(([k, v]) => [k, v.schema]));
  const hoisted = hoistRepeatedObjects(messages, defs);
  for (const [name, schema] of [...Object.entries(hoisted.messages), ...Object.entries(hoisted.definitions)]) {
    checkTargets(schema, hoisted.definitions, name);
  }
  return hoisted;
}

function mergeDefinition(
  into: Map<string, { schema: JsonObject; key: string; from: string }>,
  name: string,
  schema: JsonObject,
  from: string,
): void {
  const key = canonicalJson(withoutKeywords(schema, ANNOTATIONS));
  const seen = into.get(name);
  if (!seen) {
    into.set(name, { schema, key, from });
    return;
  }
  if (seen.key !== key) throw new GeneratorError('definitionConflict', `${name} differs between ${seen.from} and ${from}`);
  seen.schema = keepAgreedAnnotations(seen.schema, schema) as JsonObject;
}

/** `a` with each annotation kept only where `b` (same structure) carries the same text. */
function keepAgreedAnnotations(a: Json, b: Json): Json {
  if (Array.isArray(a)) return a.map((item, i) => keepAgreedAnnotations(item, Array.isArray(b) ? (b[i] ?? null) : null));
  if (!isJsonObject(a)) return a;
  const other = isJsonObject(b) ? b : {};
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(a)) {
    if (ANNOTATIONS.has(key)) {
      if (other[key] === value) out[key] = value;
      continue;
    }
    out[key] = keepAgreedAnnotations(value, other[key] ?? null);
  }
  return out;
}

function checkRefs(node: Json, where: string): void {
  visitRefs(node, (ref) => {
    if (!LOCAL_REF.test(ref)) throw new GeneratorError('unsupportedSchema', `${where}: $ref ${ref} is not a local definition`);
  });
}

function checkTargets(node: Json, defs: Readonly<Record<string, JsonObject>>, where: string): void {
  visitRefs(node, (ref) => {
    const target = LOCAL_REF.exec(ref)?.[1];
    if (target === undefined || !Object.hasOwn(defs, target)) {
      throw new GeneratorError('unsupportedSchema', `${where}: $ref ${ref} has no definition`);
    }
  });
}

function visitRefs(node: Json, visit: (ref: string) => void): void {
  if (Array.isArray(node)) for (const n of node) visitRefs(n, visit);
  else if (isJsonObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') visit(value);
      else visitRefs(value, visit);
    }
  }
}

/** Keywords whose value is one subschema / a list of subschemas (draft-06). */
const SINGLE = new Set(['items', 'additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'not']);
const LIST = new Set(['items', 'allOf', 'anyOf', 'oneOf']);

/** Copy of `node` with every direct subschema replaced by `fn(subschema, hint)`. */
function mapSubschemas(node: JsonObject, hint: string, fn: (child: JsonObject, hint: string) => Json): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (isNameMap(key) && isJsonObject(value)) {
      const map: JsonObject = {};
      for (const [field, sub] of Object.entries(value)) map[field] = isJsonObject(sub) ? fn(sub, field) : sub;
      out[key] = map;
    } else if (SINGLE.has(key) && isJsonObject(value)) out[key] = fn(value, hint);
    else if (LIST.has(key) && Array.isArray(value)) out[key] = value.map((v) => (isJsonObject(v) ? fn(v, hint) : v));
    else out[key] = value;
  }
  return out;
}

function isInlineObject(node: JsonObject): boolean {
  return node['type'] === 'object' && isJsonObject(node['properties']) && node['$ref'] === undefined;
}

function pascalCase(hint: string): string {
  const cleaned = hint.replace(/[^A-Za-z0-9]+/g, ' ').trim();
  const name = cleaned
    .split(' ')
    .map((w) => (w === '' ? '' : (w[0] as string).toUpperCase() + w.slice(1)))
    .join('');
  return /^[A-Za-z]/.test(name) ? name : `T${name}`;
}

function hoistRepeatedObjects(messages: ReadonlyMap<string, JsonObject>, defs: ReadonlyMap<string, JsonObject>): SchemaBundle {
  const counts = new Map<string, number>();
  const count = (node: JsonObject, hint: string): Json => {
    if (isInlineObject(node)) {
      const key = canonicalJson(node);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return mapSubschemas(node, hint, count);
  };
  for (const schema of messages.values()) mapSubschemas(schema, '', count);

  const taken = new Set([...messages.keys(), ...defs.keys()]);
  const hoistedNames = new Map<string, string>();
  const definitions = new Map(defs);
  const rewrite = (node: JsonObject, hint: string): Json => {
    const key = isInlineObject(node) ? canonicalJson(node) : undefined;
    if (key === undefined || (counts.get(key) ?? 0) < 2) return mapSubschemas(node, hint, rewrite);
    let name = hoistedNames.get(key);
    if (name === undefined) {
      const base = pascalCase(hint);
      name = base;
      for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
      taken.add(name);
      hoistedNames.set(key, name);
      definitions.set(name, mapSubschemas(node, hint, rewrite));
    }
    return { $ref: `#/definitions/${name}` };
  };
  const out = new Map<string, JsonObject>();
  for (const [name, schema] of messages) out.set(name, mapSubschemas(schema, '', rewrite));
  return {
    definitions: sortedObject(definitions),
    messages: sortedObject(out),
  };
}
