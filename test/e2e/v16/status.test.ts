/**
 * OCPP 1.6 MinimumStatusDuration end to end (16 §4.9, §9.1.16, errata 3.19): a status must be
 * stable this long before it is reported; a status that changes back before then is never
 * reported.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { callsSince, sleep } from '../../support/station.js';
import { disposeRig, startRig, statuses, waitStatus, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('1.6 MinimumStatusDuration');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

test('16 §4.9 - MinimumStatusDuration=2: a Preparing that lasts 1 s (plug, then unplug) is never reported', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  assert.equal(await csms.call('ChangeConfiguration', { key: 'MinimumStatusDuration', value: '2' }), { status: 'Accepted' });
  await sleep(300);
  const mark = csms.mark();
  await evsed.ctl('sim.plug', { connector: 1 });
  await sleep(1000);
  await evsed.ctl('sim.unplug', { connector: 1 });
  await sleep(2500);
  assert.equal(callsSince(csms, 'StatusNotification', mark).map((m) => m.payload), []);
  assert.equal(csms.violations(), []);
});

test('16 §4.9 - MinimumStatusDuration=2: a status stable for longer is reported once, after 2 s', async (c) => {
  const { csms, evsed } = (c.rig = await startRig({ settings: { MinimumStatusDuration: 2 } }));
  await sleep(300);
  const mark = csms.mark();
  await evsed.ctl('sim.plug', { connector: 2 });
  const pluggedAt = Date.now();
  const note = await waitStatus(csms, 2, 'Preparing', mark, 4000);
  const waited = note.at - pluggedAt;
  assert.ok(waited >= 1900 && waited < 3000, `reported ${waited} ms after the plug`);
  await sleep(600);
  assert.equal(statuses(csms, 2, mark), ['Preparing']);
  assert.equal(statuses(csms, 1, mark), []);
});

test.run();
