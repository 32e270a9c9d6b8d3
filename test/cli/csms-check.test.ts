/**
 * `evsectl csms check` against a CSMS that fails at each step in turn: no listener, TLS with a
 * certificate for another name, HTTP 404, no common subprotocol, basic auth refused, registration
 * Rejected — and one that works. Each run names the failing step and its cause.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { TestCsms } from '../peers/csms.js';
import { EVSECTL_MAIN, EvsedProcess, eventually } from '../support/evsed.js';

interface Step {
  step: string;
  verdict: string;
  detail: string;
}
const test = suite<{ cleanup: Array<() => Promise<void> | void>; tmp: string }>('csms check', { cleanup: [], tmp: '' });

test.before((c) => {
  c.tmp = mkdtempSync(path.join(os.tmpdir(), 'csms-check-'));
});
test.after.each(async (c) => {
  for (const f of c.cleanup.splice(0).reverse()) await f();
});
test.after((c) => rmSync(c.tmp, { recursive: true, force: true }));

function check(evsed: EvsedProcess): Promise<{ code: number | null; result: { ok: boolean; steps: Step[] }; text: string }> {
  const run = (json: boolean) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [EVSECTL_MAIN, '--socket', evsed.socket, ...(json ? ['--json'] : []), 'csms', 'check'], {
        env: { ...process.env, NO_COLOR: '1' },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
  return Promise.all([run(true), run(false)]).then(([j, h]) => ({ code: j.code, result: JSON.parse(j.out), text: h.out }));
}

const verdicts = (steps: Step[]) => Object.fromEntries(steps.map((s) => [s.step, s.verdict]));
const stepOf = (steps: Step[], name: string) => steps.find((s) => s.step === name)!;

async function evsedFor(c: { cleanup: Array<() => Promise<void> | void> }, opts: ConstructorParameters<typeof EvsedProcess>[0]) {
  const evsed = await new EvsedProcess({ settings: { RetryBackOffWaitMinimum: 30, RetryBackOffRandomRange: 0 }, ...opts }).start();
  c.cleanup.push(() => evsed.dispose());
  return evsed;
}

test('a working CSMS: every step passes, exit 0', async (c) => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'], passwords: { 'CP-TEST-1': 'a-good-password-16' } });
  c.cleanup.push(() => csms.stop());
  const evsed = await evsedFor(c, { csmsUrl: csms.url, securityProfile: 1, password: 'a-good-password-16', settings: {} });
  await eventually(async () => (await evsed.ctl('status')).csms.registration === 'accepted', 5000, 'registered');
  const r = await check(evsed);
  assert.is(r.code, 0);
  assert.equal(verdicts(r.result.steps), { url: 'pass', dns: 'pass', tcp: 'pass', tls: 'skip', upgrade: 'pass', subprotocol: 'pass', auth: 'pass', boot: 'pass' });
  assert.match(r.text, /the CSMS connection works/);
});

test('no listener: TCP fails and says nothing listens there; later steps are skipped; exit 1', async (c) => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const evsed = await evsedFor(c, { csmsUrl: `ws://127.0.0.1:${port}` });
  const r = await check(evsed);
  assert.is(r.code, 1);
  assert.is(stepOf(r.result.steps, 'tcp').verdict, 'fail');
  assert.match(stepOf(r.result.steps, 'tcp').detail, /refused the connection: nothing listens there/);
  assert.is(stepOf(r.result.steps, 'boot').verdict, 'skip');
  assert.match(r.text, /problem at step "tcp"/);
});

test('TLS with a certificate for another name: the TLS step names the mismatch', async (c) => {
  const key = path.join(c.tmp, 'key.pem');
  const cert = path.join(c.tmp, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=other.example', '-addext', 'subjectAltName=DNS:other.example'], { encoding: 'utf8' });
  assert.is(made.status, 0, made.stderr);
  const server = tls.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  c.cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as net.AddressInfo).port;
  // The certificate is trusted (caFile), so what fails is the name, not the issuer.
  const evsed = await evsedFor(c, { csmsUrl: `wss://localhost:${port}`, caFile: cert });
  const r = await check(evsed);
  const t = stepOf(r.result.steps, 'tls');
  assert.is(t.verdict, 'fail');
  assert.match(t.detail, /not issued for this host name/);
  assert.match(t.detail, /other\.example/);
  assert.is(stepOf(r.result.steps, 'upgrade').verdict, 'skip');
});

test('HTTP 404 on the upgrade: the CSMS does not know this identity', async (c) => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  c.cleanup.push(() => csms.stop());
  csms.refuseConnections({ httpStatus: 404 });
  const evsed = await evsedFor(c, { csmsUrl: csms.url });
  const r = await check(evsed);
  assert.is(stepOf(r.result.steps, 'upgrade').verdict, 'fail');
  assert.match(stepOf(r.result.steps, 'upgrade').detail, /HTTP 404: the CSMS does not know this identity or path/);
});

test('no common subprotocol: the subprotocol step lists what was offered', async (c) => {
  const csms = await TestCsms.start({ protocols: ['ocpp2.0.1'] });
  c.cleanup.push(() => csms.stop());
  const evsed = await evsedFor(c, { csmsUrl: csms.url, protocols: ['ocpp1.6'] });
  const r = await check(evsed);
  assert.is(stepOf(r.result.steps, 'subprotocol').verdict, 'fail');
  assert.match(stepOf(r.result.steps, 'subprotocol').detail, /accepted none of ocpp1\.6/);
});

test('basic auth refused: the auth step names the user', async (c) => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'], passwords: { 'CP-TEST-1': 'the-right-password' } });
  c.cleanup.push(() => csms.stop());
  const evsed = await evsedFor(c, { csmsUrl: csms.url, securityProfile: 1, password: 'a-wrong-password-x' });
  const r = await check(evsed);
  assert.is(stepOf(r.result.steps, 'auth').verdict, 'fail');
  assert.match(stepOf(r.result.steps, 'auth').detail, /basic auth refused for user CP-TEST-1/);
  assert.is(stepOf(r.result.steps, 'boot').verdict, 'skip');
});

test('registration Rejected: the boot step fails', async (c) => {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'], boot: { status: 'Rejected', interval: 60 } });
  c.cleanup.push(() => csms.stop());
  const evsed = await evsedFor(c, { csmsUrl: csms.url });
  await csms.waitForCall('BootNotification');
  await eventually(async () => (await evsed.ctl('status')).csms.registration === 'rejected', 5000, 'rejected');
  const r = await check(evsed);
  assert.is(r.code, 1);
  assert.is(stepOf(r.result.steps, 'boot').verdict, 'fail');
  assert.match(stepOf(r.result.steps, 'boot').detail, /rejected/i);
});

test.run();
