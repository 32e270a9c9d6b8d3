/**
 * One connector of the CAN board: what evsed knows about a channel of an I/O controller, and
 * the commands to it.
 *
 * Owns: the last reported pilot, lock, meter reading and fault bits of the channel, the
 * contactor (contactor.ts: feedback check, welded / stuck open), the commands with their
 * deadlines (offer ack, lock, RCD test, meter request), and `controllerLost` while its node is
 * lost or does not hear evsed — then the contactor counts as open and commands reject at once,
 * except "open", which is still sent. Events are emitted only on change.
 *
 * Must not: own the channel or timers beyond its command deadlines; decide anything about
 * sessions; close a contactor by itself (resync only ever sends "open").
 */
import { HalError } from '../errors.js';
import { dutyCycleForCurrent, normaliseOffer } from '../pwm.js';
import { FAULT_CODES } from '../types.js';
import type {
  ConnectorHardware,
  ConnectorInfo,
  FaultCode,
  HalEvent,
  LockResult,
  MeterReading,
  PilotState,
} from '../types.js';
import { ContactorTracker } from './contactor.js';
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
  /** The node is there (synchronised or being synchronised). */
  online(): boolean;
  /** stop() has begun: commands reject with 'stopped'. */
  stopped(): boolean;
}

export class CanConnector implements ConnectorHardware {
  private pilotState: PilotState = 'A';
  private offerA: number | null = null;
  private lockPosition: boolean | null;
  private lockCommanded: boolean | null = null;
  private readonly localFaults = new Set<FaultCode>();
  /** Faults evsed derives itself (controllerLost, feedback faults), with their detail. */
  private readonly derived = new Map<FaultCode, string>();
  private reading: MeterReading;
  private lastEmitted: MeterReading;
  private readonly meterFrames = new MeterAssembler();
  private seq = 0;
  private readonly contactorState: ContactorTracker;
  private readonly offers: PendingSet<void, number>;
  private readonly locks: PendingSet<LockResult>;
  private readonly rcdTests: PendingSet<boolean>;
  private readonly meterWaiters: PendingSet<MeterReading>;

  constructor(
    readonly info: ConnectorInfo,
    readonly node: number,
    readonly channel: number,
    private readonly env: CanConnectorEnv,
  ) {
    const { clock, ackTimeoutMs } = env.options;
    this.contactorState = new ContactorTracker({
      clock,
      ackTimeoutMs,
      where: this.where(),
      changed: (closed) => env.emit({ type: 'hal.contactorChanged', connector: info.id, closed }),
      fault: (code, detail) =>
        this.withFaultEvents(() => (detail === null ? this.derived.delete(code) : this.derived.set(code, detail))),
    });
    this.offers = new PendingSet(clock);
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
    const seq = (this.seq = nextSeq(this.seq));
    const { ackTimeoutMs } = this.env.options;
    return this.command('OfferCommand', this.offerValues(seq), () =>
      this.offers.add(seq, dutyCycleForCurrent(this.offerA), ackTimeoutMs, () => this.late('OfferAck', ackTimeoutMs)),
    );
  }

  offer(): number | null {
    return this.offerA;
  }

  setContactor(closed: boolean): Promise<void> {
    const refused = this.refuse();
    if (refused) return refused;
    if (!this.env.online()) {
      if (closed) return Promise.reject(this.notAnswering('the contactor stays open'));
      // Open anyway (the controller may still hear it); it counts as open at once.
      this.env.post('ContactorCommand', { Channel: this.channel, Close: 0 });
      this.contactorState.openUnconfirmed();
      return Promise.resolve();
    }
    return this.contactorState.command(closed, () =>
      this.env.send('ContactorCommand', { Channel: this.channel, Close: closed ? 1 : 0 }),
    );
  }

  contactor(): { commanded: boolean; feedback: boolean | null } {
    return this.contactorState.state();
  }

  meter(): MeterReading {
    return copyReading(this.reading);
  }

  /** Resolves with the next complete reading of this channel after the request. */
  readMeter(): Promise<MeterReading> {
    const refused = this.refuse();
    if (refused) return refused;
    if (!this.env.online()) return Promise.reject(this.notAnswering('no reading'));
    const { ackTimeoutMs } = this.env.options;
    return this.command('MeterRequest', { Channel: this.channel }, () =>
      this.meterWaiters.add(0, undefined, ackTimeoutMs, () => this.late('meter reading', ackTimeoutMs)),
    );
  }

  setLock(locked: boolean): Promise<LockResult> {
    const refused = this.refuse();
    if (refused) return refused;
    if (!this.info.hasLock)
      return Promise.reject(new HalError('notSupported', `connector ${this.info.id} has no lock`));
    if (!this.env.online()) return Promise.reject(this.notAnswering('the lock did not move'));
    this.lockCommanded = locked;
    const seq = (this.seq = nextSeq(this.seq));
    const { actuatorTimeoutMs } = this.env.options;
    return this.command('LockCommand', { Channel: this.channel, Seq: seq, Lock: locked ? 1 : 0 }, () =>
      this.locks.add(seq, undefined, actuatorTimeoutMs, () => this.late('LockState', actuatorTimeoutMs)),
    );
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
    if (!this.info.hasRcdTest) {
      return Promise.reject(new HalError('notSupported', `connector ${this.info.id} has no RCD test`));
    }
    if (!this.env.online()) return Promise.reject(this.notAnswering('no RCD test'));
    const seq = (this.seq = nextSeq(this.seq));
    const { actuatorTimeoutMs } = this.env.options;
    return this.command('RcdTestCommand', { Channel: this.channel, Seq: seq }, () =>
      this.rcdTests.add(seq, undefined, actuatorTimeoutMs, () => this.late('RCD test result', actuatorTimeoutMs)),
    );
  }

  // ── frames from the controller (a returned string: the frame is malformed) ──────────────

  handle(name: MessageName, v: SignalValues): string | void {
    switch (name) {
      case 'PilotState':
        return this.onPilot(v.State ?? 0);
      case 'ContactorState':
        return this.contactorState.report(v.Closed === 1, v.HeldOpen === 1);
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

  // ── node supervision (called by the node) ───────────────────────────────────────────────

  /** controllerLost. `silent`: the node's heartbeat stayed away — the contactor is reported open
   * and waiting commands fail; otherwise the controller does not hear evsed and holds the
   * contactor open itself (its frames still tell the truth). */
  nodeLost(detail: string, silent: boolean): void {
    this.withFaultEvents(() => this.derived.set('controllerLost', detail));
    if (!silent) {
      this.contactorState.voidCommand(detail);
      return;
    }
    this.contactorState.lost(detail);
    const lost = new HalError('timeout', `${this.where()}: ${detail}`);
    this.offers.rejectAll(lost);
    this.locks.rejectAll(lost);
    this.rcdTests.rejectAll(lost);
    this.meterWaiters.rejectAll(lost);
    this.meterFrames.reset();
  }

  /** The controller (re)booted or came back: its contactor is open; tell it so again. */
  resetForResync(reason: string): void {
    this.contactorState.voidCommand(`controller node ${this.node} ${reason}`);
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
    const connector = this.info.id;
    for (const code of after.filter((c) => !before.includes(c))) {
      const detail = this.derived.get(code);
      this.env.emit(
        detail === undefined
          ? { type: 'hal.faultRaised', connector, code }
          : { type: 'hal.faultRaised', connector, code, detail },
      );
    }
    for (const code of before.filter((c) => !after.includes(c))) {
      this.env.emit({ type: 'hal.faultCleared', connector, code });
    }
  }

  /** stop(): PWM off and contactor open, then wait for the feedback (welded if it stays closed). */
  async shutdown(): Promise<void> {
    this.offerA = null;
    this.offers.rejectAll(new HalError('stopped', this.where()));
    if (this.env.online()) {
      this.env.post('OfferCommand', this.offerValues((this.seq = nextSeq(this.seq))));
      this.env.post('ContactorCommand', { Channel: this.channel, Close: 0 });
    }
    await this.contactorState.shutdown();
  }

  /** After the channel closed: reject whatever still waits and cancel every timer. */
  release(): void {
    const stopped = new HalError('stopped', this.where());
    this.offers.rejectAll(stopped);
    this.locks.rejectAll(stopped);
    this.rcdTests.rejectAll(stopped);
    this.meterWaiters.rejectAll(stopped);
    this.contactorState.release();
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

  private late(what: string, ms: number): HalError {
    return new HalError('timeout', `${this.where()}: no ${what} within ${ms} ms`);
  }

  /** Send a command, then wait as `wait` says; a send failure rejects at once. */
  private command<T>(name: MessageName, values: SignalValues, wait: () => Promise<T>): Promise<T> {
    try {
      this.env.send(name, values);
    } catch (error) {
      return Promise.reject(error);
    }
    return wait();
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
    if (commandedDuty === undefined) return; // unsolicited, a resync, or too late: nothing waits
    if (duty === commandedDuty) {
      this.offers.settleUpTo(seq, { value: undefined });
      return;
    }
    const detail = `${this.where()}: controller set ${duty} % instead of ${commandedDuty} %`;
    this.offers.settleUpTo(seq, { error: new HalError('badReply', detail) });
  }

  private onLockState(seq: number, locked: boolean, failed: boolean): string | void {
    if (!this.info.hasLock) return `connector ${this.info.id} has no lock`;
    if (locked !== this.lockPosition) {
      this.lockPosition = locked;
      this.env.emit({ type: 'hal.lockChanged', connector: this.info.id, locked });
    }
    const result: LockResult = failed ? 'failed' : locked ? 'locked' : 'unlocked';
    if (seq !== 0) this.locks.settleWhere((key) => key === seq, { value: result });
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
