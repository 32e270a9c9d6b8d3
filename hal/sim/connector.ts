/**
 * One simulated connector: pilot, PWM, contactor with feedback, meter, lock, RCD test, faults,
 * and the EV plugged into it.
 *
 * Owns: the physics of one connector. Current flows only while the contacts are closed, the
 * pilot is C and the supply is not tripped (an active `rcd` or `emergencyStop`, local or
 * board-wide); the EV decides how much. Timing:
 *  - EVSE commands: setOffer takes effect on the pilot at once, but the EV reads the duty cycle
 *    only at the next tick (so it reacts to a new, lowered or withdrawn offer within one tick);
 *    the contacts move `contactorDelayMs` after setContactor, the lock `lockDelayMs` after setLock.
 *  - EV actions (plug, unplug, pause, resume, full) act at once; a plugged EV first shows B and
 *    reads the offer at the next tick.
 *  - Energy integrates before every change of current or voltage and at every tick; `hal.meter`
 *    is emitted only at ticks, at most once per tick, and only when a measured value (energy,
 *    power, a phase current or voltage, SoC) differs from the last emitted reading.
 * Other faults are reported but change nothing physical: opening the contactor on a fault is the
 * statechart's job. `contactorWelded` / `contactorStuckOpen` are raised by the feedback check
 * and cleared by it once the contacts follow the command again.
 *
 * Must not: decide anything about sessions; keep timers alive after shutdown().
 */
import { HalError } from '../errors.js';
import { dutyCycleForCurrent, normaliseOffer } from '../pwm.js';
import { FAULT_CODES } from '../types.js';
import type { ConnectorHardware, ConnectorInfo, FaultCode, HalEvent, LockResult } from '../types.js';
import type { MeterReading, PilotState } from '../types.js';
import { SimEv, perceivedOfferA } from './ev.js';
import type { SimEvParams } from './ev.js';
import { SimMeter, readingChanged, rippleV } from './meter.js';
import { TimerSet } from './timers.js';
import type { PendingTimer } from './timers.js';
import type {
  ContactorInjection,
  LockInjection,
  RcdTestInjection,
  ResolvedSimOptions,
  SimConnectorSnapshot,
} from './options.js';

/** What a connector needs from its board. */
export interface SimConnectorEnv {
  readonly options: ResolvedSimOptions;
  emit(event: HalEvent): void;
  boardFaults(): ReadonlySet<FaultCode>;
  stopped(): boolean;
}

const SUPPLY_TRIPS: readonly FaultCode[] = ['rcd', 'emergencyStop'];
const FEEDBACK_FAULTS: readonly FaultCode[] = ['contactorWelded', 'contactorStuckOpen'];
const MS_PER_HOUR = 3_600_000;

export class SimConnector implements ConnectorHardware {
  private offerA: number | null = null;
  private dutyPercent = 100;
  private seenOfferA = 0;
  private commanded = false;
  private closed = false;
  private contactorInjection: ContactorInjection = 'none';
  private contactorPending: PendingTimer | null = null;
  private lockPosition: boolean | null;
  private lockInjection: LockInjection = 'none';
  private rcdTestInjection: RcdTestInjection = 'none';
  private readonly localFaults = new Set<FaultCode>();
  private ev: SimEv | null = null;
  private pilotState: PilotState = 'A';
  private setpointA = 0;
  private tickIndex = 0;
  private readonly meterModel: SimMeter;
  private lastEmitted: MeterReading;
  private readonly timers: TimerSet;

  constructor(
    readonly info: ConnectorInfo,
    private readonly env: SimConnectorEnv,
  ) {
    const { clock, initialEnergyWh } = env.options;
    this.timers = new TimerSet(clock);
    this.lockPosition = info.hasLock ? false : null;
    this.meterModel = new SimMeter(info.phases, info.nominalVoltageV, initialEnergyWh[info.id] ?? 0, clock.now());
    this.lastEmitted = this.meterModel.reading(clock.now(), undefined);
  }

  // ── ConnectorHardware ────────────────────────────────────────────────────────────────────

  pilot(): PilotState {
    return this.pilotState;
  }

  setOffer(currentA: number | null): Promise<void> {
    const refused = this.refuseIfStopped();
    if (refused) return refused;
    this.offerA = normaliseOffer(currentA, this.info.maxCurrentA);
    this.dutyPercent = dutyCycleForCurrent(this.offerA);
    return Promise.resolve();
  }

  offer(): number | null {
    return this.offerA;
  }

  /** A command still waiting for feedback is superseded by a newer one: its promise rejects with
   * `contactorFeedback` (detail "superseded"); it raises no fault. */
  setContactor(closed: boolean): Promise<void> {
    const refused = this.refuseIfStopped();
    if (refused) return refused;
    this.commanded = closed;
    const previous = this.contactorPending;
    if (previous) {
      this.contactorPending = null;
      previous.cancel();
      previous.reject(new HalError('contactorFeedback', `connector ${this.info.id}: superseded by setContactor(${closed})`));
    }
    if (this.closed === closed) return Promise.resolve();
    const [promise, entry] = this.timers.schedule<void>(this.env.options.contactorDelayMs, (resolve, reject) => {
      this.contactorPending = null;
      const blocked = closed ? this.contactorInjection === 'stuckOpen' : this.contactorInjection === 'welded';
      if (blocked) {
        const code: FaultCode = closed ? 'contactorStuckOpen' : 'contactorWelded';
        const detail = `feedback reports ${closed ? 'open' : 'closed'} while commanded ${closed ? 'closed' : 'open'}`;
        this.raiseFault(code, detail);
        reject(new HalError('contactorFeedback', `connector ${this.info.id}: ${detail}`));
        return;
      }
      this.moveContacts(closed);
      resolve();
    });
    this.contactorPending = entry;
    return promise;
  }

  contactor(): { commanded: boolean; feedback: boolean | null } {
    return { commanded: this.commanded, feedback: this.closed };
  }

  meter(): MeterReading {
    this.settle();
    return this.meterModel.reading(this.env.options.clock.now(), this.ev?.socPercent);
  }

  readMeter(): Promise<MeterReading> {
    const refused = this.refuseIfStopped();
    if (refused) return refused;
    return Promise.resolve(this.meter());
  }

  /** A failing lock (injection) answers `failed` and does not move; it raises no fault itself. */
  setLock(locked: boolean): Promise<LockResult> {
    const refused = this.refuseIfStopped();
    if (refused) return refused;
    if (!this.info.hasLock) {
      return Promise.reject(new HalError('notSupported', `connector ${this.info.id} has no lock`));
    }
    return this.timers.schedule<LockResult>(this.env.options.lockDelayMs, (resolve) => {
      if (this.lockInjection === 'failing') {
        resolve('failed');
        return;
      }
      if (this.lockPosition !== locked) {
        this.lockPosition = locked;
        this.env.emit({ type: 'hal.lockChanged', connector: this.info.id, locked });
      }
      resolve(locked ? 'locked' : 'unlocked');
    })[0];
  }

  locked(): boolean | null {
    return this.lockPosition;
  }

  faults(): readonly FaultCode[] {
    const board = this.env.boardFaults();
    return FAULT_CODES.filter((code) => this.localFaults.has(code) || board.has(code));
  }

  testRcd(): Promise<boolean> {
    const refused = this.refuseIfStopped();
    if (refused) return refused;
    if (!this.info.hasRcdTest) {
      return Promise.reject(new HalError('notSupported', `connector ${this.info.id} has no RCD test`));
    }
    return this.timers.schedule<boolean>(this.env.options.rcdTestDelayMs, (resolve) => {
      resolve(this.rcdTestInjection !== 'failing');
    })[0];
  }

  // ── Simulation surface (used by the board and SimControls) ──────────────────────────────

  /** One physics step: integrate, let the EV read the duty cycle and decide, emit the meter. */
  tick(): void {
    this.settle();
    this.tickIndex++;
    this.seenOfferA = this.ev ? perceivedOfferA(this.dutyPercent) : 0;
    this.ev?.checkFull();
    this.refresh();
    this.emitMeterIfChanged();
  }

  plug(params?: Partial<SimEvParams>): void {
    if (this.ev) throw new HalError('notSupported', `connector ${this.info.id}: an EV is already plugged in`);
    const ev = new SimEv(params);
    this.settle();
    this.ev = ev;
    this.seenOfferA = 0; // the EV reads the duty cycle at the next tick
    this.refresh();
  }

  unplug(): void {
    this.requireEv();
    this.settle();
    this.ev = null;
    this.seenOfferA = 0;
    this.refresh();
  }

  evPause(): void {
    const ev = this.requireEv();
    this.settle();
    ev.pause();
    this.refresh();
  }

  evResume(): void {
    const ev = this.requireEv();
    this.settle();
    ev.resume();
    this.refresh();
  }

  evFull(): void {
    const ev = this.requireEv();
    this.settle();
    ev.fill();
    this.refresh();
  }

  raiseFault(code: FaultCode, detail?: string): void {
    if (this.localFaults.has(code)) return;
    this.settle();
    this.localFaults.add(code);
    this.env.emit(
      detail === undefined
        ? { type: 'hal.faultRaised', connector: this.info.id, code }
        : { type: 'hal.faultRaised', connector: this.info.id, code, detail },
    );
    this.updateElectrical();
  }

  clearFault(code: FaultCode): void {
    if (!this.localFaults.has(code)) return;
    this.settle();
    this.localFaults.delete(code);
    this.env.emit({ type: 'hal.faultCleared', connector: this.info.id, code });
    this.updateElectrical();
  }

  /** Codes active on this connector itself (board-wide ones excluded). */
  localFaultCodes(): FaultCode[] {
    return FAULT_CODES.filter((code) => this.localFaults.has(code));
  }

  /** Integrate up to now; the board calls it before changing a board-wide fault. */
  settle(): void {
    const added = this.meterModel.integrate(this.env.options.clock.now(), this.env.options.timeScale);
    if (added > 0) this.ev?.absorb(added);
  }

  /** Recompute current and voltage; the board calls it after changing a board-wide fault. */
  updateElectrical(): void {
    const { info } = this;
    const tripped = this.supplyTripped();
    const flowing = !tripped && this.closed && this.pilotState === 'C' && this.ev !== null;
    const phasesUsed = this.ev ? Math.min(this.ev.phases, info.phases) : 0;
    const currentA: number[] = [];
    const voltageV: number[] = [];
    for (let p = 0; p < info.phases; p++) {
      const amps = flowing && p < phasesUsed ? this.setpointA : 0;
      currentA.push(amps);
      const ripple = amps > 0 ? rippleV(this.env.options.voltageRippleV, this.tickIndex, p) : 0;
      voltageV.push(tripped ? 0 : info.nominalVoltageV + ripple);
    }
    this.meterModel.set(currentA, voltageV);
  }

  /** Welded contacts stay closed, stuck-open ones never close; `none` lets the contacts follow
   * the command again (after the feedback delay) and then clears the feedback faults. */
  injectContactor(mode: ContactorInjection): void {
    this.contactorInjection = mode;
    if (mode !== 'none' || this.contactorPending) return;
    this.timers.after(this.env.options.contactorDelayMs, () => {
      if (this.contactorInjection !== 'none' || this.contactorPending) return;
      if (this.closed !== this.commanded) this.moveContacts(this.commanded);
      else this.clearFeedbackFaults();
    });
  }

  injectLock(mode: LockInjection): void {
    this.lockInjection = mode;
  }

  injectRcdTest(mode: RcdTestInjection): void {
    this.rcdTestInjection = mode;
  }

  supplyTripped(): boolean {
    const board = this.env.boardFaults();
    return SUPPLY_TRIPS.some((code) => this.localFaults.has(code) || board.has(code));
  }

  /** Leave the connector safe: cancel timers (pending commands reject with 'stopped'), PWM off,
   * contacts open (unless welded: then contactorWelded is raised). */
  shutdown(): void {
    this.timers.cancelAll(new HalError('stopped', `connector ${this.info.id}`));
    this.contactorPending = null;
    this.settle();
    this.offerA = null;
    this.dutyPercent = 100;
    this.seenOfferA = 0;
    this.commanded = false;
    if (this.closed && this.contactorInjection === 'welded') {
      this.raiseFault('contactorWelded', 'contacts stayed closed at stop');
    } else if (this.closed) {
      this.moveContacts(false);
    }
    this.refresh();
  }

  snapshot(): SimConnectorSnapshot {
    const reading = this.meter();
    const ev = this.ev;
    return {
      connector: this.info.id,
      evseId: this.info.evseId,
      connectorId: this.info.connectorId,
      pilot: this.pilotState,
      offerA: this.offerA,
      dutyPercent: this.dutyPercent,
      evSeesOfferA: this.seenOfferA,
      contactor: { commanded: this.commanded, closed: this.closed, injection: this.contactorInjection },
      locked: this.lockPosition,
      lockInjection: this.lockInjection,
      rcdTestInjection: this.rcdTestInjection,
      currentA: reading.currentA,
      voltageV: reading.voltageV,
      powerW: reading.powerW,
      energyWh: reading.energyWh,
      socPercent: ev ? ev.socPercent : null,
      faults: [...this.faults()],
      supplyTripped: this.supplyTripped(),
      evPresent: ev !== null,
      evPaused: ev?.paused ?? false,
      evFull: ev?.full ?? false,
      ev: ev ? ev.snapshot() : null,
    };
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private refuseIfStopped(): Promise<never> | null {
    return this.env.stopped() ? Promise.reject(new HalError('stopped', `connector ${this.info.id}`)) : null;
  }

  private requireEv(): SimEv {
    if (!this.ev) throw new HalError('notSupported', `connector ${this.info.id}: no EV plugged in`);
    return this.ev;
  }

  private moveContacts(closed: boolean): void {
    this.settle();
    this.closed = closed;
    this.updateElectrical();
    this.env.emit({ type: 'hal.contactorChanged', connector: this.info.id, closed });
    if (this.closed === this.commanded && this.contactorInjection === 'none') this.clearFeedbackFaults();
  }

  private clearFeedbackFaults(): void {
    for (const code of FEEDBACK_FAULTS) this.clearFault(code);
  }

  /** Re-evaluate pilot, EV setpoint and electrical values after a change (settle() first). */
  private refresh(): void {
    const ev = this.ev;
    const pilot: PilotState = ev === null ? 'A' : ev.wantsEnergy(this.seenOfferA) ? 'C' : 'B';
    if (pilot !== this.pilotState) {
      this.pilotState = pilot;
      this.env.emit({ type: 'hal.cpChanged', connector: this.info.id, state: pilot });
    }
    const { tickMs, timeScale } = this.env.options;
    const phasesUsed = ev ? Math.min(ev.phases, this.info.phases) : 0;
    this.setpointA =
      ev && pilot === 'C'
        ? ev.currentA(this.seenOfferA, this.info.nominalVoltageV, (tickMs * timeScale) / MS_PER_HOUR, phasesUsed)
        : 0;
    this.updateElectrical();
  }

  private emitMeterIfChanged(): void {
    const reading = this.meterModel.reading(this.env.options.clock.now(), this.ev?.socPercent);
    if (!readingChanged(reading, this.lastEmitted)) return;
    this.lastEmitted = { ...reading, currentA: [...reading.currentA], voltageV: [...reading.voltageV] };
    this.env.emit({ type: 'hal.meter', connector: this.info.id, reading });
  }
}
