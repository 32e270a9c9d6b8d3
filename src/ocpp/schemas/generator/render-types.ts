/**
 * Renders `generated/<version>/types.ts`: one TypeScript declaration per message and shared
 * definition (json-schema-to-typescript), then the direction-typed action maps.
 *
 * Owns: the jstt options, the order of declarations (messages by action, then definitions by
 * name) and the check that every declaration appears exactly once.
 * Must not: write files.
 */

import { compile, type JSONSchema } from 'json-schema-to-typescript';
import type { SchemaBundle } from './bundle.js';
import { messageName } from './bundle.js';
import type { DirectionTable, SchemaVersion } from './directions.js';
import { GeneratorError } from './errors.js';
import { isJsonObject, type Json, type JsonObject } from './json.js';

const ROOT = 'EvsedSchemaBundleRoot';

export const TYPE_PREFIX: Readonly<Record<SchemaVersion, string>> = { v16: 'V16', v201: 'V201' };

export async function renderTypes(
  version: SchemaVersion,
  bundle: SchemaBundle,
  directions: DirectionTable,
  header: string,
): Promise<string> {
  const definitions: JsonObject = {};
  for (const [name, schema] of Object.entries(bundle.messages)) definitions[name] = tidyDocs(schema);
  for (const [name, schema] of Object.entries(bundle.definitions)) definitions[name] = tidyDocs(schema);
  const root: JsonObject = { type: 'object', additionalProperties: false, properties: {}, definitions };
  const raw = await compile(root as JSONSchema, ROOT, {
    // only CustomDataType (2.0.1) leaves additionalProperties unsaid: it is open on purpose (201-J §9)
    additionalProperties: true,
    bannerComment: '',
    declareExternallyReferenced: true,
    enableConstEnums: false,
    format: true,
    ignoreMinAndMaxItems: true,
    strictIndexSignatures: false,
    unknownAny: true,
    unreachableDefinitions: true,
    $refOptions: { resolve: { external: false } },
  });
  const chunks = splitDeclarations(raw);
  chunks.delete(ROOT);
  const order = [
    ...[...new Set([...directions.csToCsms, ...directions.csmsToCs])]
      .sort()
      .flatMap((a) => [messageName(a, 'request'), messageName(a, 'response')]),
    ...Object.keys(bundle.definitions),
  ];
  const missing = order.filter((n) => !chunks.has(n));
  const extra = [...chunks.keys()].filter((n) => !order.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new GeneratorError('renderFailed', `${version} types: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]`);
  }
  const body = order.map((n) => chunks.get(n) as string).join('\n\n');
  return `${header}\n\n${body}\n\n${actionMaps(version, directions)}`;
}

/** Descriptions with LF line ends and no trailing blanks; annotation-only keywords jstt ignores are dropped. */
function tidyDocs(node: Json): JsonObject {
  const walk = (n: Json): Json => {
    if (Array.isArray(n)) return n.map(walk);
    if (!isJsonObject(n)) return n;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(n)) {
      if (key === 'description' && typeof value === 'string') {
        const text = value
          .replace(/\r\n?/g, '\n')
          .split('\n')
          .map((l) => l.trimEnd())
          .join('\n')
          .trim();
        if (text !== '') out[key] = text;
      } else if (key === '$comment' || key === 'javaType') continue;
      else out[key] = walk(value);
    }
    return out;
  };
  return walk(node) as JsonObject;
}

/**
 * Splits jstt output into top-level declarations keyed by name, without jstt's
 * "This interface was referenced by …" notes.
 */
function splitDeclarations(source: string): Map<string, string> {
  const chunks: string[][] = [];
  let current: string[] = [];
  let inDoc = false;
  for (const line of source.split('\n')) {
    const startsDoc = line.startsWith('/**');
    const startsDecl = line.startsWith('export ') && !inDoc && !(current.length > 0 && current[current.length - 1] === ' */');
    if ((startsDoc || startsDecl) && current.some((l) => l.startsWith('export '))) {
      chunks.push(current);
      current = [];
    }
    if (startsDoc) inDoc = true;
    if (inDoc && line.startsWith(' */')) inDoc = false;
    current.push(line);
  }
  chunks.push(current);
  const out = new Map<string, string>();
  for (const lines of chunks) {
    const text = dropReferenceNotes(lines.join('\n').trim());
    const name = /^export (?:interface|type) ([A-Za-z0-9_]+)/m.exec(text)?.[1];
    if (name === undefined) continue;
    if (out.has(name)) throw new GeneratorError('renderFailed', `declaration ${name} emitted twice`);
    out.set(name, text);
  }
  return out;
}

function dropReferenceNotes(text: string): string {
  return text
    .replace(/\n \*\n \* This interface was referenced by `[^`]+`'s JSON-Schema\n \* via the `definition` "[^"]+"\./g, '')
    .replace(/\n \* This interface was referenced by `[^`]+`'s JSON-Schema\n \* via the `definition` "[^"]+"\./g, '')
    .replace(/^\/\*\*\n \*\/\n/, '');
}

/**
 * The action maps are type aliases, not interfaces: only object type literals satisfy index-signature
 * constraints such as `ActionMap { [action: string]: { request: unknown; response: unknown } }`.
 */
function actionMaps(version: SchemaVersion, directions: DirectionTable): string {
  const prefix = TYPE_PREFIX[version];
  const map = (name: string, doc: string, actions: readonly string[]): string => {
    const lines = [...actions]
      .sort()
      .map((a) => `  ${a}: { request: ${messageName(a, 'request')}; response: ${messageName(a, 'response')} };`);
    return `/** ${doc} */\nexport type ${prefix}${name} = {\n${lines.join('\n')}\n};\n`;
  };
  return [
    map('CsToCsms', 'Actions the charging station calls (CALL from station to CSMS).', directions.csToCsms),
    map('CsmsToCs', 'Actions the CSMS calls (CALL from CSMS to station).', directions.csmsToCs),
    `/** Every action of this version, either direction. */\nexport type ${prefix}Action = keyof ${prefix}CsToCsms | keyof ${prefix}CsmsToCs;\n`,
  ].join('\n');
}
