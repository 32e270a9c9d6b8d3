/**
 * `hardware.serial` and `hardware.can` in the configuration file: exact keys and ranges from the
 * schema, cross-checks against `evses`, the driver section required by the driver in use, and
 * kcdPath resolved against the file. One line naming the key for each mistake.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, driverConfigError, parseConfig } from '../../src/config/load.js';

const minimal = { identity: 'CP-1', csms: { url: 'ws://csms.example/ocpp' } };
const rapi = (port = '/dev/ttyAMA0') => ({ port });
const serial = (section: unknown, evses?: unknown) => ({ ...minimal, ...(evses ? { evses } : {}), hardware: { driver: 'serial', serial: section } });

function problem(raw: unknown, baseDir = '/base'): string {
  try {
    parseConfig(raw, baseDir);
  } catch (err) {
    assert.instance(err, ConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

test('serial: a complete section is kept as written (the driver fills its defaults)', () => {
  const section = {
    rfidReader: { port: '/dev/ttyUSB1', repeatSuppressMs: 1000 },
    connectors: [{ connector: 1, controller: { port: '/dev/ttyAMA0', baudRate: 115200 }, meter: { port: '/dev/ttyUSB0', unitId: 3, model: 'sdm630' } }],
  };
  const c = parseConfig(serial(section), '/base');
  assert.is(c.hardware.driver, 'serial');
  assert.equal(c.hardware.serial, section);
  assert.equal(c.hardware.can, {});
});

test('serial: one line naming the key for each mistake', () => {
  assert.is(problem({ ...minimal, hardware: { driver: 'serial' } }), 'hardware.serial: is required with hardware.driver serial');
  assert.is(problem(serial({ connectors: [{ connector: 1, controller: { port: 'ttyAMA0' } }] })), 'hardware.serial.connectors[0].controller.port: must be an absolute device path');
  assert.is(problem(serial({ connectors: [{ connector: 1, controller: { ...rapi(), speed: 9600 } }] })), 'hardware.serial.connectors[0].controller.speed: unknown key');
  assert.is(problem(serial({ connectors: [{ connector: 1, controller: { ...rapi(), baudRate: 12345 } }] })), 'hardware.serial.connectors[0].controller.baudRate: must be one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400');
  assert.is(problem(serial({ connectors: [{ connector: 1, controller: rapi(), meter: { port: '/dev/ttyUSB0', unitId: 300, model: 'sdm630' } }] })), 'hardware.serial.connectors[0].meter.unitId: must be <= 247');
  assert.is(problem(serial({ connectors: [{ connector: 1, controller: rapi(), meter: { port: '/dev/ttyUSB0', unitId: 1, model: 'abb' } }] })), 'hardware.serial.connectors[0].meter.model: must be one of sdm630, sdm120');
  assert.is(problem(serial({ connectors: [{ connector: 1 }] })), 'hardware.serial.connectors[0].controller: is required');
  assert.is(problem(serial({ connectors: [{ connector: 2, controller: rapi() }] })), 'hardware.serial.connectors[0].connector: no connector 2 (evses has 1)');
  const two = [{ id: 1, connectors: [{ id: 1 }] }, { id: 2, connectors: [{ id: 1 }] }];
  assert.is(problem(serial({ connectors: [{ connector: 1, controller: rapi() }] }, two)), 'hardware.serial.connectors: no entry for connector 2');
  assert.is(
    problem(serial({ connectors: [{ connector: 1, controller: rapi() }] }, [{ id: 1, connectors: [{ id: 1, hasLock: true }] }])),
    'evses[0].connectors[0].hasLock: must be false with hardware.driver serial (a RAPI controller drives no lock)',
  );
});

test('serial: an unused section is still checked against the schema, not against evses', () => {
  const c = parseConfig({ ...minimal, hardware: { driver: 'sim', serial: { connectors: [{ connector: 5, controller: rapi() }] } } }, '/base');
  assert.is(c.hardware.driver, 'sim');
  assert.is(problem({ ...minimal, hardware: { driver: 'sim', serial: { connectors: [] } } }), 'hardware.serial.connectors: must NOT have fewer than 1 items');
});

test('can: interface required and checked; mapping ranges; kcdPath relative to the file and readable', () => {
  assert.is(problem({ ...minimal, hardware: { driver: 'can' } }), 'hardware.can: is required with hardware.driver can');
  assert.is(problem({ ...minimal, hardware: { driver: 'can', can: {} } }), 'hardware.can.interface: is required');
  assert.is(problem({ ...minimal, hardware: { driver: 'can', can: { interface: 'can0 up' } } }), 'hardware.can.interface: must be a network interface name (1 to 15 characters, no / or space)');
  assert.is(problem({ ...minimal, hardware: { driver: 'can', can: { interface: 'can0', mapping: [{ connector: 1, node: 16, channel: 1 }] } } }), 'hardware.can.mapping[0].node: must be <= 15');
  assert.is(problem({ ...minimal, hardware: { driver: 'can', can: { interface: 'can0', heartbeatTimeoutMs: 30_000 } } }), 'hardware.can.heartbeatTimeoutMs: must be <= 25500');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-kcd-'));
  try {
    writeFileSync(path.join(dir, 'mine.kcd'), '<NetworkDefinition/>');
    const c = parseConfig({ ...minimal, hardware: { driver: 'can', can: { interface: 'can0', kcdPath: 'mine.kcd' } } }, dir);
    assert.equal(c.hardware.can, { interface: 'can0', kcdPath: path.join(dir, 'mine.kcd') });
    assert.is(problem({ ...minimal, hardware: { driver: 'can', can: { interface: 'can0', kcdPath: 'other.kcd' } } }, dir), `hardware.can.kcdPath: cannot read ${path.join(dir, 'other.kcd')}: ENOENT`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a driver's own refusal becomes the ConfigError naming the same key", () => {
  const serialErr = driverConfigError('serial', new RangeError('hardware.serial.connectors[1].meter.unitId: unit 1 is already used on /dev/ttyUSB0'));
  assert.is(serialErr?.message, 'hardware.serial.connectors[1].meter.unitId: unit 1 is already used on /dev/ttyUSB0');
  assert.is(driverConfigError('can', new RangeError('can option ackTimeoutMs must be a positive number of ms, got -1'))?.message, 'hardware.can.ackTimeoutMs: must be a positive number of ms, got -1');
  assert.is(driverConfigError('can', new RangeError('can option mapping[0].connector: no connector 3'))?.message, 'hardware.can.mapping[0].connector: no connector 3');
  assert.is(driverConfigError('can', new Error('not a range error')), null);
});

test.run();
