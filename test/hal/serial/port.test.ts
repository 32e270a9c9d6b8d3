/**
 * Port ownership over real ptys: one owner per tty, lock errors, missing devices, losing the
 * device and getting it back.
 */
import { spawn } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HalError } from '../../../hal/errors.js';
import { createSerialBoard } from '../../../hal/serial/index.js';
import { ownedPorts, SerialPortOwner } from '../../../hal/serial/port.js';
import type { PortStatus } from '../../../hal/serial/port.js';
import { realHalClock } from '../../../hal/types.js';
import { createPtyPair, makeLinkDir, removeLinkDir } from './pty.js';
import type { PtyPair } from './pty.js';
import { SERIAL_TEST_CONNECTORS, sleep } from './serial-rig.js';
import { SimPort } from './sim-port.js';

const port = suite('serial port owner');

interface Ctx {
  dir: string;
  pair: PtyPair;
  owners: SerialPortOwner[];
}

const ctx: Ctx = { dir: '', pair: null as unknown as PtyPair, owners: [] };

function owner(path: string): SerialPortOwner {
  const o = new SerialPortOwner({
    path,
    baudRate: 115200,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    reopenInitialMs: 30,
    reopenMaxMs: 200,
    clock: realHalClock,
  });
  ctx.owners.push(o);
  return o;
}

async function rejection(promise: Promise<unknown>): Promise<HalError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, HalError);
    return error as HalError;
  }
  throw new Error('expected a rejection');
}

async function until(what: string, predicate: () => boolean, budgetMs = 3000): Promise<void> {
  for (let waited = 0; !predicate(); waited += 10) {
    if (waited >= budgetMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

port.before.each(async () => {
  ctx.dir = makeLinkDir();
  ctx.pair = await createPtyPair(`${ctx.dir}/a`, `${ctx.dir}/b`);
  ctx.owners = [];
});

port.after.each(async () => {
  for (const o of ctx.owners) await o.release();
  await ctx.pair.close();
  removeLinkDir(ctx.dir);
  assert.equal(ownedPorts(), [], 'every owner released');
});

port('a second owner of the same tty in this process is refused with portLocked', async () => {
  const first = owner(ctx.pair.a);
  await first.open();
  assert.is(first.status(), 'open');
  const again = await rejection(owner(ctx.pair.a).open());
  assert.is(again.code, 'portLocked');
  assert.is(again.message, `serial port is owned by another process: ${ctx.pair.a} is already owned in this process`);
  // The same device under another name is the same tty.
  const alias = `${ctx.dir}/alias`;
  symlinkSync(ctx.pair.devices[0] ?? '', alias);
  const aliased = await rejection(owner(alias).open());
  assert.is(aliased.code, 'portLocked');
  assert.match(aliased.message, `is the same device as ${ctx.pair.a}`);
  assert.equal(ownedPorts(), [ctx.pair.a]);
  await first.release();
  const next = owner(ctx.pair.a);
  await next.open();
  assert.is(next.status(), 'open', 'free again after release');
});

port('a tty locked by another process is refused with portLocked', async () => {
  const require = createRequire(import.meta.url);
  const serialport = require.resolve('serialport');
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const { SerialPort } = require(${JSON.stringify(serialport)});
       const p = new SerialPort({ path: ${JSON.stringify(ctx.pair.a)}, baudRate: 9600, lock: true }, (e) => {
         if (e) { console.log('error ' + e.message); process.exit(1); }
         console.log('locked');
       });
       setTimeout(() => process.exit(0), 5000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout?.on('data', (d: Buffer) => (String(d).includes('locked') ? resolve() : reject(new Error(String(d)))));
    });
    const error = await rejection(owner(ctx.pair.a).open());
    assert.is(error.code, 'portLocked');
    assert.match(error.message, `${ctx.pair.a}: Error Resource temporarily unavailable Cannot lock port`);
    assert.equal(ownedPorts(), [], 'a refused open gives the claim back');
  } finally {
    holder.kill('SIGKILL');
  }
});

port('a missing device is refused with portUnavailable naming the path; writes need an open port', async () => {
  const missing = owner(`${ctx.dir}/nothing-here`);
  const error = await rejection(missing.open());
  assert.is(error.code, 'portUnavailable');
  assert.is(error.recoverable, true);
  assert.match(error.message, `serial port cannot be opened: ${ctx.dir}/nothing-here: `);
  assert.equal(ownedPorts(), []);
  const never = owner(ctx.pair.a);
  const write = await rejection(never.write('x'));
  assert.is(write.code, 'portUnavailable');
  assert.is(write.message, `serial port cannot be opened: ${ctx.pair.a} is closed (not opened yet)`);
});

port('writes go out in order; received bytes reach every listener', async () => {
  const o = owner(ctx.pair.a);
  await o.open();
  let atDevice = '';
  const device = new SimPort(ctx.pair.b, (bytes) => (atDevice += bytes.toString('latin1')));
  await device.attach();
  try {
    const heard: string[] = [];
    o.onData((b) => heard.push(`1:${b.toString()}`));
    const off = o.onData((b) => heard.push(`2:${b.toString()}`));
    await Promise.all([o.write('abc'), o.write(Buffer.from('def')), o.write('ghi\r')]);
    await until('bytes at the device', () => atDevice === 'abcdefghi\r');
    device.write('hi');
    await until('bytes at the owner', () => heard.length === 2);
    off();
    device.write('!');
    await until('bytes at the remaining listener', () => heard.length === 3);
    assert.equal(heard, ['1:hi', '2:hi', '1:!']);
    assert.equal({ in: o.counters().bytesIn, out: o.counters().bytesOut }, { in: 3, out: 10 });
  } finally {
    await device.detach();
  }
});

port('a lost tty is reported, reopened with back-off when it returns, and reported open again', async () => {
  const o = owner(ctx.pair.a);
  const statuses: PortStatus[] = [];
  o.onStatus((s) => statuses.push(s));
  await o.open();
  await ctx.pair.close(); // the cable is pulled: both pty ends vanish
  await until('lost', () => o.status() === 'lost');
  const write = await rejection(o.write('x'));
  assert.is(write.code, 'portUnavailable');
  await sleep(150); // several reopen attempts fail meanwhile
  assert.ok(o.counters().reopenFailures >= 2, `reopen attempts while gone: ${o.counters().reopenFailures}`);
  ctx.pair = await createPtyPair(ctx.pair.a, ctx.pair.b); // plugged back in
  await until('open again', () => o.status() === 'open');
  assert.equal(statuses, ['open', 'lost', 'open']);
  assert.equal(
    { losses: o.counters().losses, reopens: o.counters().reopens },
    { losses: 1, reopens: 1 },
  );
  let atDevice = '';
  const device = new SimPort(ctx.pair.b, (bytes) => (atDevice += bytes.toString('latin1')));
  await device.attach();
  try {
    await o.write('back\r');
    await until('bytes after the reopen', () => atDevice === 'back\r');
  } finally {
    await device.detach();
  }
  await o.release();
  assert.is(o.status(), 'closed');
  assert.is((await rejection(o.open())).code, 'stopped');
});

port('board.start() names the first tty it cannot open, releases the others and counts as stopped', async () => {
  const config = (second: string) => ({
    connectors: [
      { connector: 1, controller: { port: ctx.pair.a } },
      { connector: 2, controller: { port: second } },
    ],
  });
  const missing = `${ctx.dir}/ttyUSB9`;
  const board = createSerialBoard({ connectors: SERIAL_TEST_CONNECTORS, config: config(missing) });
  const error = await rejection(board.start());
  assert.is(error.code, 'portUnavailable');
  assert.match(error.message, `serial port cannot be opened: ${missing}: `);
  assert.equal(ownedPorts(), [], 'the tty that did open is released again');
  assert.is((await rejection(board.start())).code, 'stopped');
  await board.stop();
  // A tty this process already owns: portLocked, naming it.
  const holder = owner(ctx.pair.a);
  await holder.open();
  const twice = createSerialBoard({ connectors: SERIAL_TEST_CONNECTORS, config: config(missing) });
  const locked = await rejection(twice.start());
  assert.is(locked.code, 'portLocked');
  assert.match(locked.message, `${ctx.pair.a} is already owned in this process`);
  assert.equal(ownedPorts(), [ctx.pair.a]);
});

port.run();
