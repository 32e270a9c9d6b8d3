/**
 * The daemon runs from the bundle `npm run build` writes (src/build/bundle.ts): one entry file
 * with its node flags, chunks beside it; the hardware drivers stay out of a station that does not
 * use them (no serialport or socketcan native addon mapped into a simulated-board daemon), and
 * paths found from a module (package.json for the version) still resolve from the bundle.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestCsms } from '../peers/csms.js';
import { EVSED_MAIN, EvsedProcess } from '../support/evsed.js';
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

test.run();
