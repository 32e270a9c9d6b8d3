/**
 * One connector of the CAN board: what evsed knows about a channel of an I/O controller, and
 * the commands to it.
 *
 * Owns: the last reported pilot, contactor (feedback contact, coil, held open), lock, meter
 * reading and fault bits of the channel; the commands with their deadlines (offer ack,
 * contactor feedback, lock, RCD test, meter request); the feedback check that raises
 * `contactorWelded` (closed while commanded open) / `contactorStuckOpen` (open while commanded
 * closed, unless the controller holds it open) when the feedback does not follow within
 * `ackTimeoutMs`, and clears them once it does; `controllerLost` while its node is lost, when the
 * contactor counts as open (feedback false, command void) and commands reject at once (an open
 * command is still sent). Events are emitted only on change.
 *
 * Must not: own the channel or timers beyond its command deadlines; decide anything about
 * sessions; close a contactor by itself (resync only ever sends "open").
 */
import { HalError } from '../errors.js';
import { dutyCycleForCurrent, normaliseOffer } from '../pwm.js';
import { FAULT_CODES } from '../types.js';
import type { ConnectorHardware, ConnectorInfo, FaultCode, HalEvent, LockResult, MeterReading, PilotState } from '../types.js';
import type { MessageName, SignalValues } from './messages.js';
import { faultsFromBits, nextSeq, pilotFromCode } from './messages.js';
import { MeterAssembler, copyReading, sameReading } from './meter.js';
import type { ResolvedCanOptions } from './options.js';
import { PendingSet } from './pending.js';

/** What a connector needs from its board. */
export interface CanConnectorEnv {
  readonly options: ResolvedCanOptions;
  emit(event: HalEvent): void;
  /** Encode and send to this connector's node; throws what the channel throws. */
  send(name: MessageName, values: SignalValues): void;
  /** Send without a caller to tell: a failure is reported as a diagnostic, never thrown. */
  post(name: MessageName, values: SignalValues): void;
  /** Faults the controller reports for the whole node (channel 0). */
  nodeFaults(): ReadonlySet<FaultCode>;
  /** The node is synchronised and its heartbeat present. */
  online(): boolean;
  /** stop() has begun: commands reject with 'stopped'. */
  stopped(): boolean;
}

const FEEDBACK_FAULTS: readonly FaultCode[] = ['contactorWelded', 'contactorStuckOpen'];

export class CanConnector implements ConnectorHardware {
  private pilotState: PilotState = 'A';
  private offerA: number | null = null;
  private commanded = false;
  private feedback = false;
  private driven = false;
  private heldOpen = false;
  private lockPosition: boolean | null;
  private lockCommanded: boolean | null = null;
  private readonly localFaults = new Set<FaultCode>();
  private readonly derived = new Map<FaultCode, string>();
  private reading: MeterReading;
  private lastEmitted: MeterReading;
  private readonly meterFrames = new MeterAssembler();
  private seq = 0;
  private mismatchTimer: { cancel(): void } | null = null;
  private readonly offers: PendingSet<void, number>;
  private readonly contactorWaiters: PendingSet<void>;
  private readonly locks: PendingSet<LockResult>;
  private readonly rcdTests: PendingSet<boolean>;
  private readonly meterWaiters: PendingSet<MeterReading>;

  constructor(
    readonly info: ConnectorInfo,
    readonly node: number,
    readonly channel: number,
    private readonly env: CanConnectorEnv,
  ) {
    const { clock } = env.options;
    this.offers = new PendingSet(clock);
    this.contactorWaiters = new PendingSet(clock);
    this.locks = new PendingSet(clock);
    this.rcdTests = new PendingSet(clock);
    this.meterWaiters = new PendingSet(clock);
    this.lockPosition = info.hasLock ? false : null;
    const zeros = new Array<number>(info.phases).fill(0);
    this.reading = { energyWh: 0, powerW: 0, currentA: zeros, voltageV: [...zeros], timestampMs: clock.now() };
    this.lastEmitted = this.reading;
  }

  // ── ConnectorHardware ────────────────────────────────────────────────────────────────────

  pilot(): PilotState {
    return this.pilotState;
  }

  /** A newer offer supersedes an older one still waiting: both resolve with the newer ack. */
  setOffer(currentA: number | null): Promise<void> {
    const refused = this.refuse();
    if (refused) return refused;
    this.offerA = normaliseOffer(currentA, this.info.maxCurrentA);
    if (!this.env.online()) return Promise.reject(this.notAnswering('the offer is sent again when it is back'));
    const duty = dutyCycleForCurrent(this.offerA);
    const seq = (this.seq = nextSeq(this.seq));
    try {
      this.env.send('OfferCommand', this.offerValues(seq));
    } catch (error) {
      return Promise.reject(error);
    }
    const { ackTimeoutMs } = this.env.options;
    return this.offers.add(seq, duty, ackTimeoutMs, () => new HalError('timeout', `${this.where()}: no OfferAck within ${ackTimeoutMs} ms`));
  }

  offer(): number | null {
    return this.offerA;
  }

  /** A command still waiting for feedback is superseded by a newer one: it rejects with
   * `contactorFeedback` (detail "superseded"), raising no fault. */
  setContactor(closed: boolean): Promise<void> {
    const refused = this.refuse();
    if (refused) return refused;
    if (closed && !this.env.online()) return Promise.reject(this.notAnswering('the contactor stays open'));
    this.contactorWaiters.rejectAll(new HalError('contactorFeedback', `${this.where()}: superseded by setContactor(${closed})`));
    this.commanded = closed;
    try {
      this.env.send('ContactorCommand', { Channel: this.channel, Close: closed ? 1 : 0 });
    } catch (error) {
      this.commanded = false;
      this.checkFeedback();
      return Promise.reject(error);
    }
    if (this.feedback === closed || !this.env.online()) {
      this.checkFeedback();
      return Promise.resolve();
    }
    this.cancelMismatch();
    const { ackTimeoutMs } = this.env.options;
    return this.contactorWaiters.add(closed ? 1 : 0, undefined, ackTimeoutMs, () => this.feedbackMissing(closed));
  }

  contactor(): { commanded: boolean; feedback: boolean | null } {
    return { commanded: this.commanded, feedback: this.feedback };
  }

  meter(): MeterReading {
    return copyReading(this.reading);
  }

  /** Resolves with the next complete reading of this channel after the request. */
  readMeter(): Promise<MeterReading> {
    const refused = this.refuse();
    if (refused) return refused;
    if (!this.env.online()) return Promise.reject(this.notAnswering('no reading'));
    try {
      this.env.send('MeterRequest', { Channel: this.channel });
    } catch (error) {
      return Promise.reject(error);
    }
    const { ackTimeoutMs } = this.env.options;
    return this.meterWaiters.add(0, undefined, ackTimeoutMs, () => new HalError('timeout', `${this.where()}: no meter reading within ${ackTimeoutMs} ms`));
  }

  setLock(locked: boolean): Promise<LockResult> {
    const refused = this.refuse();
    if (refused) return refused;
    if (!this.info.hasLock) return Promise.reject(new HalError('notSupported', `connector ${this.info.id} has no lock`));
    if (!this.env.online()) return Promise.reject(this.notAnswering('the lock did not move'));
    this.lockCommanded = locked;
    const seq = (this.seq = nextSeq(this.seq));
    try {
      this.env.send('LockCommand', { Channel: this.channel, Seq: seq, Lock: locked ? 1 : 0 });
    } catch (error) {
      return Promise.reject(error);
    }
    const { actuatorTimeoutMs } = this.env.options;
    return this.locks.add(seq, undefined, actuatorTimeoutMs, () => new HalError('timeout', `${this.where()}: lock did not report within ${actuatorTimeoutMs} ms`));
  }

  locked(): boolean | null {
    return this.lockPosition;
  }

  faults(): readonly FaultCode[] {
    const node = this.env.nodeFaults();
    return FAULT_CODES.filter((code) => this.localFaults.has(code) || node.has(code) || this.derived.has(code));
  }

  testRcd(): Promise<boolean> {
    const refused = this.refuse();
    if (refused) return refused;
    if (!this.info.hasRcdTest) return Promise.reject(new HalError('notSupported', `connector ${this.info.id} has no RCD test`));
    if (!this.env.online()) return Promise.reject(this.notAnswering('no RCD test'));
    const seq = (this.seq = nextSeq(this.seq));
    try {
      this.env.send('RcdTestCommand', { Channel: this.channel, Seq: seq });
    } catch (error) {
      return Promise.reject(error);
    }
    const { actuatorTimeoutMs } = this.env.options;
    return this.rcdTests.add(seq, undefined, actuatorTimeoutMs, () => new HalError('timeout', `${this.where()}: no RCD test result within ${actuatorTimeoutMs} ms`));
  }

  // ── frames from the controller (a returned string: the frame is malformed) ──────────────

  handle(name: MessageName, v: SignalValues): string | void {
    switch (name) {
      case 'PilotState':
        return this.onPilot(v.State ?? 0);
      case 'ContactorState':
        return this.onContactorState(v.Closed === 1, v.Driven === 1, v.HeldOpen === 1);
      case 'FaultState':
        return this.withFaultEvents(() => {
          this.localFaults.clear();
          for (const code of faultsFromBits(v)) this.localFaults.add(code);
        });
      case 'OfferAck':
        return this.onOfferAck(v.Seq ?? 0, v.Duty ?? NaN);
      case 'LockState':
        return this.onLockState(v.Seq ?? 0, v.Locked === 1, v.Failed === 1);
      case 'RcdTestResult':
        if (!this.info.hasRcdTest) return `connector ${this.info.id} has no RCD test`;
        this.rcdTests.settleWhere((key) => key === v.Seq, { value: v.Tripped === 1 });
        return;
      case 'MeterEnergy':
      case 'MeterPower':
      case 'MeterCurrent':
      case 'MeterVoltage':
        return this.onMeterFrame(name, v);
      default:
        return `${name} is not a channel message`;
    }
  }

  // ── node supervision (called by the board) ──────────────────────────────────────────────

  /** controllerLost. `silent`: the node's heartbeat stayed away — the contactor is reported
   * open and waiting commands fail; otherwise the controller does not hear evsed and holds the
   * contactor open itself (its frames still tell the truth). */
  nodeLost(detail: string, silent: boolean): void {
    this.withFaultEvents(() => this.derived.set('controllerLost', detail));
    this.voidContactor(detail);
    if (!silent) return;
    this.driven = false;
    this.heldOpen = false;
    this.setFeedback(false);
    const lost = new HalError('timeout', `${this.where()}: ${detail}`);
    this.offers.rejectAll(lost);
    this.locks.rejectAll(lost);
    this.rcdTests.rejectAll(lost);
    this.meterWaiters.rejectAll(lost);
    this.meterFrames.reset();
  }

  /** The controller (re)booted or came back: its contactor is open; tell it so again. */
  resetForResync(reason: string): void {
    this.voidContactor(`controller node ${this.node} ${reason}`);
    this.meterFrames.reset();
    this.env.post('ContactorCommand', { Channel: this.channel, Close: 0 });
  }

  /** The node answered a SyncRequest: clear controllerLost; re-send offer and lock position. */
  synced(resend: boolean): void {
    this.withFaultEvents(() => this.derived.delete('controllerLost'));
    if (!resend) return;
    this.env.post('OfferCommand', this.offerValues((this.seq = nextSeq(this.seq))));
    if (this.lockCommanded !== null) {
      this.seq = nextSeq(this.seq);
      this.env.post('LockCommand', { Channel: this.channel, Seq: this.seq, Lock: this.lockCommanded ? 1 : 0 });
    }
  }

  /** Run `change` and emit faultRaised / faultCleared for what it changed in faults(). */
  withFaultEvents(change: () => void): void {
    const before = this.faults();
    change();
    this.emitFaultDiff(before);
  }

  /** Emit faultRaised / faultCleared for the difference between `before` and faults(). */
  emitFaultDiff(before: readonly FaultCode[]): void {
    const after = this.faults();
    for (const code of after.filter((c) => !before.includes(c))) {
      const detail = this.derived.get(code);
      this.env.emit(detail === undefined ? { type: 'hal.faultRaised', connector: this.info.id, code } : { type: 'hal.faultRaised', connector: this.info.id, code, detail });
    }
    for (const code of before.filter((c) => !after.includes(c))) this.env.emit({ type: 'hal.faultCleared', connector: this.info.id, code });
  }

  /** stop(): PWM off and contactor open, then wait for the feedback (welded if it stays closed). */
  async shutdown(): Promise<void> {
    this.offerA = null;
    this.offers.rejectAll(new HalError('stopped', this.where()));
    this.contactorWaiters.rejectAll(new HalError('stopped', this.where()));
    this.commanded = false;
    if (this.env.online()) {
      this.env.post('OfferCommand', this.offerValues((this.seq = nextSeq(this.seq))));
      this.env.post('ContactorCommand', { Channel: this.channel, Close: 0 });
    }
    if (this.feedback) {
      const { ackTimeoutMs } = this.env.options;
      await this.contactorWaiters.add(0, undefined, ackTimeoutMs, () => this.feedbackMissing(false)).catch(() => undefined);
    }
  }

  /** After the channel closed: reject whatever still waits and cancel every timer. */
  release(): void {
    const stopped = new HalError('stopped', this.where());
    this.offers.rejectAll(stopped);
    this.contactorWaiters.rejectAll(stopped);
    this.locks.rejectAll(stopped);
    this.rcdTests.rejectAll(stopped);
    this.meterWaiters.rejectAll(stopped);
    this.cancelMismatch();
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private where(): string {
    return `connector ${this.info.id} (node ${this.node} channel ${this.channel})`;
  }

  private refuse(): Promise<never> | null {
    return this.env.stopped() ? Promise.reject(new HalError('stopped', `connector ${this.info.id}`)) : null;
  }

  private notAnswering(consequence: string): HalError {
    return new HalError('timeout', `${this.where()}: controller node ${this.node} is not answering; ${consequence}`);
  }

  private offerValues(seq: number): SignalValues {
    return { Channel: this.channel, Seq: seq, Current: this.offerA ?? 0, Duty: dutyCycleForCurrent(this.offerA) };
  }

  private onPilot(code: number): string | void {
    const state = pilotFromCode(code);
    if (state === null) return `pilot state code ${code} is not valid`;
    if (state === this.pilotState) return;
    this.pilotState = state;
    this.env.emit({ type: 'hal.cpChanged', connector: this.info.id, state });
  }

  private onOfferAck(seq: number, duty: number): string | void {
    const commandedDuty = this.offers.find(seq);
    if (commandedDuty === undefined) return; // unsolicited, resync, or too late: nothing waits
    if (duty === commandedDuty) {
      this.offers.settleUpTo(seq, { value: undefined });
      return;
    }
    this.offers.settleUpTo(seq, { error: new HalError('badReply', `${this.where()}: controller set ${duty} % instead of ${commandedDuty} %`) });
  }

  private onLockState(seq: number, locked: boolean, failed: boolean): string | void {
    if (!this.info.hasLock) return `connector ${this.info.id} has no lock`;
    if (locked !== this.lockPosition) {
      this.lockPosition = locked;
      this.env.emit({ type: 'hal.lockChanged', connector: this.info.id, locked });
    }
    if (seq !== 0) this.locks.settleWhere((key) => key === seq, { value: failed ? 'failed' : locked ? 'locked' : 'unlocked' });
  }

  private onContactorState(closed: boolean, driven: boolean, heldOpen: boolean): string | void {
    this.driven = driven;
    if (heldOpen && !this.heldOpen && this.commanded) this.voidContactor('held open by the controller (evsed heartbeat missing)');
    this.heldOpen = heldOpen;
    this.setFeedback(closed);
  }

  private setFeedback(closed: boolean): void {
    if (closed !== this.feedback) {
      this.feedback = closed;
      this.env.emit({ type: 'hal.contactorChanged', connector: this.info.id, closed });
    }
    this.checkFeedback();
  }

  /** The command no longer stands (controller lost, rebooted, holding open): it counts as open. */
  private voidContactor(reason: string): void {
    this.commanded = false;
    this.contactorWaiters.rejectAll(new HalError('contactorFeedback', `${this.where()}: ${reason}`));
    this.checkFeedback();
  }

  /** Feedback matches: settle waiters, clear feedback faults. Mismatch with nobody waiting:
   * give it `ackTimeoutMs`, then raise the fault. */
  private checkFeedback(): void {
    if (this.feedback === this.commanded) {
      this.cancelMismatch();
      this.contactorWaiters.settleWhere((key) => key === (this.feedback ? 1 : 0), { value: undefined });
      this.withFaultEvents(() => FEEDBACK_FAULTS.forEach((code) => this.derived.delete(code)));
      return;
    }
    if (this.contactorWaiters.size() > 0 || this.mismatchTimer) return;
    this.mismatchTimer = this.env.options.clock.setTimeout(() => {
      this.mismatchTimer = null;
      if (this.feedback !== this.commanded) this.feedbackMissing(this.commanded);
    }, this.env.options.ackTimeoutMs);
  }

  private cancelMismatch(): void {
    this.mismatchTimer?.cancel();
    this.mismatchTimer = null;
  }

  /** The feedback did not follow `closed` in time: raise the fault, return the rejection. */
  private feedbackMissing(closed: boolean): HalError {
    const detail = `feedback reports ${this.feedback ? 'closed' : 'open'} while commanded ${closed ? 'closed' : 'open'}`;
    if (closed && this.heldOpen) return new HalError('contactorFeedback', `${this.where()}: the controller holds the contactor open`);
    if (this.feedback !== closed) {
      const code: FaultCode = closed ? 'contactorStuckOpen' : 'contactorWelded';
      this.withFaultEvents(() => this.derived.set(code, detail));
    }
    return new HalError('contactorFeedback', `${this.where()}: ${detail}`);
  }

  private onMeterFrame(name: MessageName, v: SignalValues): string | void {
    const fed = this.meterFrames.feed(name, v);
    if ('malformed' in fed) return fed.malformed;
    if ('pending' in fed) return;
    const reading: MeterReading = { ...fed.reading, timestampMs: this.env.options.clock.now() };
    this.reading = reading;
    this.meterWaiters.settleWhere(() => true, { value: copyReading(reading) });
    if (!sameReading(reading, this.lastEmitted)) {
      this.lastEmitted = reading;
      this.env.emit({ type: 'hal.meter', connector: this.info.id, reading: copyReading(reading) });
    }
  }
}
