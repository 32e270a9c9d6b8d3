/**
 * Start-up cost contract: loading validators must not pull in ajv's schema compiler. A fresh node
 * process imports the runtime wrapper, loads both protocols, validates once, and reports every
 * CommonJS module it loaded (ajv and ajv-formats are CommonJS, so they all show up there).
 */

import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const wrapperUrl = new URL('../../../src/ocpp/schemas/index.js', import.meta.url).href;

/** Runs `body` in a fresh ESM process; returns the ajv/ajv-formats files it loaded, relative to node_modules. */
function ajvModulesLoadedBy(body: string): { ok: boolean; modules: string[] } {
  const script = `
    import { createRequire } from 'node:module';
    const wrapperUrl = ${JSON.stringify(wrapperUrl)};
    let ok = false;
    ${body}
    const loaded = Object.keys(createRequire(wrapperUrl).cache);
    process.stdout.write(JSON.stringify({ ok, loaded }));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout) as { ok: boolean; loaded: string[] };
  const modules = out.loaded
    .map((p) => p.replace(/\\/g, '/'))
    .filter((p) => /\/node_modules\/ajv(-formats)?\//.test(p))
    .map((p) => p.slice(p.lastIndexOf('/node_modules/') + '/node_modules/'.length))
    .sort();
  return { ok: out.ok, modules };
}

test('DESIGN rule 1 - loadSchemas loads only ajv runtime helpers, never the schema compiler', () => {
  const { ok, modules } = ajvModulesLoadedBy(`
    const { loadSchemas } = await import(wrapperUrl);
    const v16 = await loadSchemas('ocpp1.6');
    const v201 = await loadSchemas('ocpp2.0.1');
    ok = v16.validate('Heartbeat', 'response', { currentTime: '2024-01-01T00:00:00Z' }) === null
      && v201.validate('Heartbeat', 'response', { currentTime: 'x' })?.code === 'PropertyConstraintViolation';
  `);
  assert.ok(ok, 'validators work in the child process');
  assert.equal(modules, ['ajv-formats/dist/formats.js', 'ajv/dist/runtime/ucs2length.js']);
});

test('the check can fail: importing ajv itself is seen', () => {
  const { modules } = ajvModulesLoadedBy(`
    const require = createRequire(wrapperUrl);
    const { Ajv } = require('ajv');
    ok = typeof new Ajv().compile === 'function';
  `);
  assert.ok(modules.includes('ajv/dist/compile/index.js'), modules.join(', '));
  assert.ok(modules.includes('ajv/dist/core.js'), modules.join(', '));
});

test.run();
