/**
 * Renders ahead-of-time validators with ajv standalone code: `generated/<version>/validators.ts`
 * for OCPP messages and `src/config/generated/validate-config.ts` for the evsed config file.
 *
 * Owns: the ajv options (strict, first error only, 1.6 `multipleOf: 0.1` precision), giving every
 * shared definition its own schema id so its code is emitted once, and wrapping the ESM output so
 * tsc emits it unchanged and it runs with nothing but ajv's runtime helpers and ajv-formats'
 * format functions. Must not: write files, or emit code that compiles a schema at runtime.
 */

import { createRequire } from 'node:module';
import { Ajv, type AnySchemaObject, type Options } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneModule from 'ajv/dist/standalone/index.js';
import formatsModule from 'ajv-formats';
import type { SchemaBundle } from './bundle.js';
import { messageName } from './bundle.js';
import type { DirectionTable, SchemaVersion } from './directions.js';
import { GeneratorError } from './errors.js';
import { rewriteRefs, withoutKeywords, type JsonObject } from './json.js';

const standaloneCode = standaloneModule.default;
const addFormats = formatsModule.default;
const draft06MetaSchema = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject;

export const PROTOCOL_OF: Readonly<Record<SchemaVersion, string>> = { v16: 'ocpp1.6', v201: 'ocpp2.0.1' };

/** Annotation keywords removed before compiling: they only cost bytes in the emitted code. */
const DOC_KEYWORDS: ReadonlySet<string> = new Set(['description', '$comment', 'javaType', 'title', 'examples']);

/**
 * Refs to definitions with at most this many keywords are inlined (a plain enum), larger ones
 * become a call to the definition's single shared function.
 */
const INLINE_REF_KEYWORDS = 3;

/**
 * 1.6 limits are `multipleOf: 0.1`; in IEEE doubles 32.3 / 0.1 is 322.99999999999994, so without
 * a tolerance valid one-decimal values are refused.
 */
const MULTIPLE_OF_PRECISION = 9;

function ocppAjv(): Ajv {
  const ajv = new Ajv({
    strict: true,
    allErrors: false,
    messages: false,
    inlineRefs: INLINE_REF_KEYWORDS,
    multipleOfPrecision: MULTIPLE_OF_PRECISION,
    code: { source: true, esm: true, optimize: true },
  });
  // message schemas arrive without $schema, lifted to draft-06 (source.ts), which ajv's default
  // draft-07 dialect validates identically; javaType (OCA's code-generator hint) is stripped with the
  // other annotations, and declared so that strict mode also accepts a schema that still has it
  ajv.addKeyword('javaType');
  addFormats(ajv);
  return ajv;
}

export function renderValidators(
  version: SchemaVersion,
  bundle: SchemaBundle,
  directions: DirectionTable,
  header: string,
): string {
  const protocol = PROTOCOL_OF[version];
  const defId = (name: string): string => `urn:evsed:${protocol}:def:${name}`;
  const prepare = (schema: JsonObject, id: string): JsonObject => {
    const bare = withoutKeywords(schema, DOC_KEYWORDS);
    const linked = rewriteRefs(bare, (ref) => defId(ref.slice('#/definitions/'.length)));
    return { $id: id, ...(linked as JsonObject) };
  };
  const ajv = ocppAjv();
  for (const [name, schema] of Object.entries(bundle.definitions)) ajv.addSchema(prepare(schema, defId(name)));
  const actions = [...new Set([...directions.csToCsms, ...directions.csmsToCs])].sort();
  const refs: Record<string, string> = {};
  for (const action of actions) {
    for (const kind of ['request', 'response'] as const) {
      const name = messageName(action, kind);
      const schema = bundle.messages[name];
      if (!schema) throw new GeneratorError('schemaSetMismatch', `${protocol}: no schema for ${name}`);
      const id = `urn:evsed:${protocol}:msg:${name}`;
      ajv.addSchema(prepare(schema, id));
      refs[`${action}__${kind}`] = id;
    }
  }
  const code = unexport(compileOrExplain(() => standaloneCode(ajv, refs), `${protocol} schemas`), Object.keys(refs));
  const list = (items: readonly string[]): string => `[${[...items].sort().map((a) => `'${a}'`).join(', ')}]`;
  const entries = actions.map((a) => `  ${a}: { request: ${a}__request, response: ${a}__response },`).join('\n');
  return [
    header,
    '// @ts-nocheck',
    "import { createRequire } from 'node:module';",
    "import type { ValidatorPair } from '../../validator-types.js';",
    'const require = createRequire(import.meta.url);',
    code,
    '',
    `/** Actions the charging station calls in ${protocol}. */`,
    `export const csToCsms: readonly string[] = ${list(directions.csToCsms)};`,
    `/** Actions the CSMS calls in ${protocol}. */`,
    `export const csmsToCs: readonly string[] = ${list(directions.csmsToCs)};`,
    '/** action -> request and response validators (first error only, in `.errors`) */',
    'export const validators: Readonly<Record<string, ValidatorPair>> = Object.freeze({',
    entries,
    '});',
    '',
  ].join('\n');
}

/**
 * Compiles the evsed config schema into one default-exported function with every error
 * (`allErrors: true`) and ajv's messages, for start-up diagnostics.
 */
export function renderConfigValidator(schema: JsonObject, header: string): string {
  const dialect = typeof schema['$schema'] === 'string' ? schema['$schema'] : '';
  const options: Options = {
    strict: true,
    allowUnionTypes: true,
    allErrors: true,
    messages: true,
    code: { source: true, esm: true, optimize: true },
  };
  const ajv = /2020-12/.test(dialect) ? new Ajv2020(options) : /2019-09/.test(dialect) ? new Ajv2019(options) : new Ajv(options);
  if (/draft-06/.test(dialect)) ajv.addMetaSchema(draft06MetaSchema);
  addFormats(ajv);
  const id = typeof schema['$id'] === 'string' ? schema['$id'] : 'urn:evsed:config';
  ajv.addSchema(schema['$id'] !== undefined ? schema : { ...schema, $id: id });
  const code = unexport(compileOrExplain(() => standaloneCode(ajv, { validateConfigCompiled: id }), 'config schema'), [
    'validateConfigCompiled',
  ]);
  return [
    header,
    '// @ts-nocheck',
    "import { createRequire } from 'node:module';",
    "import type { ErrorObject } from 'ajv';",
    'const require = createRequire(import.meta.url);',
    code,
    '',
    'export interface ConfigValidateFunction {',
    '  (data: unknown): boolean;',
    '  /** after a failed call: every problem found (ajv error objects with messages) */',
    '  errors?: ErrorObject[] | null;',
    '}',
    '',
    '/** Validates a parsed evsed config file against src/config/config.schema.json. */',
    'const validateConfig: ConfigValidateFunction = validateConfigCompiled;',
    'export default validateConfig;',
    '',
  ].join('\n');
}

/** Runs ajv's compilation, turning its exceptions into generator errors that name the input. */
function compileOrExplain(run: () => string, what: string): string {
  try {
    return run();
  } catch (err) {
    throw new GeneratorError('unsupportedSchema', `ajv refused the ${what}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/** Turns ajv's `export const <name> = validateN;` lines into module-private constants. */
function unexport(code: string, names: readonly string[]): string {
  let found = 0;
  const out = code.replace(/export const ([A-Za-z0-9_]+) = (validate[0-9]+);/g, (_m, name: string, fn: string) => {
    if (!names.includes(name)) throw new GeneratorError('renderFailed', `unexpected export ${name}`);
    found++;
    return `const ${name} = ${fn};`;
  });
  if (found !== names.length || /\bexport\b/.test(out.replace(/"(?:[^"\\]|\\.)*"/g, ''))) {
    throw new GeneratorError('renderFailed', `expected ${names.length} validator exports, found ${found}`);
  }
  if (!/^"use strict";/.test(out)) throw new GeneratorError('renderFailed', 'standalone code has an unexpected preamble');
  return out.replace(/^"use strict";\n?/, '');
}
