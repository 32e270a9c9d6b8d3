/**
 * A charging station on the serial drivers for end-to-end tests and the hardware benchmark: an
 * OpenEVSE controller (RAPI, three-phase 32 A), an Eastron SDM630 at Modbus unit 1 counting what
 * that controller delivers, and a shared serial card reader, each a simulator behind its own
 * socat pty pair; the evsed daemon on them (one connector) against the ocpp-rpc strict CSMS
 * (OCPP 1.6), registered.
 *
 * Must not: reach into the daemon (devices see bytes, the CSMS sees OCPP).
 */
import { TestCsms } from '../../peers/csms.js';
import { EvsedProcess } from '../../support/evsed.js';
import { waitAccepted } from '../../support/station.js';
import { ModbusSim } from '../../hal/serial/modbus-sim.js';
import { createPtyPair, makeLinkDir, removeLinkDir, type PtyPair } from '../../hal/serial/pty.js';
import { RapiSim } from '../../hal/serial/rapi-sim.js';
import { FAST_TIMINGS } from '../../hal/serial/serial-rig.js';
import { SimPort } from '../../hal/serial/sim-port.js';

export interface SerialStation {
  dir: string;
  pairs: PtyPair[];
  rapi: RapiSim;
  modbus: ModbusSim;
  reader: SimPort;
  csms: TestCsms;
  evsed: EvsedProcess;
}

/** Meter register at the start, kWh (exact in float32, as the SDM630 holds it). */
export const METER_START_KWH = 1234.5;

export function serialSection(dir: string, readerRepeatSuppressMs?: number): Record<string, unknown> {
  return {
    driver: 'serial',
    serial: {
      reopenInitialMs: FAST_TIMINGS.reopenInitialMs,
      reopenMaxMs: FAST_TIMINGS.reopenMaxMs,
      rfidReader: { port: `${dir}/reader-a`, ...(readerRepeatSuppressMs !== undefined ? { repeatSuppressMs: readerRepeatSuppressMs } : {}) },
      connectors: [
        {
          connector: 1,
          controller: { port: `${dir}/rapi-a`, ...FAST_TIMINGS.controller },
          meter: { port: `${dir}/modbus-a`, unitId: 1, model: 'sdm630', ...FAST_TIMINGS.meter },
        },
      ],
    },
  };
}

export interface SerialStationOptions {
  /** hardware.serial.rfidReader.repeatSuppressMs (default: the driver's, 2000). */
  readerRepeatSuppressMs?: number;
}

export async function startSerialStation(options: SerialStationOptions = {}): Promise<SerialStation> {
  const dir = makeLinkDir();
  const pairs = await Promise.all(['rapi', 'modbus', 'reader'].map((n) => createPtyPair(`${dir}/${n}-a`, `${dir}/${n}-b`)));
  const rapi = await RapiSim.open(`${dir}/rapi-b`, { phases: 3 });
  const modbus = await ModbusSim.open(`${dir}/modbus-b`);
  modbus.addUnit(1, 'sdm630', rapi, METER_START_KWH);
  const reader = new SimPort(`${dir}/reader-b`, () => undefined);
  await reader.attach();
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  const evsed = new EvsedProcess({
    csmsUrl: csms.url,
    connectors: 1,
    settings: { MeterValueSampleInterval: 0, RetryBackOffWaitMinimum: 1, RetryBackOffRandomRange: 0 },
    extra: {
      hardware: serialSection(dir, options.readerRepeatSuppressMs),
      evses: [{ id: 1, connectors: [{ id: 1, maxCurrentA: 32, phases: 3, hasLock: false }] }],
    },
  });
  const station: SerialStation = { dir, pairs, rapi, modbus, reader, csms, evsed };
  try {
    await evsed.start();
    await waitAccepted(evsed);
  } catch (err) {
    await stopSerialStation(station);
    throw err;
  }
  return station;
}

export async function stopSerialStation(b: SerialStation | undefined): Promise<void> {
  if (!b) return;
  await b.evsed.dispose().catch(() => undefined);
  await b.csms.stop().catch(() => undefined);
  await b.rapi.close();
  await b.modbus.close();
  await b.reader.detach();
  await Promise.all(b.pairs.map((p) => p.close()));
  removeLinkDir(b.dir);
}
