/**
 * One OpenEVSE controller behind a RAPI port: its commands, its state reports, its liveness.
 *
 * Owns: the RAPI vocabulary the serial driver uses — `$GV` (firmware and protocol version; RAPI
 * ≥ 3.0.0 turns sequence ids on in `auto` mode), `$GS` (state), `$SC amps V` (volatile current
 * capacity), `$FE` (enable) and `$FS` (sleep) in the priority lane, `$GG` (current, voltage),
 * `$GU` (energy) — the parsing of `$AT`/`$ST`/`$GS` into RapiStatus, the boot notice `$AB`, the
 * order of reports (a `$GS` reply resolves after the frames that followed it on the line were
 * handled: a report never overrides a newer one), and the link state: `down` when the port is
 * lost or a command goes unanswered through its retries, `up` again as soon as any valid frame
 * arrives. A poll (`$GS` every pollIntervalMs) keeps the state fresh and probes a silent
 * controller (without retries while the link is down).
 *
 * Must not: decide what to command (the serial connector does), map states to HAL words.
 */
import { HalError } from '../../errors.js';
import type { HalClock } from '../../types.js';
import type { ByteChannel, PortStatus } from '../port.js';
import { RapiClient } from './client.js';
import type { RapiClientOptions, RapiCounters, RapiReply } from './client.js';
import { compareVersions, decParam, hexParam } from './protocol.js';
import type { RapiFrame } from './protocol.js';
import type { RapiStatus } from './states.js';

export const SEQUENCE_ID_MODES = ['auto', 'on', 'off'] as const;
export type SequenceIdMode = (typeof SEQUENCE_ID_MODES)[number];

export interface RapiControllerOptions extends RapiClientOptions {
  pollIntervalMs: number;
  sequenceIds: SequenceIdMode;
}

export type RapiLink = 'unknown' | 'up' | 'down';
export type StatusSource = 'AT' | 'ST' | 'GS';

export interface RapiFirmware {
  version: string;
  protocol: string;
}

/** `$GG` + `$GU`. Current is negative when the controller has no ammeter. */
export interface RapiReadings {
  currentMa: number;
  voltageMv: number;
  sessionWs: number;
  totalWh: number;
}

/** RAPI protocol version from which commands may carry a sequence id. */
const SEQUENCE_IDS_FROM = '3.0.0';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class RapiController {
  readonly client: RapiClient;
  private linkState: RapiLink = 'unknown';
  private linkDetail = 'not started';
  private firmwareInfo: RapiFirmware | null = null;
  private lastStatus: RapiStatus | null = null;
  /** Arrival order of the frame behind lastStatus: an older report never overrides a newer one. */
  private lastStatusOrder = 0;
  private poller: { cancel(): void } | null = null;
  private stopped = false;
  private readonly statusListeners = new Set<(status: RapiStatus, source: StatusSource) => void>();
  private readonly linkListeners = new Set<(link: RapiLink, detail: string) => void>();
  private readonly bootListeners = new Set<(detail: string) => void>();
  private readonly offs: (() => void)[] = [];
  private boots = 0;
  private pollFailures = 0;
  private lastPollError = '';

  constructor(
    private readonly channel: ByteChannel,
    private readonly options: RapiControllerOptions,
  ) {
    this.client = new RapiClient(channel, options);
    if (options.sequenceIds === 'on') this.client.setSequenceIds(true);
    this.offs.push(
      this.client.onAlive(() => this.setLink('up', 'answering')),
      this.client.onSilent((detail) => this.setLink('down', detail)),
      this.client.onAsync((frame, order) => this.onAsync(frame, order)),
      channel.onStatus((status, detail) => this.onPort(status, detail)),
    );
  }

  get path(): string {
    return this.channel.path;
  }

  link(): { state: RapiLink; detail: string } {
    return { state: this.linkState, detail: this.linkDetail };
  }

  firmware(): RapiFirmware | null {
    return this.firmwareInfo;
  }

  status(): RapiStatus | null {
    return this.lastStatus;
  }

  counters(): RapiCounters & { boots: number; pollFailures: number; lastPollError: string } {
    return { ...this.client.counters(), boots: this.boots, pollFailures: this.pollFailures, lastPollError: this.lastPollError };
  }

  onStatus(listener: (status: RapiStatus, source: StatusSource) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onLink(listener: (link: RapiLink, detail: string) => void): () => void {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  /** The controller announced a (re)boot. */
  onBoot(listener: (detail: string) => void): () => void {
    this.bootListeners.add(listener);
    return () => this.bootListeners.delete(listener);
  }

  /** Start polling `$GS`. */
  startPolling(): void {
    if (this.poller || this.stopped) return;
    this.poller = this.options.clock.setInterval(() => this.poll(), this.options.pollIntervalMs);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.poller?.cancel();
    this.poller = null;
    for (const off of this.offs) off();
    this.client.close();
  }

  // ── commands ─────────────────────────────────────────────────────────────────────────────

  /** `$GV`: firmware and RAPI version; turns sequence ids on in auto mode for RAPI ≥ 3.0.0. */
  async identify(): Promise<RapiFirmware> {
    this.client.setSequenceIds(this.options.sequenceIds === 'on');
    const reply = await this.expectOk('GV');
    const info = { version: reply.params[0] ?? 'unknown', protocol: reply.params[1] ?? 'unknown' };
    this.firmwareInfo = info;
    if (this.options.sequenceIds === 'auto') {
      this.client.setSequenceIds(/^\d/.test(info.protocol) && compareVersions(info.protocol, SEQUENCE_IDS_FROM) >= 0);
    }
    return info;
  }

  /** `$GS`: the controller's state, published to onStatus listeners. */
  async readState(retries?: number): Promise<RapiStatus> {
    const reply = await this.expectOk('GS', [], retries === undefined ? {} : { retries });
    const evseState = hexParam(reply.params[0]);
    if (evseState === null) throw new HalError('badReply', `${this.path}: $GS answered ${reply.params.join(' ')}`);
    const status: RapiStatus = {
      evseState,
      pilotState: hexParam(reply.params[2]),
      currentCapacityA: this.lastStatus?.currentCapacityA ?? null,
      vflags: hexParam(reply.params[3]),
    };
    this.publish(status, 'GS', reply.order);
    return status;
  }

  /** `$SC amps V` (volatile: not written to EEPROM). `accepted` is false when the controller
   * answered `$NK` (it then clamps to its own limits, or refuses to raise the current while over
   * temperature); `setA` is the capacity it reports having set. */
  async setCapacity(amps: number): Promise<{ accepted: boolean; setA: number | null }> {
    const whole = Math.floor(amps);
    const reply = await this.client.send('SC', [whole, 'V']);
    const setA = decParam(reply.params[0]);
    return { accepted: reply.ok && setA === whole, setA };
  }

  /** `$FE`: enable (PWM on when an EV is connected; the controller closes its relay on C).
   * Enable and sleep share the priority lane: they pass polls and readings, and keep their
   * call order among themselves, so the last one called is the state the controller ends in. */
  async enable(): Promise<void> {
    await this.expectOk('FE', [], { priority: true });
  }

  /** `$FS`: sleep (PWM off, relay open), in the priority lane. */
  async sleep(): Promise<void> {
    await this.expectOk('FS', [], { priority: true });
  }

  /** `$GG` and `$GU`. */
  async readReadings(): Promise<RapiReadings> {
    const gg = await this.expectOk('GG');
    const gu = await this.expectOk('GU');
    const currentMa = decParam(gg.params[0]);
    const voltageMv = decParam(gg.params[1]);
    const sessionWs = decParam(gu.params[0]);
    const totalWh = decParam(gu.params[1]);
    if (currentMa === null || voltageMv === null || sessionWs === null || totalWh === null) {
      throw new HalError('badReply', `${this.path}: $GG/$GU answered ${gg.params.join(' ')} / ${gu.params.join(' ')}`);
    }
    return { currentMa, voltageMv, sessionWs, totalWh };
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private async expectOk(code: string, params: (string | number)[] = [], options = {}): Promise<RapiReply> {
    const reply = await this.client.send(code, params, options);
    if (!reply.ok) throw new HalError('badReply', `${this.path}: $${code} refused ($NK ${reply.params.join(' ')})`.trim());
    return reply;
  }

  private poll(): void {
    if (this.stopped || this.channel.status() !== 'open' || this.client.busy() > 0) return;
    const retries = this.linkState === 'up' ? undefined : 0;
    this.readState(retries).catch((error: unknown) => this.onPollFailed(error));
  }

  /** A silent controller is reported through the link (onSilent → 'down'); every failure is
   * counted for diagnostics. */
  private onPollFailed(error: unknown): void {
    this.pollFailures++;
    this.lastPollError = describe(error);
  }

  private onPort(status: PortStatus, detail: string): void {
    if (status === 'lost' || status === 'closed') {
      this.client.failAll(new HalError('portUnavailable', `${this.path}: ${detail}`));
      this.setLink('down', `port ${status}: ${detail}`);
      return;
    }
    // Reopened: what was half-received before belongs to no frame; probe at once.
    this.client.resetFraming();
    if (!this.stopped) this.readState(0).catch((error: unknown) => this.onPollFailed(error));
  }

  private onAsync(frame: RapiFrame, order: number): void {
    switch (frame.code) {
      case 'AT': {
        const evseState = hexParam(frame.params[0]);
        if (evseState === null) return;
        this.publish(
          {
            evseState,
            pilotState: hexParam(frame.params[1]),
            currentCapacityA: decParam(frame.params[2]),
            vflags: hexParam(frame.params[3]),
          },
          'AT',
          order,
        );
        return;
      }
      case 'ST': {
        const evseState = hexParam(frame.params[0]);
        if (evseState === null) return;
        this.publish({ evseState, pilotState: null, currentCapacityA: null, vflags: null }, 'ST', order);
        return;
      }
      case 'AB': {
        this.boots++;
        this.firmwareInfo = null;
        const detail = `boot notice: post code ${frame.params[0] ?? '?'}, firmware ${frame.params[1] ?? '?'}`;
        for (const listener of [...this.bootListeners]) listener(detail);
        return;
      }
      default:
        return; // $AN (button), $WF (Wi-Fi mode request): no HAL meaning; counted by the client
    }
  }

  private publish(status: RapiStatus, source: StatusSource, order: number): void {
    if (order < this.lastStatusOrder) return; // a reply handled after a newer report
    this.lastStatusOrder = order;
    this.lastStatus = status;
    for (const listener of [...this.statusListeners]) listener(status, source);
  }

  private setLink(state: RapiLink, detail: string): void {
    this.linkDetail = detail;
    if (state === this.linkState) return;
    this.linkState = state;
    for (const listener of [...this.linkListeners]) listener(state, detail);
  }
}
