/**
 * One Eastron energy meter on a Modbus bus, read into a MeterReading.
 *
 * Owns: reading a model's register blocks through the shared bus (in series with the other
 * meters on it), decoding them (registers.ts), shaping the phases for the connector (SDM630:
 * as many phases as the connector has, L1 first; SDM120: one) and the plausibility rule that
 * the import register never goes back (a lower value is a 'badReply', the last value stays).
 *
 * Must not: poll by itself or raise faults (the meter poller does), own the port.
 */
import { HalError } from '../../errors.js';
import type { HalClock, MeterReading } from '../../types.js';
import type { ModbusBus } from './bus.js';
import { METER_MAPS, registerReader } from './registers.js';
import type { MeterModel } from './registers.js';

export interface ModbusMeterOptions {
  unitId: number;
  model: MeterModel;
  /** Phases wired to the connector. */
  phases: 1 | 3;
  clock: HalClock;
}

export class ModbusMeter {
  private lastEnergyWh: number | null = null;

  constructor(
    private readonly bus: ModbusBus,
    private readonly options: ModbusMeterOptions,
  ) {}

  describe(): string {
    return `${this.options.model} unit ${this.options.unitId} on ${this.bus.path}`;
  }

  async read(): Promise<MeterReading> {
    const map = METER_MAPS[this.options.model];
    const blocks: { address: number; bytes: Buffer }[] = [];
    for (const block of map.blocks) {
      const bytes = await this.bus.readInputRegisters(this.options.unitId, block.address, block.count);
      if (bytes.length !== block.count * 2) {
        throw new HalError('badReply', `${this.describe()}: ${bytes.length} bytes for ${block.count} registers`);
      }
      blocks.push({ address: block.address, bytes });
    }
    const values = map.decode(registerReader(blocks));
    const valid = [...values.voltageV, ...values.currentA, values.powerW, values.energyWh].every(Number.isFinite);
    if (!valid || values.energyWh < 0) {
      throw new HalError('badReply', `${this.describe()}: implausible values ${JSON.stringify(values)}`);
    }
    if (this.lastEnergyWh !== null && values.energyWh < this.lastEnergyWh) {
      throw new HalError(
        'badReply',
        `${this.describe()}: import register went back from ${this.lastEnergyWh} Wh to ${values.energyWh} Wh`,
      );
    }
    this.lastEnergyWh = values.energyWh;
    const keep = map.phases === 3 ? this.options.phases : 1;
    return {
      energyWh: values.energyWh,
      powerW: values.powerW,
      currentA: values.currentA.slice(0, keep),
      voltageV: values.voltageV.slice(0, keep),
      timestampMs: this.options.clock.now(),
    };
  }
}
