/**
 * The RAPI transport on an in-memory channel and a manual clock: queueing, the priority lane,
 * sequence ids, timeouts and retries, late and unmatched replies.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HalError } from '../../../hal/errors.js';
import type { ByteChannel, PortStatus, PortStatusListener } from '../../../hal/serial/port.js';
import { RapiClient } from '../../../hal/serial/rapi/client.js';
import type { RapiReply } from '../../../hal/serial/rapi/client.js';
import { encodeRapi } from '../../../hal/serial/rapi/protocol.js';
import { ManualClock } from '../manual-clock.js';

class Wire implements ByteChannel {
  readonly path = '/dev/fake-rapi';
  readonly written: string[] = [];
  private readonly data = new Set<(b: Buffer) => void>();
  status(): PortStatus {
    return 'open';
  }
  write(bytes: Uint8Array | string): Promise<void> {
    this.written.push(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('latin1'));
    return Promise.resolve();
  }
  onData(l: (b: Buffer) => void): () => void {
    this.data.add(l);
    return () => this.data.delete(l);
  }
  onStatus(_l: PortStatusListener): () => void {
    return () => undefined;
  }
  /** The controller answers `code params` echoing the sequence id of written line `i`. */
  reply(i: number, code: 'OK' | 'NK', params: (string | number)[] = []): void {
    const seq = /:([0-9A-F]{2})\^/.exec(this.written[i] ?? '')?.[1];
    this.feed(encodeRapi(code, params, seq ? parseInt(seq, 16) : null));
  }
  feed(text: string): void {
    for (const l of this.data) l(Buffer.from(text, 'latin1'));
  }
}

function setup(seqIds = true) {
  const wire = new Wire();
  const clock = new ManualClock();
  const client = new RapiClient(wire, { replyTimeoutMs: 100, retries: 2, allowMissingChecksum: false, clock });
  client.setSequenceIds(seqIds);
  return { wire, clock, client };
}

const tick = () => new Promise((r) => setImmediate(r));
const codes = (wire: Wire) => wire.written.map((l) => l.slice(1, 3));

test('one exchange at a time; the priority lane passes normal commands and keeps its own order', async () => {
  const { wire, client } = setup(false);
  const results: string[] = [];
  const track = (name: string, p: Promise<RapiReply>) => p.then((r) => results.push(`${name}:${r.ok}`));
  track('GS', client.send('GS'));
  track('GG', client.send('GG'));
  track('FE', client.send('FE', [], { priority: true }));
  track('FS', client.send('FS', [], { priority: true }));
  assert.equal(codes(wire), ['GS'], 'without sequence ids nothing is pipelined');
  wire.reply(0, 'OK');
  await tick();
  assert.equal(codes(wire), ['GS', 'FE']);
  wire.reply(1, 'OK');
  await tick();
  wire.reply(2, 'NK');
  await tick();
  wire.reply(3, 'OK');
  await tick();
  assert.equal(codes(wire), ['GS', 'FE', 'FS', 'GG']);
  assert.equal(results, ['GS:true', 'FE:true', 'FS:false', 'GG:true']);
});

test('with sequence ids a priority command is written at once beside the exchange in flight', async () => {
  const { wire, client } = setup(true);
  const gs = client.send('GS');
  const fs = client.send('FS', [], { priority: true });
  assert.equal(wire.written, ['$GS :01^2B\r', '$FS :02^29\r']);
  wire.reply(1, 'OK');
  wire.reply(0, 'OK', ['01', '0', '01', '0000']);
  assert.equal((await fs).ok, true);
  assert.equal((await gs).params, ['01', '0', '01', '0000']);
  assert.ok((await gs).order > (await fs).order, 'arrival order');
});

test('a silent controller: retries with fresh ids, then HalError timeout; late replies are discarded', async () => {
  const { wire, clock, client } = setup(true);
  const silent: string[] = [];
  client.onSilent((d) => silent.push(d));
  const outcome = client.send('GS').then(
    () => 'resolved',
    (e: unknown) => e,
  );
  await clock.advance(100);
  await clock.advance(100);
  assert.equal(wire.written.map((l) => l.replace(/\^..\r$/, '')), ['$GS :01', '$GS :02', '$GS :03']);
  wire.reply(0, 'OK'); // attempt 1 answers late: not the attempt in flight
  await clock.advance(100);
  const error = await outcome;
  assert.instance(error, HalError);
  assert.is((error as HalError).code, 'timeout');
  assert.is((error as HalError).message, 'device did not answer in time: /dev/fake-rapi: $GS not answered (100 ms per attempt)');
  assert.equal(silent, ['/dev/fake-rapi: $GS not answered (100 ms per attempt)']);
  const c = client.counters();
  assert.equal([c.commands, c.retries, c.timeouts, c.unmatchedReplies], [3, 2, 1, 1]);
});

test('a late retry answer still completes the command; stray replies are counted, not matched', async () => {
  const { wire, clock, client } = setup(true);
  const p = client.send('GU');
  await clock.advance(100);
  wire.reply(1, 'OK', [3600, 1000]);
  assert.equal((await p).params, ['3600', '1000']);
  wire.feed(encodeRapi('OK', [], 0x7f));
  wire.feed('$OK^20\r'); // no id while ids are in use
  assert.is(client.counters().unmatchedReplies, 2);
  assert.is(client.busy(), 0);
});

test('async frames go to listeners with their arrival order; close rejects what waits', async () => {
  const { wire, client } = setup(true);
  const seen: [string, number][] = [];
  client.onAsync((f, order) => seen.push([`${f.code} ${f.params.join(' ')}`, order]));
  wire.feed(`${encodeRapi('AT', ['03', '03', 16, '0140'])}junk\r${encodeRapi('AB', ['00', '8.2.1'])}`);
  assert.equal(seen, [
    ['AT 03 03 16 0140', 1],
    ['AB 00 8.2.1', 2],
  ]);
  const waiting = client.send('GS').catch((e: unknown) => e);
  client.close();
  assert.is(((await waiting) as HalError).code, 'stopped');
  assert.is(((await client.send('GS').catch((e: unknown) => e)) as HalError).code, 'stopped');
});

test.run();
