/**
 * One connector of the serial board: an OpenEVSE controller (RAPI) and a meter, behind the
 * ConnectorHardware contract. The full mapping table is in hal/serial/README.md.
 *
 * Owns: the mapping of HAL commands onto RAPI and of controller reports onto HAL events.
 *  - Offer: setOffer(A ≥ 6) → `$SC A V` (volatile), then `$FE` (enable: PWM on); no offer →
 *    `$FS` (sleep: PWM off, relay open). offer() is the offer last commanded.
 *  - Contactor: OpenEVSE closes its relay itself when enabled with the EV in C; RAPI has no relay
 *    command. setContactor is the permission to energise. closed: `$FE` (with an offer); with
 *    the EV in C it resolves once the controller reports its relay closed (ECVF_CHARGING_ON),
 *    else contactorStuckOpen + 'contactorFeedback' after contactorFeedbackTimeoutMs. open: when
 *    the relay may be closed or the EV asks (C/D), `$FS` and the controller is held asleep until
 *    the permission returns, the offer is withdrawn or the EV leaves; resolves once the relay is
 *    reported open, else contactorWelded + 'contactorFeedback'; with the EV in B and the relay
 *    open nothing is sent (PWM stays, the EV may resume). feedback is null (no feedback contact
 *    of the HAL's own; relayClosed() tells what the controller drives); `hal.contactorChanged`
 *    reports the permission as the controller took it, and false while the link is lost.
 *  - Reports: controller states → pilot and faults (rapi/states.ts); link lost → controllerLost,
 *    pilot F, contactor reported open; link back or `$AB` → resynchronise and clear; a report
 *    showing the controller enabled, or offering more, than commanded is corrected.
 *  - Meter: a Modbus meter, else the controller's readings, polled; failures → meterFailure.
 *  - No lock, no RCD test (notSupported), no card reader (rfid.ts).
 *
 * Must not: decide about sessions (the statechart does); open or close ports (the board does).
 */
import { HalError } from '../errors.js';
import { normaliseOffer } from '../pwm.js';
import type { ConnectorHardware, ConnectorInfo, FaultCode, HalClock, HalEvent } from '../types.js';
import type { LockResult, MeterReading, PilotState } from '../types.js';
import { FaultBook } from './events.js';
import { MeterPoller, readingChanged, zeroReading } from './meter-poller.js';
import { RelayWatch } from './relay-watch.js';
import type { MeterPollerCounters, MeterSource } from './meter-poller.js';
import type { RapiController, RapiLink } from './rapi/controller.js';
import { interpretStatus } from './rapi/states.js';
import type { RapiStatus } from './rapi/states.js';

export interface SerialConnectorOptions {
  info: ConnectorInfo;
  controller: RapiController;
  meter: MeterSource;
  /** 'modbus': every meter failure counts; 'controller': only refusals (silence is controllerLost). */
  meterKind: 'modbus' | 'controller';
  meterIntervalMs: number;
  meterRetries: number;
  contactorFeedbackTimeoutMs: number;
  /** Least time between two corrections of a controller that disagrees with the command, ms. */
  reconcileMinIntervalMs: number;
  clock: HalClock;
  emit(event: HalEvent): void;
}

export interface SerialConnectorDiagnostics {
  connector: number;
  controllerPort: string;
  link: { state: RapiLink; detail: string };
  firmware: { version: string; protocol: string } | null;
  sequenceIds: boolean;
  controllerState: RapiStatus | null;
  relayClosed: boolean | null;
  hold: boolean;
  counters: ReturnType<RapiController['counters']>;
  meter: { source: string; healthy: boolean | null; counters: MeterPollerCounters };
  lastSyncError: string;
  lastError: string;
}

export class SerialConnector implements ConnectorHardware {
  readonly info: ConnectorInfo;
  private pilotState: PilotState = 'F';
  private offerA: number | null = null;
  private commanded = false;
  private reportedClosed = false;
  private hold = false;
  private relay: boolean | null = null;
  private enabledReported: boolean | null = null;
  private capacityReported: number | null = null;
  private commanding = 0;
  private contactorGen = 0;
  private stopped = false;
  private started = false;
  private readonly book: FaultBook;
  private reading: MeterReading;
  private emittedReading: MeterReading | null = null;
  private readonly poller: MeterPoller;
  private readonly relayWatch: RelayWatch;
  private resyncing: Promise<void> | null = null;
  private resyncAgain = false;
  private lastSyncError = '';
  private lastError = '';
  private lastCorrectionMs = -Infinity;
  private readonly offs: (() => void)[];

  constructor(private readonly o: SerialConnectorOptions) {
    this.info = o.info;
    this.book = new FaultBook(o.info.id, (e) => o.emit(e));
    this.reading = zeroReading(o.info.phases, o.clock.now());
    this.relayWatch = new RelayWatch(o.clock, o.contactorFeedbackTimeoutMs, () => {
      o.controller.readState().catch((error: unknown) => this.noteError(error));
    });
    this.poller = new MeterPoller(o.meter, {
      intervalMs: o.meterIntervalMs,
      retries: o.meterRetries,
      clock: o.clock,
      countsAgainstMeter: (error) => o.meterKind === 'modbus' || error.code === 'badReply',
      onReading: (reading) => this.onReading(reading),
      onHealth: (error) =>
        error ? this.book.raise('meterFailure', 'meter', error.message) : this.book.clear('meterFailure', 'meter'),
    });
    this.offs = [
      o.controller.onStatus((status) => this.onStatus(status)),
      o.controller.onLink((link, detail) => this.onLink(link, detail)),
      o.controller.onBoot(() => void this.resync('boot notice')),
    ];
  }

  // ── ConnectorHardware ────────────────────────────────────────────────────────────────────

  pilot(): PilotState {
    return this.pilotState;
  }

  setOffer(currentA: number | null): Promise<void> {
    return this.guard(async () => {
      const offer = normaliseOffer(currentA, this.info.maxCurrentA);
      this.offerA = offer;
      if (offer === null) {
        this.hold = false;
        await this.switchEnabled(false);
        return;
      }
      const wanted = Math.floor(offer);
      const { accepted, setA } = await this.o.controller.setCapacity(wanted);
      if (!accepted && setA !== null && this.offerA === offer) this.offerA = normaliseOffer(setA, this.info.maxCurrentA);
      if (!this.hold && this.offerA !== null) await this.switchEnabled(true);
      if (!accepted) {
        throw new HalError('badReply', `connector ${this.info.id}: controller refused ${wanted} A, offers ${setA ?? '?'} A`);
      }
    });
  }

  offer(): number | null {
    return this.offerA;
  }

  setContactor(closed: boolean): Promise<void> {
    return this.guard(async () => {
      const gen = ++this.contactorGen;
      this.commanded = closed;
      const superseded = (): void => {
        if (gen !== this.contactorGen || this.stopped) {
          throw new HalError('contactorFeedback', `connector ${this.info.id}: superseded by a later command`);
        }
      };
      if (closed) {
        this.hold = false;
        if (this.offerA !== null) await this.switchEnabled(true);
        superseded();
        if (this.offerA !== null && this.pilotState === 'C' && !this.book.has('contactorStuckOpen', 'controller')) {
          const reached = await this.relayWatch.wait(true, this.relay);
          superseded();
          if (!reached) {
            const detail = `controller reports its relay open ${this.o.contactorFeedbackTimeoutMs} ms after permission with the EV in C`;
            this.book.raise('contactorStuckOpen', 'feedback', detail);
            throw new HalError('contactorFeedback', `connector ${this.info.id}: ${detail}`);
          }
        }
      } else {
        this.book.clear('contactorStuckOpen', 'feedback');
        if (this.relay !== false || this.pilotState === 'C' || this.pilotState === 'D') {
          this.hold = true;
          await this.switchEnabled(false);
          superseded();
          if (!(await this.relayWatch.wait(false, this.relay))) {
            superseded();
            const detail = `controller reports its relay closed ${this.o.contactorFeedbackTimeoutMs} ms after sleep`;
            this.book.raise('contactorWelded', 'feedback', detail);
            throw new HalError('contactorFeedback', `connector ${this.info.id}: ${detail}`);
          }
          superseded();
        }
      }
      this.report(closed);
    });
  }

  contactor(): { commanded: boolean; feedback: boolean | null } {
    return { commanded: this.commanded, feedback: null };
  }

  meter(): MeterReading {
    return { ...this.reading, currentA: [...this.reading.currentA], voltageV: [...this.reading.voltageV] };
  }

  readMeter(): Promise<MeterReading> {
    return this.guard(() => this.poller.read());
  }

  setLock(_locked: boolean): Promise<LockResult> {
    return this.guard(() => {
      throw new HalError('notSupported', `connector ${this.info.id}: a RAPI controller has no lock`);
    });
  }

  locked(): boolean | null {
    return null;
  }

  faults(): readonly FaultCode[] {
    return this.book.codes();
  }

  testRcd(): Promise<boolean> {
    return this.guard(() => {
      throw new HalError('notSupported', `connector ${this.info.id}: RAPI cannot trigger the GFCI self-test`);
    });
  }

  // ── serial extras ────────────────────────────────────────────────────────────────────────

  /** Whether the controller drives its relay closed (ECVF_CHARGING_ON); null while unknown. */
  relayClosed(): boolean | null {
    return this.relay;
  }

  diagnostics(): SerialConnectorDiagnostics {
    const c = this.o.controller;
    return {
      connector: this.info.id,
      controllerPort: c.path,
      link: c.link(),
      firmware: c.firmware(),
      sequenceIds: c.client.sequenceIds(),
      controllerState: c.status(),
      relayClosed: this.relay,
      hold: this.hold,
      counters: c.counters(),
      meter: { source: this.o.meter.describe(), healthy: this.poller.health(), counters: this.poller.counters() },
      lastSyncError: this.lastSyncError,
      lastError: this.lastError,
    };
  }

  /** Synchronise with the controller, read the meter once, start polling. Resolves even when
   * the controller is silent (controllerLost is raised and cleared when it answers). */
  async start(): Promise<void> {
    await this.resync('start');
    try {
      this.emittedReading = await this.poller.read(); // the baseline: hal.meter reports changes from here on
    } catch (error) {
      this.noteError(error); // meterFailure is raised by the poller when it counts against the meter
    }
    this.started = true;
    this.o.controller.startPolling();
    this.poller.start();
  }

  /** Leave the controller asleep (when started); stop polling. Resolves with what went wrong
   * with the sleep command (null: acknowledged, or never started). */
  async stop(): Promise<string | null> {
    if (this.stopped) return null;
    this.stopped = true;
    this.contactorGen++;
    this.poller.stop();
    this.relayWatch.cancelAll();
    this.commanded = false;
    this.offerA = null;
    this.hold = false;
    let failure: string | null = null;
    if (this.started) {
      try {
        await this.o.controller.sleep();
      } catch (error) {
        failure = `connector ${this.info.id}: sleep not acknowledged (${error instanceof Error ? error.message : String(error)}), state unknown`;
      }
    }
    this.report(false);
    for (const off of this.offs) off();
    this.o.controller.stop();
    return failure;
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  /** Run a command: 'stopped' after stop(); while it runs, reports are not "corrected". */
  private guard<T>(body: () => Promise<T> | T): Promise<T> {
    if (this.stopped) return Promise.reject(new HalError('stopped', `connector ${this.info.id}`));
    this.commanding++;
    const run = (async () => body())();
    return run.finally(() => {
      this.commanding--;
    });
  }

  private async switchEnabled(enabled: boolean): Promise<void> {
    if (enabled) await this.o.controller.enable();
    else await this.o.controller.sleep();
  }

  private report(closed: boolean): void {
    if (closed === this.reportedClosed) return;
    this.reportedClosed = closed;
    this.o.emit({ type: 'hal.contactorChanged', connector: this.info.id, closed });
  }

  private setPilot(pilot: PilotState): void {
    if (pilot === this.pilotState) return;
    this.pilotState = pilot;
    if (pilot === 'A') this.hold = false;
    this.o.emit({ type: 'hal.cpChanged', connector: this.info.id, state: pilot });
  }

  private onStatus(status: RapiStatus): void {
    if (this.stopped) return;
    const view = interpretStatus(status);
    this.relay = view.relayClosed;
    this.enabledReported = view.enabled;
    if (status.currentCapacityA !== null) this.capacityReported = status.currentCapacityA;
    this.book.set('controller', view.fault ? [view.fault] : [], view.detail);
    if (this.relay === false) this.book.clear('contactorWelded', 'feedback');
    if (this.relay === true) this.book.clear('contactorStuckOpen', 'feedback');
    this.setPilot(view.pilot);
    this.relayWatch.reported(this.relay);
    this.reconcile();
  }

  /** Correct a controller that is enabled when it should sleep, offers more than commanded, or
   * sleeps when it should be enabled (a reboot without notice, the front button). Corrections
   * after the first wait `reconcileMinIntervalMs` (the controller may lower its current by
   * itself, e.g. when hot: a lower current is left alone). */
  private reconcile(): void {
    if (!this.started || this.stopped || this.resyncing || this.commanding > 0) return;
    if (this.o.controller.link().state !== 'up' || this.enabledReported === null) return;
    const wantEnabled = this.offerA !== null && !this.hold;
    const tooMuch = wantEnabled && this.capacityReported !== null && this.capacityReported > Math.floor(this.offerA ?? 0);
    if (this.enabledReported === wantEnabled && !tooMuch) return;
    const nowMs = this.o.clock.now();
    const urgent = this.enabledReported && !wantEnabled;
    if (!urgent && nowMs - this.lastCorrectionMs < this.o.reconcileMinIntervalMs) return;
    this.lastCorrectionMs = nowMs;
    void this.resync('controller state differs from the command');
  }

  private onLink(link: RapiLink, detail: string): void {
    if (this.stopped) return;
    if (link === 'down') {
      this.book.raise('controllerLost', 'link', detail);
      this.relay = null;
      this.enabledReported = null;
      this.setPilot('F');
      this.report(false);
      return;
    }
    if (link === 'up' && this.book.has('controllerLost')) {
      // Cleared once resynchronised while still answering (a refusal is not silence).
      void this.resync('controller answers again').then(() => {
        if (this.o.controller.link().state === 'up') this.book.clear('controllerLost', 'link');
      });
    }
  }

  /** Re-send what is commanded and re-read the state; never rejects (errors are recorded). */
  private resync(reason: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.resyncing) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    this.resyncing = (async () => {
      do {
        this.resyncAgain = false;
        try {
          await this.syncOnce();
          this.lastSyncError = '';
          // The controller holds the commanded permission again (reported withdrawn on a loss).
          this.report(this.commanded);
        } catch (error) {
          this.lastSyncError = `${reason}: ${error instanceof Error ? error.message : String(error)}`;
          return;
        }
      } while (this.resyncAgain && !this.stopped);
    })().finally(() => {
      this.resyncing = null;
    });
    return this.resyncing;
  }

  private async syncOnce(): Promise<void> {
    const c = this.o.controller;
    if (!c.firmware()) {
      try {
        await c.identify();
      } catch (error) {
        if (!(error instanceof HalError && error.code === 'badReply')) throw error;
        this.noteError(error); // a controller refusing $GV still works, without sequence ids
      }
    }
    const offer = this.offerA;
    if (offer !== null) await c.setCapacity(Math.floor(offer));
    if (this.stopped) return;
    await this.switchEnabled(this.offerA !== null && !this.hold);
    await c.readState();
  }

  private onReading(reading: MeterReading): void {
    this.reading = reading;
    if (!this.started || this.stopped || !readingChanged(reading, this.emittedReading)) return;
    this.emittedReading = reading;
    this.o.emit({ type: 'hal.meter', connector: this.info.id, reading: this.meter() });
  }

  /** Failures that leave nothing to do but tell (diagnostics): already reported as faults. */
  private noteError(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
  }
}
