/**
 * The OpenEVSE controller's own measurements as a MeterReading (when no Modbus meter is
 * configured for the connector).
 *
 * Owns: `$GG` (mA, mV of its single current sensor) and `$GU` (watt-seconds of the session,
 * Wh accumulated over finished sessions) → one phase: currentA [I], voltageV [V], powerW V·I,
 * energyWh = accumulated Wh + (while an EV is connected) session Ws / 3600. The firmware adds a
 * session to its total, truncated to whole Wh, only when the EV leaves, so the register may
 * appear to step back by less than 1 Wh: the reported energy never goes below the highest value
 * reported before. A negative current means the controller has no ammeter: reported as 0 A.
 * On a three-phase connector the figures are those of the one phase the sensor sits on: use a
 * Modbus meter (SDM630) where three-phase energy matters.
 *
 * While the controller link is down a read fails at once (HalError 'timeout': the controller's
 * fault, not the meter's).
 *
 * Must not: poll by itself or raise faults (the meter poller does).
 */
import { HalError } from '../../errors.js';
import type { HalClock, MeterReading } from '../../types.js';
import type { RapiController } from './controller.js';
import { EVSE_STATE, VFLAG } from './states.js';
import type { RapiStatus } from './states.js';

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Whether the controller counts a session now (flags when reported, else its state). */
function inSession(status: RapiStatus | null): boolean {
  if (status === null) return true;
  if (status.vflags !== null) return (status.vflags & VFLAG.evConnected) !== 0;
  return status.evseState !== EVSE_STATE.a;
}

export class ControllerMeter {
  private highWaterWh = 0;

  constructor(
    private readonly controller: RapiController,
    private readonly clock: HalClock,
  ) {}

  describe(): string {
    return `controller readings on ${this.controller.path}`;
  }

  async read(): Promise<MeterReading> {
    const link = this.controller.link();
    if (link.state === 'down') throw new HalError('timeout', `${this.controller.path}: controller not answering (${link.detail})`);
    const r = await this.controller.readReadings();
    const evConnected = inSession(this.controller.status());
    const amps = Math.max(0, r.currentMa) / 1000;
    const volts = Math.max(0, r.voltageMv) / 1000;
    const registerWh = Math.max(0, r.totalWh) + (evConnected ? Math.max(0, r.sessionWs) / 3600 : 0);
    this.highWaterWh = Math.max(this.highWaterWh, round3(registerWh));
    return {
      energyWh: this.highWaterWh,
      powerW: round3(volts * amps),
      currentA: [round3(amps)],
      voltageV: [round3(volts)],
      timestampMs: this.clock.now(),
    };
  }
}
