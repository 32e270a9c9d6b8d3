/**
 * CLI of the schema generator (`npm run gen:schemas`, after a build).
 *
 *   node dist/src/ocpp/schemas/generator/generate.js           write the generated files
 *   node dist/src/ocpp/schemas/generator/generate.js --check   write nothing; exit 1 and list the
 *                                                              files that differ from a fresh render
 *
 * Exit codes: 0 done / up to date, 1 --check found differences, 2 generator error or bad usage.
 * Owns: writing the rendered files under the repository root. Must not: decide their contents
 * (render.ts does).
 */

import { mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GeneratorError } from './errors.js';
import { findRepoRoot, GENERATED_DIR, renderGeneratedFiles } from './render.js';

export { renderGeneratedFiles, findRepoRoot, GENERATED_DIR } from './render.js';
export type { RenderOptions } from './render.js';

/**
 * Repository-relative paths whose content on disk is not `files`' text (missing or different),
 * plus files under GENERATED_DIR that the render no longer produces. Sorted.
 */
export function diffGenerated(files: ReadonlyMap<string, string>, repoRoot: string): string[] {
  const differs = [...files].filter(([path, text]) => {
    const full = join(repoRoot, path);
    return !existsSync(full) || readFileSync(full, 'utf8') !== text;
  });
  const stale = listFiles(join(repoRoot, GENERATED_DIR))
    .map((full) => relative(repoRoot, full).split(sep).join('/'))
    .filter((path) => !files.has(path));
  return [...differs.map(([path]) => path), ...stale].sort();
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

/** Writes files whose text changed; returns the repository-relative paths written. */
export function writeGenerated(files: ReadonlyMap<string, string>, repoRoot: string): string[] {
  const written: string[] = [];
  for (const [path, text] of files) {
    const full = join(repoRoot, path);
    if (existsSync(full) && readFileSync(full, 'utf8') === text) continue;
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
    written.push(path);
  }
  return written;
}

export async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`usage: generate.js [--check]\nunknown argument: ${unknown.join(' ')}\n`);
    return 2;
  }
  const check = argv.includes('--check');
  const repoRoot = findRepoRoot();
  const files = await renderGeneratedFiles({ repoRoot, onNote: (n) => process.stdout.write(`${n}\n`) });
  if (check) {
    const differing = diffGenerated(files, repoRoot);
    if (differing.length === 0) {
      process.stdout.write(`generated files are up to date (${files.size} files)\n`);
      return 0;
    }
    process.stdout.write(`generated files differ from a fresh render; run npm run gen:schemas:\n`);
    for (const path of differing) process.stdout.write(`  ${path}\n`);
    return 1;
  }
  const written = writeGenerated(files, repoRoot);
  for (const path of files.keys()) process.stdout.write(`${written.includes(path) ? 'wrote    ' : 'unchanged'} ${path}\n`);
  const stale = diffGenerated(files, repoRoot);
  for (const path of stale) process.stdout.write(`stale (not produced any more, delete it): ${path}\n`);
  return 0;
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href;
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof GeneratorError) process.stderr.write(`gen:schemas failed [${err.code}]: ${err.message}\n`);
      else process.stderr.write(`gen:schemas failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      if (err instanceof Error && err.cause !== undefined) process.stderr.write(`  cause: ${String(err.cause)}\n`);
      process.exitCode = 2;
    },
  );
}
