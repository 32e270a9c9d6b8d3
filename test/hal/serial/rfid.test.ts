/**
 * The serial card reader's line protocol, on an in-memory channel and a manual clock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ByteChannel, PortStatus, PortStatusListener } from '../../../hal/serial/port.js';
import { SerialCardReader } from '../../../hal/serial/rfid.js';
import { ManualClock } from '../manual-clock.js';

class FakeChannel implements ByteChannel {
  readonly path = '/dev/fake-reader';
  private readonly data = new Set<(b: Buffer) => void>();
  private readonly statuses = new Set<PortStatusListener>();
  status(): PortStatus {
    return 'open';
  }
  write(): Promise<void> {
    return Promise.resolve();
  }
  onData(l: (b: Buffer) => void): () => void {
    this.data.add(l);
    return () => this.data.delete(l);
  }
  onStatus(l: PortStatusListener): () => void {
    this.statuses.add(l);
    return () => this.statuses.delete(l);
  }
  feed(text: string): void {
    for (const l of this.data) l(Buffer.from(text, 'latin1'));
  }
  reopen(): void {
    for (const l of this.statuses) l('open', 'reopened');
  }
}

function setup(connector = 0) {
  const channel = new FakeChannel();
  const clock = new ManualClock();
  const cards: [string, number][] = [];
  const reader = new SerialCardReader(channel, {
    connector,
    repeatSuppressMs: 2000,
    clock,
    onCard: (token, at) => cards.push([token, at]),
  });
  return { channel, clock, cards, reader };
}

test('one token per line (CR, LF or both), STX/ETX stripped, reported with the reader connector', () => {
  const { channel, cards } = setup(2);
  channel.feed('04A1B2C3D4E5F6\r\n');
  channel.feed('CAFE');
  channel.feed('BABE\n\x0212345678\x03\r');
  assert.equal(cards, [
    ['04A1B2C3D4E5F6', 2],
    ['CAFEBABE', 2],
    ['12345678', 2],
  ]);
});

test('repeats while the card stays in the field are one presentation', async () => {
  const { channel, clock, cards, reader } = setup();
  channel.feed('AA01\r');
  await clock.advance(500);
  channel.feed('AA01\r');
  await clock.advance(1900); // 1900 ms after the last sighting: still the same presentation
  channel.feed('AA01\r');
  await clock.advance(2000);
  channel.feed('AA01\r');
  assert.equal(cards, [
    ['AA01', 0],
    ['AA01', 0],
  ]);
  assert.equal(reader.counters(), { cards: 2, repeats: 2, rejectedLines: 0, overflowBytes: 0 });
});

test('lines that are not a token are discarded and counted; a reopen drops a partial line', () => {
  const { channel, cards, reader } = setup();
  channel.feed('two words\r');
  channel.feed(`${'X'.repeat(37)}\r`);
  channel.feed(`${'Y'.repeat(100)}\r`);
  channel.feed('\x01\x02\r');
  channel.feed('HALF');
  channel.reopen();
  channel.feed('OK1\r');
  assert.equal(cards, [['OK1', 0]]);
  assert.equal(reader.counters(), { cards: 1, repeats: 0, rejectedLines: 3, overflowBytes: 100 });
  reader.close();
  channel.feed('AFTER\r');
  assert.is(cards.length, 1, 'closed readers hear nothing');
});

test.run();
