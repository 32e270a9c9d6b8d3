/**
 * The RAPI driver on a bad line, over real ptys: garbage, wrong checksums, a silent controller,
 * a rebooting one, a pulled cable; sequence ids by protocol version.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HalError } from '../../../hal/errors.js';
import { ownedPorts } from '../../../hal/serial/index.js';
import { serialHarness } from './serial-rig.js';
import type { SerialHarness } from './serial-rig.js';

const link = suite('RAPI driver: line faults');
const ctx = { h: null as unknown as SerialHarness };

link.before.each(async () => {
  ctx.h = await serialHarness({ meters: 'controller', rapi: { 2: { protocolVersion: '2.0.4' } } });
});
link.after.each(async () => {
  await ctx.h.close();
});

/** EV plugged at connector 1, 16 A offered, EV asking, permission given: the relay is closed. */
async function charging(h: SerialHarness): Promise<void> {
  const hw = h.hw(1);
  const sim = h.rapi.get(1);
  sim?.plug();
  await h.until('pilot B', () => hw.pilot() === 'B');
  await hw.setOffer(16);
  sim?.request(true);
  await h.until('pilot C', () => hw.pilot() === 'C');
  await hw.setContactor(true);
  assert.is(hw.relayClosed(), true);
}

link('junk, partial lines and overlong noise are discarded and counted; nothing else changes', async () => {
  const { h } = ctx;
  const sim = h.rapi.get(1);
  const before = h.hw(1).diagnostics().counters;
  sim?.injectRaw('hello\r');
  sim?.injectRaw('\x00\x01$AT 99^00\r');
  sim?.injectRaw(`${'x'.repeat(200)}\r`);
  sim?.injectRaw('$AT 0'); // a partial frame: the next '$' starts over
  sim?.plug();
  await h.until('pilot B', () => h.hw(1).pilot() === 'B');
  const after = h.hw(1).diagnostics().counters;
  assert.equal(after.garbled, { noStart: 1, badChecksum: 1, missingChecksum: 0, malformed: 0 });
  assert.is(after.overflowBytes - before.overflowBytes, 200);
  assert.is(after.junkBytes - before.junkBytes, 5 + 2 + 5);
  assert.equal(
    h.of('hal.cpChanged', 1).map((e) => e.state),
    ['A', 'B'],
  );
  assert.equal(h.of('hal.faultRaised'), []);
});

link('a reply with a wrong checksum is discarded and the command retried', async () => {
  const { h } = ctx;
  const hw = h.hw(1);
  const sim = h.rapi.get(1);
  const retries = hw.diagnostics().counters.retries;
  sim?.corruptNext(1);
  await hw.setOffer(16); // its $SC reply is corrupted: retried after replyTimeoutMs
  assert.is(hw.offer(), 16);
  assert.equal([sim?.capacity(), sim?.enabled()], [16, true]);
  const c = hw.diagnostics().counters;
  assert.is(c.garbled.badChecksum, 1);
  assert.is(c.retries - retries, 1);
  assert.equal(h.of('hal.faultRaised'), []);
});

link('a silent controller: controllerLost, pilot F, contactor reported open; cleared when it answers', async () => {
  const { h } = ctx;
  const hw = h.hw(1);
  const sim = h.rapi.get(1);
  await charging(h);
  sim?.setSilent(true);
  await h.until('controllerLost', () => hw.faults().includes('controllerLost'));
  assert.is(hw.pilot(), 'F');
  assert.is(hw.relayClosed(), null);
  assert.equal(h.of('hal.contactorChanged', 1).map((e) => e.closed), [true, false]);
  const error = await hw.setOffer(10).catch((e: unknown) => e);
  assert.instance(error, HalError);
  assert.is((error as HalError).code, 'timeout');
  assert.equal([...h.hw(2).faults()], [], 'the other connector is unaffected');
  sim?.setSilent(false);
  await h.until('controllerLost cleared', () => hw.faults().length === 0);
  assert.is(hw.pilot(), 'C');
  assert.is(sim?.capacity(), 10, 'the offer commanded while it was silent is applied on return');
  assert.equal(h.of('hal.contactorChanged', 1).map((e) => e.closed), [true, false, true]);
  assert.equal(
    h.of('hal.faultRaised', 1).map((e) => e.code),
    ['controllerLost'],
  );
  assert.equal(h.of('hal.cpChanged', 1).map((e) => e.state), ['A', 'B', 'C', 'F', 'C']);
});

link('a reboot ($AB) is followed by a resync: offer and enable state sent again, state re-read', async () => {
  const { h } = ctx;
  const sim1 = h.rapi.get(1);
  const sim2 = h.rapi.get(2);
  sim1?.plug();
  await h.hw(1).setOffer(20);
  assert.is(sim2?.enabled(), false, 'no offer at connector 2: asleep');
  const t = sim1?.received.length ?? 0;
  sim1?.reboot(); // comes up enabled with 32 A from EEPROM
  sim2?.reboot();
  const after = (): string[] => (sim1?.received.slice(t) ?? []).map((c) => c.code).filter((c) => c !== 'GS' && c !== 'GG' && c !== 'GU');
  await h.until('connector 1 resynchronised', () => h.hw(1).diagnostics().counters.boots === 1 && after().includes('FE'));
  await h.until('connector 2 asleep again', () => sim2?.enabled() === false);
  assert.equal(after(), ['GV', 'SC', 'FE']);
  assert.equal([sim1?.enabled(), sim1?.capacity()], [true, 20]);
  assert.equal(h.of('hal.faultRaised'), []);
});

link('a reboot whose notice was lost is corrected from the state report (enabled without an offer)', async () => {
  const { h } = ctx;
  const sim = h.rapi.get(2);
  assert.is(sim?.enabled(), false);
  sim?.corruptNext(1);
  sim?.reboot();
  await h.until('asleep again', () => sim?.enabled() === false && (sim?.received.some((c) => c.code === 'FS') ?? false));
  const c = h.hw(2).diagnostics().counters;
  assert.equal([c.boots, c.garbled.badChecksum], [0, 1]);
});

link('a pulled cable: controllerLost at once, contactor open, pilot F; recovery when it is plugged back', async () => {
  const { h } = ctx;
  const hw = h.hw(1);
  await charging(h);
  await h.unplugCable('rapi1');
  await h.until('controllerLost', () => hw.faults().includes('controllerLost'));
  assert.is(hw.pilot(), 'F');
  assert.is(h.of('hal.contactorChanged', 1).at(-1)?.closed, false);
  const gone = await hw.setOffer(12).catch((e: unknown) => e);
  assert.is((gone as HalError).code, 'portUnavailable');
  await h.replugCable('rapi1');
  await h.until('recovered', () => hw.faults().length === 0 && hw.pilot() === 'C', 4000);
  assert.is(h.rapi.get(1)?.capacity(), 12);
  assert.is(h.board.diagnostics().ports.find((p) => p.path === h.link('rapi1'))?.counters.reopens, 1);
  assert.equal(h.of('hal.cpChanged', 1).map((e) => e.state), ['A', 'B', 'C', 'F', 'C']);
});

link('sequence ids: used with RAPI ≥ 3.0.0, not with older firmware', async () => {
  const { h } = ctx;
  await h.hw(1).setOffer(16);
  await h.hw(2).setOffer(16);
  const seq = (c: number) => h.rapi.get(c)?.commands('SC')[0]?.line ?? '';
  assert.match(seq(1), /^\$SC 16 V :[0-9A-F]{2}\^[0-9A-F]{2}$/);
  assert.match(seq(2), /^\$SC 16 V\^[0-9A-F]{2}$/);
  assert.equal(
    [h.hw(1).diagnostics().sequenceIds, h.hw(2).diagnostics().sequenceIds],
    [true, false],
  );
  assert.equal(h.hw(2).diagnostics().firmware, { version: '8.2.1', protocol: '2.0.4' });
});

link('stop() with a silent controller: ports released, rejects timeout naming the connector', async () => {
  const { h } = ctx;
  h.rapi.get(2)?.setSilent(true);
  const error = await h.board.stop().catch((e: unknown) => e);
  assert.instance(error, HalError);
  assert.is((error as HalError).code, 'timeout');
  assert.match((error as HalError).message, /^device did not answer in time: connector 2: sleep not acknowledged \(.*\), state unknown$/);
  assert.equal(ownedPorts(), []);
  assert.is(h.rapi.get(1)?.enabled(), false, 'the answering controller was put to sleep');
  assert.is(await h.board.stop(), undefined, 'a second stop() resolves');
});

link.run();
