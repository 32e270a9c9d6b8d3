/**
 * The evsed daemon on its serial drivers, end to end: an OpenEVSE controller (RAPI), an Eastron
 * SDM630 on Modbus RTU and a serial card reader, each a simulator behind a real pty pair (socat),
 * and the ocpp-rpc strict CSMS on the other side. Nothing here reaches into the daemon: the
 * devices see bytes, the CSMS sees OCPP, the technician sees `status`.
 *
 * Also the start-up refusals a technician meets on site: a driver option the driver cannot use
 * (exit 2, the key named), a port that is not there and a CAN interface that is not there (exit 1,
 * the device named).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestCsms } from '../../peers/csms.js';
import { EVSED_MAIN, eventually, runEvsectl as evsectl } from '../../support/evsed.js';
import { answerTo, callsSince, sleep, status } from '../../support/station.js';
import { FAST_TIMINGS } from '../../hal/serial/serial-rig.js';
import { METER_START_KWH, startSerialStation, stopSerialStation, type SerialStation } from './serial-station.js';

const test = suite<{ station?: SerialStation }>('serial hardware end to end');

test.after.each(async (c) => {
  await stopSerialStation(c.station);
  c.station = undefined;
});

/** The last StatusNotification of connector 1 since `since` has this status (and error code). */
async function waitStatus(csms: TestCsms, since: number, wanted: string, errorCode?: string, timeoutMs = 5000): Promise<void> {
  await eventually(
    async () => {
      const last = callsSince(csms, 'StatusNotification', since).filter((m) => m.payload.connectorId === 1).at(-1);
      return last?.payload.status === wanted && (errorCode === undefined || last.payload.errorCode === errorCode);
    },
    timeoutMs,
    `StatusNotification ${wanted}${errorCode ? ` ${errorCode}` : ''}`,
  );
}

test('16 §5 - a session on RAPI + Modbus + card reader: meterStart is the meter register, the relay follows the session, meterStop − meterStart is what the meter counted', async (c) => {
  const b = (c.station = await startSerialStation());
  const { csms, evsed, rapi, modbus } = b;
  assert.is((await status(evsed)).driver, 'serial');
  await waitStatus(csms, 0, 'Available');
  const since = csms.mark();

  rapi.plug();
  await waitStatus(csms, since, 'Preparing');
  b.reader.write('04A1B2C3D4\r\n');
  const start = await csms.waitForCall('StartTransaction', { since, timeoutMs: 5000 });
  assert.is(start.payload.idTag, '04A1B2C3D4');
  assert.is(start.payload.connectorId, 1);
  assert.is(start.payload.meterStart, Math.round(METER_START_KWH * 1000), 'meterStart read from the SDM630 register');
  const txId = (await answerTo(csms, start)).payload.transactionId;
  assert.not.ok(rapi.relayClosed(), 'no relay before the EV asks');

  rapi.request(true);
  await eventually(async () => rapi.relayClosed() && (await status(evsed)).connectors[0]!.contactorClosed, 3000, 'relay closed');
  await waitStatus(csms, since, 'Charging');
  assert.ok(rapi.commands('FE').length > 0, 'the controller was enabled with $FE');
  await sleep(1500);
  const live = (await status(evsed)).connectors[0]!;
  assert.ok(live.powerW > 20_000, `${live.powerW} W measured while drawing 32 A on three phases`);

  rapi.request(false); // the EV is full: no more current, the register stops
  await eventually(async () => (await status(evsed)).connectors[0]!.powerW === 0, 3000, 'no power');
  await sleep(3 * FAST_TIMINGS.meter.pollIntervalMs);
  const counted = Math.round(Math.fround(modbus.energyKWh(1)) * 1000);
  rapi.unplug();
  const stop = await csms.waitForCall('StopTransaction', { since, timeoutMs: 5000 });
  assert.is(stop.payload.transactionId, txId);
  assert.is(stop.payload.reason, 'EVDisconnected');
  assert.ok(Math.abs(stop.payload.meterStop - counted) <= 1, `meterStop ${stop.payload.meterStop} vs meter register ${counted} Wh`);
  const energy = stop.payload.meterStop - start.payload.meterStart;
  assert.ok(energy >= 5, `${energy} Wh charged`);
  await eventually(async () => !(await status(evsed)).connectors[0]!.contactorClosed, 2000, 'contactor open');
  assert.not.ok(rapi.relayClosed());
  await waitStatus(csms, since, 'Available');
  assert.is(callsSince(csms, 'StartTransaction', since).length, 1);
  assert.is(callsSince(csms, 'StopTransaction', since).length, 1);
  assert.equal(csms.violations(), []);
});

test('unplug while charging: the relay opens without waiting for the CSMS, the stop is queued', async (c) => {
  const b = (c.station = await startSerialStation());
  const { csms, evsed, rapi } = b;
  await waitStatus(csms, 0, 'Available');
  const since = csms.mark();
  rapi.plug();
  b.reader.write('CARD-2\r\n');
  await csms.waitForCall('StartTransaction', { since, timeoutMs: 5000 });
  rapi.request(true);
  await eventually(async () => rapi.relayClosed(), 3000, 'relay closed');
  await csms.goDown({ abrupt: true });
  const t0 = Date.now();
  rapi.unplug();
  await eventually(async () => !rapi.relayClosed() && !(await status(evsed)).connectors[0]!.contactorClosed, 2000, 'relay open');
  const openedMs = Date.now() - t0;
  await csms.comeBack();
  const stop = await csms.waitForCall('StopTransaction', { since, timeoutMs: 10_000 });
  assert.is(stop.payload.reason, 'EVDisconnected');
  assert.ok(openedMs < 1000, `relay open ${openedMs} ms after the unplug, CSMS down`);
  assert.equal(csms.violations(), []);
});

const row = (out: string, kind: string): string => out.split('\n').find((l) => l.startsWith(kind)) ?? '';

test('the controller falls silent: Faulted (InternalError), `hw info` says so; it answers again: Available', async (c) => {
  const b = (c.station = await startSerialStation());
  const { csms, evsed, rapi } = b;
  await waitStatus(csms, 0, 'Available');
  const before = await evsectl(['--socket', evsed.socket, 'hw', 'info']);
  assert.is(before.code, 0);
  assert.match(before.out, /^driver serial/);
  assert.match(row(before.out, 'controller'), /connector 1 \(.*rapi-a\)\s+up\s+firmware 8\.2\.1, RAPI 5\.1\.0; relay open/);
  assert.match(row(before.out, 'meter'), /ok\s+SDM630 .*unit 1/i);
  assert.ok(before.out.split('\n').filter((l) => l.startsWith('port')).every((l) => /\sopen\s/.test(l)), before.out);
  assert.match(row(before.out, 'reader'), /reader-a\s+shared/);
  const sim = await evsectl(['--socket', evsed.socket, 'sim', 'plug', '1']);
  assert.is(sim.code, 1, 'sim commands are refused on real hardware');
  assert.match(sim.err, /sim commands need hardware.driver "sim" \(this station uses "serial"\)/);

  const since = csms.mark();
  rapi.setSilent(true);
  await waitStatus(csms, since, 'Faulted', 'InternalError');
  assert.ok((await status(evsed)).connectors[0]!.faults.includes('controllerLost'));
  const during = await evsectl(['--socket', evsed.socket, 'hw', 'info']);
  assert.match(row(during.out, 'controller'), /\sdown\s.*timeouts=\d+/);
  const json = JSON.parse((await evsectl(['--socket', evsed.socket, '--json', 'hw', 'info'])).out);
  assert.is(json.devices.find((d: { kind: string }) => d.kind === 'controller').state, 'down');

  const back = csms.mark();
  rapi.setSilent(false);
  await waitStatus(csms, back, 'Available', 'NoError');
  assert.equal((await status(evsed)).connectors[0]!.faults, []);
  assert.match(row((await evsectl(['--socket', evsed.socket, 'hw', 'info'])).out, 'controller'), /\sup\s/);
  assert.equal(csms.violations(), []);
});

test('the meter stops answering: Faulted (PowerMeterFailure), no charging; it answers again: Available', async (c) => {
  const b = (c.station = await startSerialStation());
  const { csms, evsed, rapi, modbus } = b;
  await waitStatus(csms, 0, 'Available');
  const since = csms.mark();
  modbus.inject(1, { kind: 'silence' }, 1_000_000);
  await waitStatus(csms, since, 'Faulted', 'PowerMeterFailure');
  rapi.plug();
  rapi.request(true);
  await sleep(500);
  assert.not.ok(rapi.relayClosed(), 'no energy without a working meter');
  const back = csms.mark();
  modbus.inject(1, null);
  await waitStatus(csms, back, 'Preparing', 'NoError');
  assert.not.ok(rapi.relayClosed(), 'still no session');
  assert.equal(csms.violations(), []);
});

/** Run evsed once on a config file; it must exit by itself. */
function runOnce(config: object): { status: number | null; stderr: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-hw-'));
  try {
    const file = path.join(dir, 'evsed.json');
    writeFileSync(file, JSON.stringify({ identity: 'CP-HW', csms: { url: 'ws://127.0.0.1:9/ocpp' }, dataDir: path.join(dir, 'var'), log: { level: 'silent' }, ...config }));
    const r = spawnSync(process.execPath, [EVSED_MAIN, '--config', file], { encoding: 'utf8', timeout: 15_000 });
    return { status: r.status, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('start-up refusals name the key or the device: exit 2 for options, exit 1 for missing hardware', () => {
  const shared = runOnce({
    hardware: {
      driver: 'serial',
      serial: { connectors: [{ connector: 1, controller: { port: '/dev/ttyEVSED0' }, meter: { port: '/dev/ttyEVSED0', unitId: 1, model: 'sdm630' } }] },
    },
  });
  assert.is(shared.status, 2);
  assert.is(shared.stderr, 'evsed: config error: hardware.serial.connectors[0].meter.port: /dev/ttyEVSED0 is already used by hardware.serial.connectors[0].controller\n');

  const missingPort = runOnce({ hardware: { driver: 'serial', serial: { connectors: [{ connector: 1, controller: { port: '/dev/ttyEVSED0' } }] } } });
  assert.is(missingPort.status, 1);
  assert.match(missingPort.stderr, /^evsed: cannot start the serial hardware: .*\/dev\/ttyEVSED0/);
  assert.is(missingPort.stderr.split('\n').length, 2, 'one line');

  const timing = runOnce({ hardware: { driver: 'can', can: { interface: 'evsedtest0', heartbeatPeriodMs: 500, heartbeatTimeoutMs: 600 } } });
  assert.is(timing.status, 2);
  assert.match(timing.stderr, /^evsed: config error: hardware\.can\.heartbeatTimeoutMs: must be within 2 × heartbeatPeriodMs/);

  const noInterface = runOnce({ hardware: { driver: 'can', can: { interface: 'evsedtest0' } } });
  assert.is(noInterface.status, 1);
  assert.is(noInterface.stderr, 'evsed: cannot start the can hardware: network interface does not exist: evsedtest0\n');

  const noSection = runOnce({ hardware: { driver: 'can' } });
  assert.is(noSection.status, 2);
  assert.is(noSection.stderr, 'evsed: config error: hardware.can: is required with hardware.driver can\n');
});

test.run();
