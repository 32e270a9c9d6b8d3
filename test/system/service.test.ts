/**
 * evsed as a systemd service: the sd_notify datagrams (READY, STATUS, WATCHDOG, STOPPING) and the
 * journal's native entries with fields, received on sockets this test owns; a graceful stop on
 * SIGTERM during a charging session (close 1000, exit 0, hardware safe) and the session resumed
 * by the next start.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createUnixDgramSocket, type UnixDgramSocket } from '../../src/system/unix-dgram.js';
import { TestCsms } from '../peers/csms.js';
import { EVSED_MAIN, EvsedProcess, evsedNodeFlags, eventually } from '../support/evsed.js';
import { callsSince, sleep, waitAccepted, waitState } from '../support/station.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const test = suite<{ tmp: string; cleanup: Array<() => Promise<void> | void> }>('service', { tmp: '', cleanup: [] });

test.before((c) => {
  c.tmp = mkdtempSync(path.join(os.tmpdir(), 'evsed-service-'));
});
test.after.each(async (c) => {
  for (const f of c.cleanup.splice(0).reverse()) await f();
});
test.after((c) => rmSync(c.tmp, { recursive: true, force: true }));

function listen(c: { cleanup: Array<() => void> }, file: string): { messages: string[]; socket: UnixDgramSocket } {
  const messages: string[] = [];
  const socket = createUnixDgramSocket((msg) => messages.push(msg.toString()));
  socket.bind(file);
  c.cleanup.push(() => socket.close());
  return { messages, socket };
}

test('the unit starts node with the same flags as the entry point (memory: lite mode, 1 MiB semi-spaces), and node takes them silently', () => {
  const unit = readFileSync(path.join(REPO, 'systemd', 'evsed.service'), 'utf8');
  const exec = /^ExecStart=\/usr\/bin\/node (.*) \/opt\/evsed\/dist\/src\/main\.js --config \/etc\/evsed\/evsed\.json$/m.exec(unit);
  assert.ok(exec, 'ExecStart line');
  const flags = evsedNodeFlags(EVSED_MAIN);
  assert.equal(exec![1]!.split(' '), flags);
  assert.ok(flags.includes('--lite-mode'));
  const r = spawnSync(process.execPath, [...flags, '-e', 'process.stdout.write(String(typeof WebAssembly))'], { encoding: 'utf8' });
  assert.is(r.stderr, '', 'no flag warnings on stderr (they would land in the journal at every start)');
  assert.is(r.stdout, 'undefined');
});

test('W^X: under PR_SET_MDWE (what MemoryDenyWriteExecute= enforces) evsed with its flags loads everything and runs; plain node aborts', () => {
  // python3 sets the no-write-execute policy on itself, then becomes node (the policy stays across exec).
  const wx = (args: string[]) =>
    spawnSync('python3', ['-c', 'import ctypes,os,sys\nif ctypes.CDLL(None).prctl(65,1,0,0,0)!=0: sys.exit(77)\nos.execv(sys.argv[1], sys.argv[1:])', process.execPath, ...args], {
      encoding: 'utf8',
      timeout: 20_000,
    });
  const probe = wx(['-e', '0']);
  if (probe.status === 77) {
    process.stdout.write('  (kernel without PR_SET_MDWE: W^X check skipped)\n');
    return;
  }
  const flags = evsedNodeFlags(EVSED_MAIN);
  // --version: every module of the daemon is loaded (static imports) before the answer.
  const r = wx([...flags, EVSED_MAIN, '--version']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^evsed \S+\n$/);
  const work = wx([...flags, '-e', "const db = new (require('better-sqlite3'))(':memory:'); let x = 0; for (let i = 0; i < 1e6; i++) x += i % 7; /a+b/.test('aab'); process.stdout.write(String(db.prepare('select 1 as v').get().v + x))"]);
  assert.is(work.status, 0, work.stderr);
  const plain = wx(['-e', 'let x = 0; for (let i = 0; i < 1e7; i++) x += i % 7; console.log(x)']);
  assert.is.not(plain.status, 0, 'without lite mode V8 needs writable code memory');
});

test('sd_notify: READY=1 once the station is up, STATUS lines, WATCHDOG=1 from the event loop (not while stopped), STOPPING=1 on SIGTERM', async (c) => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  c.cleanup.push(() => csms.stop());
  const notify = listen(c, path.join(c.tmp, 'notify.sock'));
  const evsed = new EvsedProcess({
    csmsUrl: csms.url,
    env: { NOTIFY_SOCKET: path.join(c.tmp, 'notify.sock'), WATCHDOG_USEC: '400000' },
  });
  c.cleanup.push(() => evsed.dispose());
  await evsed.start();
  await eventually(() => notify.messages.some((m) => m.startsWith('READY=1')), 3000, 'READY=1');
  const ready = notify.messages.find((m) => m.startsWith('READY=1'))!;
  assert.match(ready, /STATUS=running; connecting to the CSMS/);
  assert.match(ready, new RegExp(`MAINPID=${evsed.pid}`));
  assert.ok(notify.messages.indexOf(ready) > notify.messages.findIndex((m) => m.startsWith('STATUS=starting')), 'a starting status comes first');
  await eventually(() => notify.messages.some((m) => /STATUS=CSMS ocpp1\.6, registration accepted/.test(m)), 5000, 'registered status');
  const pings = () => notify.messages.filter((m) => m === 'WATCHDOG=1\n').length;
  const before = pings();
  await sleep(1000);
  assert.ok(pings() - before >= 3, `${pings() - before} watchdog pings in 1 s (interval 200 ms)`);
  // A stopped (hung) process sends no pings: systemd would restart it.
  process.kill(evsed.pid!, 'SIGSTOP');
  const frozen = pings();
  await sleep(700);
  assert.is(pings(), frozen);
  process.kill(evsed.pid!, 'SIGCONT');
  await eventually(() => pings() > frozen, 2000, 'pings again');
  assert.is(await evsed.stop(), 0);
  assert.ok(notify.messages.some((m) => m.startsWith('STOPPING=1')));
});

test('journal: native entries with MESSAGE, PRIORITY, SYSLOG_IDENTIFIER and EVSED_* fields', async (c) => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  c.cleanup.push(() => csms.stop());
  const journal = listen(c, path.join(c.tmp, 'journal.sock'));
  const evsed = new EvsedProcess({ csmsUrl: csms.url, env: { EVSED_JOURNAL_SOCKET: path.join(c.tmp, 'journal.sock') } });
  c.cleanup.push(() => evsed.dispose());
  await evsed.start();
  await csms.waitForCall('StatusNotification');
  await evsed.ctl('sim.plug', { connector: 1 });
  await evsed.ctl('sim.swipe', { token: 'JOURNAL-1', connector: 1 });
  await eventually(() => journal.messages.some((m) => m.includes('MESSAGE=transaction started')), 3000, 'transaction log');
  const fields = (m: string) => Object.fromEntries(m.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const start = fields(journal.messages.find((m) => m.includes('MESSAGE=evsed starting'))!);
  assert.is(start.PRIORITY, '6');
  assert.is(start.SYSLOG_IDENTIFIER, 'evsed');
  assert.is(start.EVSED_IDENTITY, 'CP-TEST-1');
  const tx = fields(journal.messages.find((m) => m.includes('MESSAGE=transaction started'))!);
  assert.is(tx.EVSED_COMPONENT, 'transactions');
  assert.is(tx.EVSED_CONNECTOR, '1');
  assert.match(tx.EVSED_TRANSACTION ?? '', /^[0-9a-f-]{36}$/);
  assert.is(JSON.parse(tx.EVSED_JSON!).msg, 'transaction started');
  await eventually(() => journal.messages.some((m) => m.includes('MESSAGE=closing contactor')), 3000, 'contactor log');
  const contactor = fields(journal.messages.find((m) => m.includes('MESSAGE=closing contactor'))!);
  assert.is(contactor.EVSED_CONNECTOR, '1');
});

test('SIGTERM during charging: contactor opened, WebSocket closed with 1000, exit 0; the next start resumes the session', async (c) => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  c.cleanup.push(() => csms.stop());
  const first = new EvsedProcess({ csmsUrl: csms.url, timeScale: 60 });
  c.cleanup.push(() => first.dispose());
  await first.start();
  await waitAccepted(first);
  const since = csms.mark();
  await first.ctl('sim.plug', { connector: 1 });
  await first.ctl('sim.swipe', { token: 'TERM-1', connector: 1 });
  await waitState(first, 1, 'charging');
  assert.is(await first.stop(), 0);
  assert.is(csms.connections[0]!.closeCode, 1000);
  const saved = JSON.parse(readFileSync(path.join(first.dataDir, 'sim-board.json'), 'utf8'));
  assert.ok(saved.connectors[0].ev, 'the EV is still plugged in');
  const second = new EvsedProcess({ csmsUrl: csms.url, timeScale: 60, dataDir: first.dataDir });
  c.cleanup.push(() => second.kill9());
  await second.start();
  await waitAccepted(second);
  await waitState(second, 1, 'charging');
  await sleep(300);
  assert.is(callsSince(csms, 'StartTransaction', since).length, 1, 'no second StartTransaction');
  assert.is(callsSince(csms, 'StopTransaction', since).length, 0, 'not stopped');
});

test.run();
