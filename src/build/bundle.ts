/**
 * Build step after tsc: the daemon entry point as one bundle (esbuild), for start-up time, and
 * the data files the compiled code reads (the CAN frame database) copied into dist/, so an
 * installation needs only package.json, dist/ and node_modules/ (systemd/install.sh).
 * Loading ~150 compiled modules one by one cost node about 60 ms of evsed's start on the
 * development machine; the bundle loads in one read. npm packages stay external (native addons,
 * and their own files); the hardware drivers and the schema validators of each OCPP version stay
 * separate chunks, loaded when chosen (code splitting keeps one instance of every shared module,
 * so `instanceof` holds across them).
 *
 * Writes dist/src/main.js (replacing tsc's output of src/main.ts; the other compiled modules stay
 * for evsectl and the tests) and its chunks under dist/src/chunks/. The entry keeps its `#!` line
 * and therefore its node flags.
 *
 * Usage (from the repository root, after tsc): node dist/src/build/bundle.js
 */
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

const SRC = path.join('dist', 'src');
const ENTRY = path.join(SRC, 'main.js');
const CHUNKS = 'chunks';
/** Files read at run time, copied from the source tree to the same place under dist/. */
const ASSETS = [path.join('hal', 'can', 'evsed-io.kcd')];

async function main(): Promise<void> {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} not found: run tsc first`);
  const staging = path.join('dist', '.bundle');
  rmSync(staging, { recursive: true, force: true });
  const result = await build({
    entryPoints: [ENTRY],
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: `${CHUNKS}/[name]-[hash]`,
    logLevel: 'warning',
    metafile: true,
  });
  const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
  if (!outputs.some((f) => path.normalize(f) === path.join(staging, 'main.js'))) throw new Error('esbuild wrote no main.js');
  // Same depth as the compiled modules, so paths relative to a module stay right.
  rmSync(path.join(SRC, CHUNKS), { recursive: true, force: true });
  mkdirSync(path.join(SRC, CHUNKS), { recursive: true });
  for (const name of readdirSync(path.join(staging, CHUNKS))) renameSync(path.join(staging, CHUNKS, name), path.join(SRC, CHUNKS, name));
  renameSync(path.join(staging, 'main.js'), ENTRY);
  rmSync(staging, { recursive: true, force: true });
  for (const asset of ASSETS) {
    mkdirSync(path.join('dist', path.dirname(asset)), { recursive: true });
    copyFileSync(asset, path.join('dist', asset));
  }
  process.stdout.write(`bundled ${ENTRY} (+${outputs.length - 1} chunks)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bundle: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
