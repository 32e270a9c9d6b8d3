/**
 * Register maps of the supported Modbus RTU energy meters (Eastron SDM630, SDM120).
 *
 * Owns: which input registers (function 0x04) to read per model and how to decode them. Every
 * value is an IEEE 754 float32 in two registers, high word first, big-endian; addresses are
 * 0-based (document numbers 30001… minus 30001). Eastron meters refuse odd counts and reads of
 * undefined registers, so each block covers defined registers only.
 *   SDM630 (three-phase): 0x0000/02/04 phase voltage V, 0x0006/08/0A phase current A,
 *                         0x0034 total system power W, 0x0048 import active energy kWh
 *   SDM120 (single-phase): 0x0000 voltage V, 0x0006 current A, 0x000C active power W,
 *                         0x0048 import active energy kWh
 * Decoded values are rounded to 0.001 of their unit (float32 carries about 7 significant
 * digits); energy is converted kWh → Wh.
 *
 * Must not: do I/O.
 */

export const METER_MODELS = ['sdm630', 'sdm120'] as const;
export type MeterModel = (typeof METER_MODELS)[number];

export interface RegisterBlock {
  address: number;
  count: number;
}

/** A decoded measurement of one meter (all phases it measures). */
export interface MeterValues {
  voltageV: number[];
  currentA: number[];
  powerW: number;
  energyWh: number;
}

export interface MeterMap {
  model: MeterModel;
  phases: 1 | 3;
  blocks: readonly RegisterBlock[];
  decode(read: RegisterReader): MeterValues;
}

/** Float32 at a register address, from the blocks read. */
export type RegisterReader = (address: number) => number;

export const SDM_REGISTERS = {
  voltageL1: 0x0000,
  voltageL2: 0x0002,
  voltageL3: 0x0004,
  currentL1: 0x0006,
  currentL2: 0x0008,
  currentL3: 0x000a,
  powerL1: 0x000c,
  totalPower: 0x0034,
  importEnergyKWh: 0x0048,
} as const;

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

const R = SDM_REGISTERS;

export const METER_MAPS: Readonly<Record<MeterModel, MeterMap>> = {
  sdm630: {
    model: 'sdm630',
    phases: 3,
    blocks: [
      { address: R.voltageL1, count: 12 },
      { address: R.totalPower, count: 2 },
      { address: R.importEnergyKWh, count: 2 },
    ],
    decode: (read) => ({
      voltageV: [R.voltageL1, R.voltageL2, R.voltageL3].map((a) => round3(read(a))),
      currentA: [R.currentL1, R.currentL2, R.currentL3].map((a) => round3(read(a))),
      powerW: round3(read(R.totalPower)),
      energyWh: round3(read(R.importEnergyKWh) * 1000),
    }),
  },
  sdm120: {
    model: 'sdm120',
    phases: 1,
    blocks: [
      { address: R.voltageL1, count: 2 },
      { address: R.currentL1, count: 2 },
      { address: R.powerL1, count: 2 },
      { address: R.importEnergyKWh, count: 2 },
    ],
    decode: (read) => ({
      voltageV: [round3(read(R.voltageL1))],
      currentA: [round3(read(R.currentL1))],
      powerW: round3(read(R.powerL1)),
      energyWh: round3(read(R.importEnergyKWh) * 1000),
    }),
  },
};

/** Build a RegisterReader over blocks read (`bytes` = the registers' raw big-endian bytes). */
export function registerReader(blocks: readonly { address: number; bytes: Buffer }[]): RegisterReader {
  return (address) => {
    for (const block of blocks) {
      const offset = (address - block.address) * 2;
      if (offset >= 0 && offset + 4 <= block.bytes.length) return block.bytes.readFloatBE(offset);
    }
    throw new RangeError(`register 0x${address.toString(16)} was not read`);
  };
}
