/**
 * Architecture: the dependency direction of DESIGN.md, enforced by reading every import.
 *
 * hal ← statecharts ← domain ← ocpp; store and control are reached through interfaces (type-only
 * imports); only src/main.ts wires concrete pieces. Runs on the TypeScript sources.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Import {
  file: string;
  spec: string;
  /** Resolved repo-relative path for relative imports, else the bare specifier. */
  target: string;
  typeOnly: boolean;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function imports(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^'"]*?\bfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[4]!;
    const typeOnly = Boolean(m[2]);
    const target = spec.startsWith('.')
      ? path.relative(repo, path.resolve(path.dirname(file), spec)).split(path.sep).join('/')
      : spec;
    out.push({ file: path.relative(repo, file).split(path.sep).join('/'), spec, target, typeOnly });
  }
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1]!;
    const target = spec.startsWith('.')
      ? path.relative(repo, path.resolve(path.dirname(file), spec)).split(path.sep).join('/')
      : spec;
    out.push({ file: path.relative(repo, file).split(path.sep).join('/'), spec, target, typeOnly: false });
  }
  return out;
}

const all = ['hal', 'statecharts', 'src'].flatMap((d) => sources(path.join(repo, d))).flatMap(imports);
const from = (prefix: string) => all.filter((i) => i.file.startsWith(prefix));
const show = (list: Import[]) => list.map((i) => `${i.file} → ${i.spec}`).join('\n');

test('the import scan sees the tree', () => {
  assert.ok(from('hal/').length > 5);
  assert.ok(from('statecharts/').length > 2);
  assert.ok(from('src/').length > 20);
});

test('hal/ imports nothing from statecharts/ or src/', () => {
  const bad = from('hal/').filter((i) => i.target.startsWith('src/') || i.target.startsWith('statecharts/'));
  assert.is(bad.length, 0, show(bad));
});

test('statecharts/ imports only xstate and hal/ (no src/, no I/O modules)', () => {
  const bad = from('statecharts/').filter(
    (i) => !(i.target === 'xstate' || i.target.startsWith('hal/') || i.target.startsWith('statecharts/')),
  );
  assert.is(bad.length, 0, show(bad));
});

test('src/domain/ does not depend on protocol, control, CLI, or concrete stores', () => {
  const bad = from('src/domain/').filter(
    (i) =>
      i.target.startsWith('src/ocpp/') ||
      i.target.startsWith('src/control/') ||
      i.target.startsWith('src/cli/') ||
      (i.target.startsWith('src/store/') && !i.typeOnly) ||
      i.target === 'ws',
  );
  assert.is(bad.length, 0, show(bad));
});

test('the OCPP-J transport knows no version adapter, domain or store', () => {
  const bad = from('src/ocpp/rpc/').filter(
    (i) =>
      i.target.startsWith('src/ocpp/v') ||
      i.target.startsWith('src/domain/') ||
      i.target.startsWith('src/store/') ||
      i.target.startsWith('statecharts/') ||
      i.target.startsWith('hal/'),
  );
  assert.is(bad.length, 0, show(bad));
});

test('OCPP status words appear only under src/ocpp/ (hal and statecharts use session words)', () => {
  const words = /['"](SuspendedEV|SuspendedEVSE|Preparing|Finishing|Occupied|StatusNotification|BootNotification)['"]/;
  const offenders = ['hal', 'statecharts', 'src/domain']
    .flatMap((d) => sources(path.join(repo, d)))
    .filter((f) => words.test(readFileSync(f, 'utf8')))
    .map((f) => path.relative(repo, f));
  assert.equal(offenders, []);
});

test('only src/main.ts constructs the board, the database and the transport', () => {
  const constructors = /\b(createSimBoard|createSerialBoard|createCanBoard|openDatabase|new RpcClient|startControlServer)\s*\(/;
  const offenders = sources(path.join(repo, 'src'))
    .filter((f) => !f.endsWith(`${path.sep}main.ts`))
    .filter((f) => {
      const text = readFileSync(f, 'utf8');
      // The definitions themselves are fine.
      return constructors.test(text.replace(/export (async )?function \w+\s*\(/g, ''));
    })
    .map((f) => path.relative(repo, f));
  assert.equal(offenders, []);
});

test.run();
