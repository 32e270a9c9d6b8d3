/**
 * `hardware.serial` validation and the Eastron register maps, without I/O.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSerialBoard, resolveSerialConfig, SERIAL_DEFAULTS } from '../../../hal/serial/index.js';
import { METER_MAPS, registerReader } from '../../../hal/serial/modbus/registers.js';
import { SERIAL_TEST_CONNECTORS } from './serial-rig.js';

const minimal = { connectors: [{ connector: 1, controller: { port: '/dev/ttyUSB0' } }] };

test('defaults fill a minimal config', () => {
  assert.equal(resolveSerialConfig(minimal), {
    connectors: [
      {
        connector: 1,
        controller: { port: '/dev/ttyUSB0', ...SERIAL_DEFAULTS.controller },
        meter: null,
        rfidReader: null,
      },
    ],
    rfidReader: null,
    reopenInitialMs: 500,
    reopenMaxMs: 10_000,
  });
  const withMeter = resolveSerialConfig({
    connectors: [{ connector: 1, controller: { port: '/dev/ttyUSB0' }, meter: { port: '/dev/ttyUSB1', unitId: 3, model: 'sdm120' } }],
  });
  assert.equal(withMeter.connectors[0]?.meter, {
    port: '/dev/ttyUSB1',
    unitId: 3,
    model: 'sdm120',
    baudRate: 9600,
    parity: 'none',
    stopBits: 1,
    pollIntervalMs: 1000,
    timeoutMs: 500,
    retries: 1,
  });
});

test('a wrong config is refused with a RangeError naming the key', () => {
  const cases: [unknown, string][] = [
    [null, 'hardware.serial: must be an object, got null'],
    [{ connectors: [] }, 'hardware.serial.connectors: must be a non-empty list, got []'],
    [{ ...minimal, extra: 1 }, 'hardware.serial.extra: unknown key (allowed: connectors, rfidReader, reopenInitialMs, reopenMaxMs)'],
    [{ connectors: [{ connector: 1 }] }, 'hardware.serial.connectors[0].controller: is required'],
    [
      { connectors: [{ connector: 1, controller: { port: 'ttyUSB0' } }] },
      'hardware.serial.connectors[0].controller.port: must be an absolute device path, got "ttyUSB0"',
    ],
    [
      { connectors: [{ connector: 1, controller: { port: '/dev/a', baudRate: 1000 } }] },
      'hardware.serial.connectors[0].controller.baudRate: must be one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, got 1000',
    ],
    [
      { connectors: [{ connector: 1, controller: { port: '/dev/a', sequenceIds: 'yes' } }] },
      'hardware.serial.connectors[0].controller.sequenceIds: must be one of auto, on, off, got "yes"',
    ],
    [
      { connectors: [{ connector: 1, controller: { port: '/dev/a' }, meter: { port: '/dev/b', unitId: 0, model: 'sdm630' } }] },
      'hardware.serial.connectors[0].meter.unitId: must be an integer from 1 to 247, got 0',
    ],
    [
      { connectors: [{ connector: 1, controller: { port: '/dev/a' }, meter: { port: '/dev/b', unitId: 1 } }] },
      'hardware.serial.connectors[0].meter.model: is required (one of sdm630, sdm120)',
    ],
    [
      {
        connectors: [
          { connector: 1, controller: { port: '/dev/a' } },
          { connector: 1, controller: { port: '/dev/b' } },
        ],
      },
      'hardware.serial.connectors[1].connector: connector 1 is already configured at hardware.serial.connectors[0]',
    ],
    [
      {
        connectors: [
          { connector: 1, controller: { port: '/dev/a' } },
          { connector: 2, controller: { port: '/dev/a' } },
        ],
      },
      'hardware.serial.connectors[1].controller.port: /dev/a is already used by hardware.serial.connectors[0].controller',
    ],
    [
      {
        connectors: [
          { connector: 1, controller: { port: '/dev/a' }, meter: { port: '/dev/m', unitId: 1, model: 'sdm630' } },
          { connector: 2, controller: { port: '/dev/b' }, meter: { port: '/dev/m', unitId: 1, model: 'sdm120' } },
        ],
      },
      'hardware.serial.connectors[1].meter.unitId: unit 1 is already used on /dev/m',
    ],
    [
      {
        connectors: [
          { connector: 1, controller: { port: '/dev/a' }, meter: { port: '/dev/m', unitId: 1, model: 'sdm630' } },
          { connector: 2, controller: { port: '/dev/b' }, meter: { port: '/dev/m', unitId: 2, model: 'sdm120', baudRate: 19200 } },
        ],
      },
      'hardware.serial.connectors[1].meter.baudRate: differs from hardware.serial.connectors[0].meter.baudRate on the same bus, got 19200',
    ],
    [
      { connectors: [{ connector: 1, controller: { port: '/dev/a' } }], rfidReader: { port: '/dev/a' } },
      'hardware.serial.rfidReader.port: /dev/a is already used by hardware.serial.connectors[0].controller',
    ],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => resolveSerialConfig(value),
      (error: unknown) => error instanceof RangeError && error.message === message,
      message,
    );
  }
});

test('createSerialBoard checks the config against the station connectors', () => {
  const config = {
    connectors: [
      { connector: 1, controller: { port: '/dev/a' } },
      { connector: 2, controller: { port: '/dev/b' } },
    ],
  };
  assert.throws(
    () => createSerialBoard({ connectors: SERIAL_TEST_CONNECTORS.slice(0, 1), config }),
    /hardware\.serial\.connectors\[1\]\.connector: no connector 2 in evses/,
  );
  assert.throws(
    () => createSerialBoard({ connectors: SERIAL_TEST_CONNECTORS, config: { connectors: config.connectors.slice(0, 1) } }),
    /hardware\.serial\.connectors: no entry for connector 2/,
  );
  const locked = SERIAL_TEST_CONNECTORS.map((c) => ({ ...c, hasLock: true }));
  assert.throws(() => createSerialBoard({ connectors: locked, config }), /connector 1: hasLock is true, but a RAPI controller drives no lock/);
  const board = createSerialBoard({ connectors: SERIAL_TEST_CONNECTORS, config });
  assert.equal(
    board.connectors.map((c) => [c.info.id, c.info.hasLock, c.info.hasRcdTest, c.locked()]),
    [
      [1, false, false, null],
      [2, false, false, null],
    ],
  );
});

function registers(values: Record<number, number>, address: number, count: number): { address: number; bytes: Buffer } {
  const bytes = Buffer.alloc(count * 2);
  for (let a = address; a < address + count; a += 2) bytes.writeFloatBE(values[a] ?? 0, (a - address) * 2);
  return { address, bytes };
}

test('SDM630 and SDM120 maps decode float32 registers exactly (kWh → Wh, 0.001 rounding)', () => {
  const sdm630 = { 0: 230.5, 2: 231.25, 4: 229.75, 6: 16.5, 8: 16.25, 10: 0, 52: 7583.3125, 72: 1234.5 };
  const read630 = registerReader(METER_MAPS.sdm630.blocks.map((b) => registers(sdm630, b.address, b.count)));
  assert.equal(METER_MAPS.sdm630.decode(read630), {
    voltageV: [230.5, 231.25, 229.75],
    currentA: [16.5, 16.25, 0],
    powerW: 7583.313,
    energyWh: 1_234_500,
  });
  const sdm120 = { 0: 230.1, 6: 9.9, 12: 2277.99, 72: 0.1 };
  const read120 = registerReader(METER_MAPS.sdm120.blocks.map((b) => registers(sdm120, b.address, b.count)));
  assert.equal(METER_MAPS.sdm120.decode(read120), { voltageV: [230.1], currentA: [9.9], powerW: 2277.99, energyWh: 100 });
  assert.equal(
    METER_MAPS.sdm630.blocks.map((b) => [b.address, b.count]),
    [
      [0x00, 12],
      [0x34, 2],
      [0x48, 2],
    ],
  );
  assert.throws(() => read120(0x34), /register 0x34 was not read/);
});

test.run();
