/**
 * One channel of the simulated I/O controller: the hardware behind a connector and the EV
 * plugged into it.
 *
 * Owns: the EV model (plugged, requesting, its maximum current and phases), the pilot it
 * produces (A without EV; C when it requests and reads ≥ 6 A from the duty cycle; else B), the
 * PWM duty, the relay (coil driven, contacts following after `contactorDelayMs` unless welded or
 * stuck open, held open by the safety net), the lock, the RCD test, the channel's fault inputs,
 * and the meter: energy integrates Σ V·I exactly over time before every change, current flows
 * only with closed contacts, pilot C and no supply trip (rcd, emergencyStop).
 * Reports go out through `out` as evsed-io messages: state frames only on change, everything in
 * `dump()`.
 *
 * Must not: decode frames or know evsed (io-sim.ts does), keep timers after cancel().
 */
import type { ContactorInjection } from '../../../hal/sim/index.js';
import { perceivedOfferA } from '../../../hal/sim/index.js';
import { MIN_OFFER_A } from '../../../hal/pwm.js';
import type { FaultCode, HalClock, PilotState } from '../../../hal/types.js';
import { PILOT_CODES, SOC_UNKNOWN, faultBits } from '../../../hal/can/messages.js';
import type { MessageName, SignalValues } from '../../../hal/can/messages.js';

export interface IoSimChannelConfig {
  channel: number;
  phases: 1 | 3;
  nominalVoltageV: number;
  hasLock: boolean;
  hasRcdTest: boolean;
}

export interface SimEvModel {
  maxCurrentA: number;
  phases: 1 | 3;
}

export interface IoSimTimings {
  contactorDelayMs: number;
  lockDelayMs: number;
  rcdTestDelayMs: number;
}

const MS_PER_HOUR = 3_600_000;
const SUPPLY_TRIPS: readonly FaultCode[] = ['rcd', 'emergencyStop'];

export class IoSimChannel {
  ev: (SimEvModel & { requesting: boolean }) | null = null;
  dutyPercent = 100;
  driven = false;
  closed = false;
  heldOpen = false;
  locked = false;
  contactorInjection: ContactorInjection = 'none';
  lockFailing = false;
  rcdFailing = false;
  readonly faults = new Set<FaultCode>();
  private pilotState: PilotState = 'A';
  private energyWh = 0;
  private currentA: number[];
  private voltageV: number[];
  private lastMs: number;
  private meterSeq = 0;
  private readonly timers = new Set<{ cancel(): void }>();

  constructor(
    readonly config: IoSimChannelConfig,
    private readonly clock: HalClock,
    private readonly timings: IoSimTimings,
    private readonly nodeFaults: () => ReadonlySet<FaultCode>,
    private readonly out: (name: MessageName, values: SignalValues) => void,
  ) {
    this.currentA = new Array<number>(config.phases).fill(0);
    this.voltageV = new Array<number>(config.phases).fill(config.nominalVoltageV);
    this.lastMs = clock.now();
  }

  pilot(): PilotState {
    return this.pilotState;
  }

  energy(): number {
    this.integrate();
    return this.energyWh;
  }

  // ── the EV ─────────────────────────────────────────────────────────────────────────────

  plug(ev: SimEvModel): void {
    this.ev = { ...ev, requesting: false };
    this.update();
  }

  unplug(): void {
    this.ev = null;
    this.update();
  }

  request(on: boolean): void {
    if (this.ev) this.ev.requesting = on;
    this.update();
  }

  // ── commands from evsed ─────────────────────────────────────────────────────────────────

  setDuty(dutyPercent: number): void {
    this.dutyPercent = dutyPercent;
    this.update();
  }

  /** Drive or release the coil; the contacts follow after the travel time. */
  command(close: boolean): void {
    const drive = close && !this.heldOpen;
    if (drive !== this.driven) {
      this.driven = drive;
      this.reportContactor();
    } else if (close && this.heldOpen) {
      this.reportContactor(); // refused: tell evsed again
    }
    this.after(this.timings.contactorDelayMs, () => this.followCoil());
  }

  /** Safety net: PWM off at once, coil released, held open until `release()`. */
  holdOpen(): void {
    this.dutyPercent = 100;
    this.heldOpen = true;
    this.driven = false;
    this.update();
    this.reportContactor();
    this.after(this.timings.contactorDelayMs, () => this.followCoil());
  }

  releaseHold(): void {
    if (!this.heldOpen) return;
    this.heldOpen = false;
    this.reportContactor();
  }

  lock(seq: number, on: boolean): void {
    this.after(this.timings.lockDelayMs, () => {
      if (!this.lockFailing) this.locked = on;
      this.out('LockState', {
        Channel: this.config.channel,
        Seq: seq,
        Locked: this.locked ? 1 : 0,
        Failed: this.lockFailing ? 1 : 0,
      });
    });
  }

  rcdTest(seq: number): void {
    this.after(this.timings.rcdTestDelayMs, () => {
      this.out('RcdTestResult', { Channel: this.config.channel, Seq: seq, Tripped: this.rcdFailing ? 0 : 1 });
    });
  }

  injectContactor(mode: ContactorInjection): void {
    this.contactorInjection = mode;
    this.after(this.timings.contactorDelayMs, () => this.followCoil());
  }

  // ── faults ──────────────────────────────────────────────────────────────────────────────

  setFault(code: FaultCode, on: boolean): void {
    if (this.faults.has(code) === on) return;
    this.integrate();
    if (on) this.faults.add(code);
    else this.faults.delete(code);
    this.out('FaultState', faultBits(this.config.channel, this.faults));
    this.update();
  }

  // ── reports ─────────────────────────────────────────────────────────────────────────────

  /** Everything evsed needs after a SyncRequest. */
  dump(): void {
    const ch = this.config.channel;
    this.out('PilotState', { Channel: ch, State: PILOT_CODES[this.pilotState] });
    this.reportContactor();
    this.out('FaultState', faultBits(ch, this.faults));
    if (this.config.hasLock) this.out('LockState', { Channel: ch, Seq: 0, Locked: this.locked ? 1 : 0, Failed: 0 });
    this.sendMeter();
  }

  /** One meter reading: the four frames with a new Seq. */
  sendMeter(): void {
    this.integrate();
    const ch = this.config.channel;
    const seq = (this.meterSeq = (this.meterSeq + 1) % 256);
    const perPhase = (values: number[]) => ({ L1: values[0] ?? 0, L2: values[1] ?? 0, L3: values[2] ?? 0 });
    this.out('MeterEnergy', { Channel: ch, Seq: seq, Energy: Math.floor(this.energyWh), Soc: SOC_UNKNOWN });
    this.out('MeterPower', { Channel: ch, Seq: seq, Power: Math.round(this.powerW()), Phases: this.config.phases });
    this.out('MeterCurrent', {
      Channel: ch,
      Seq: seq,
      ...perPhase(this.currentA.map((a) => Math.round(a * 100) / 100)),
    });
    this.out('MeterVoltage', { Channel: ch, Seq: seq, ...perPhase(this.voltageV.map((v) => Math.round(v * 10) / 10)) });
  }

  /** Power loss / reboot: coil released (contacts open unless welded), PWM off, hold cleared. */
  reset(): void {
    this.cancel();
    this.integrate();
    this.dutyPercent = 100;
    this.driven = false;
    this.heldOpen = false;
    if (this.contactorInjection !== 'welded') this.closed = false;
    this.update(false);
  }

  cancel(): void {
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────

  private after(ms: number, fn: () => void): void {
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private followCoil(): void {
    const blocked =
      (this.contactorInjection === 'welded' && !this.driven) ||
      (this.contactorInjection === 'stuckOpen' && this.driven);
    if (blocked || this.closed === this.driven) return;
    this.integrate();
    this.closed = this.driven;
    this.reportContactor();
    this.update();
  }

  private reportContactor(): void {
    this.out('ContactorState', {
      Channel: this.config.channel,
      Closed: this.closed ? 1 : 0,
      Driven: this.driven ? 1 : 0,
      HeldOpen: this.heldOpen ? 1 : 0,
    });
  }

  private tripped(): boolean {
    const node = this.nodeFaults();
    return SUPPLY_TRIPS.some((code) => this.faults.has(code) || node.has(code));
  }

  private powerW(): number {
    return this.currentA.reduce((sum, amps, i) => sum + amps * (this.voltageV[i] ?? 0), 0);
  }

  private integrate(): void {
    const nowMs = this.clock.now();
    if (nowMs > this.lastMs) this.energyWh += (this.powerW() * (nowMs - this.lastMs)) / MS_PER_HOUR;
    this.lastMs = Math.max(this.lastMs, nowMs);
  }

  /** Re-evaluate pilot and electrical values after a change; report the pilot if it moved. */
  update(report = true): void {
    this.integrate();
    const offeredA = perceivedOfferA(this.dutyPercent);
    const ev = this.ev;
    const pilot: PilotState = !ev ? 'A' : ev.requesting && offeredA >= MIN_OFFER_A ? 'C' : 'B';
    if (pilot !== this.pilotState) {
      this.pilotState = pilot;
      if (report) this.out('PilotState', { Channel: this.config.channel, State: PILOT_CODES[pilot] });
    }
    const tripped = this.tripped();
    const flowing = ev !== null && this.closed && pilot === 'C' && !tripped;
    const phasesUsed = ev ? Math.min(ev.phases, this.config.phases) : 0;
    const amps = ev ? Math.min(offeredA, ev.maxCurrentA) : 0;
    this.currentA = this.currentA.map((_, p) => (flowing && p < phasesUsed ? amps : 0));
    this.voltageV = this.voltageV.map(() => (tripped ? 0 : this.config.nominalVoltageV));
  }
}
