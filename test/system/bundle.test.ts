/**
 * The daemon runs from the bundle `npm run build` writes (src/build/bundle.ts): one entry file
 * with its node flags, chunks beside it; the hardware drivers stay out of a station that does not
 * use them (no serialport or socketcan native addon mapped into a simulated-board daemon), and
 * paths found from a module (package.json for the version) still resolve from the bundle.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestCsms } from '../peers/csms.js';
import { EVSED_MAIN, EvsedProcess, evsedNodeFlags } from '../support/evsed.js';
import { status, waitAccepted } from '../support/station.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test('dist/src/main.js is the bundle: #! line kept, only chunks and npm packages imported', () => {
  const text = readFileSync(EVSED_MAIN, 'utf8');
  assert.match(text.split('\n', 1)[0]!, /^#!\/usr\/bin\/env -S node /);
  const relative = [...text.matchAll(/(?:from|import\()\s*["'](\.[^"']+)["']/g)].map((m) => m[1]!);
  assert.ok(relative.length > 0);
  assert.equal(relative.filter((r) => !r.startsWith('./chunks/')), [], 'imports outside the bundle');
  const chunks = readdirSync(path.join(path.dirname(EVSED_MAIN), 'chunks'));
  assert.ok(chunks.some((c) => c.startsWith('serial-')) && chunks.some((c) => c.startsWith('can-')), chunks.join(' '));
});

test('a simulated-board daemon maps no serial or CAN native addon, and reports the version of package.json', async () => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  const evsed = new EvsedProcess({ csmsUrl: csms.url });
  try {
    await evsed.start();
    await waitAccepted(evsed);
    const st = await status(evsed);
    const maps = readFileSync(`/proc/${st.process.pid}/maps`, 'utf8');
    assert.match(maps, /better_sqlite3\.node/, 'the database addon is there');
    assert.not.match(maps, /bindings-cpp/, 'serialport not loaded');
    assert.not.match(maps, /socketcan/, 'socketcan not loaded');
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    assert.is(st.version, pkg.version);
  } finally {
    await evsed.dispose();
    await csms.stop();
  }
});

test('the installed layout (package.json, dist/, node_modules/ only, as install.sh copies them) runs: version, CAN frame database', () => {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'evsed-prefix-'));
  try {
    cpSync(path.join(REPO, 'package.json'), path.join(prefix, 'package.json'));
    cpSync(path.join(REPO, 'dist'), path.join(prefix, 'dist'), { recursive: true, filter: (src) => !src.includes(`${path.sep}test${path.sep}`) && !src.endsWith('.map') });
    symlinkSync(path.join(REPO, 'node_modules'), path.join(prefix, 'node_modules'));
    const main = path.join(prefix, 'dist', 'src', 'main.js');
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    const version = spawnSync(process.execPath, [...evsedNodeFlags(main), main, '--version'], { encoding: 'utf8' });
    assert.is(version.stdout, `evsed ${pkg.version}\n`);
    // The CAN driver loads its frame database before it opens the interface: getting as far as
    // the missing interface means the shipped evsed-io.kcd was found inside the installation.
    const config = path.join(prefix, 'evsed.json');
    writeFileSync(config, JSON.stringify({ identity: 'CP-I', csms: { url: 'ws://127.0.0.1:9/ocpp' }, dataDir: path.join(prefix, 'var'), log: { level: 'silent' }, hardware: { driver: 'can', can: { interface: 'evsedtest0' } } }));
    const can = spawnSync(process.execPath, [...evsedNodeFlags(main), main, '--config', config], { encoding: 'utf8', timeout: 15_000 });
    assert.is(can.stderr, 'evsed: cannot start the can hardware: network interface does not exist: evsedtest0\n');
    assert.is(can.status, 1);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});

test.run();
