/**
 * A simulated OpenEVSE controller speaking RAPI on the device end of a pty.
 *
 * Owns: a small model of the firmware (J1772EvseController + rapi_proc): EVSE state from the EV,
 * the enable/sleep/disable flags and injected error states; PWM shown only when enabled without
 * error and an EV connected; the relay closed exactly in state C (ECVF_CHARGING_ON); the EV
 * draws min(capacity, its maximum) on every phase while the relay is closed; energy integrated
 * in real time (session watt-seconds, added truncated to the Wh total when the EV leaves).
 * Commands: GV GS GG GU GC SC FE FS FD FR; anything else `$NK`. Replies carry the XOR checksum
 * and echo a sequence id; a command with a wrong checksum gets `$NK` without id (as the
 * firmware does); `$AT` goes out after every command that changed the state and on every EV or
 * fault change. Test hands: plug, request, unplug, error states, reboot (`$AB` after a boot
 * pause), silence, raw garbage, corrupted checksums, detach/attach of the cable.
 *
 * Must not: share code with hal/serial (an independent implementation of the wire format, so
 * both sides are checked against each other).
 */
import { performance } from 'node:perf_hooks';
import { SimPort } from './sim-port.js';

export interface RapiSimOptions {
  firmwareVersion: string;
  /** RAPI protocol version reported by $GV (≥ 3.0.0: the driver uses sequence ids). */
  protocolVersion: string;
  /** Hardware maximum current (SC clamps to it). */
  maxCurrentA: number;
  /** Capacity in EEPROM: the offer after boot. */
  eepromCapacityA: number;
  /** Enabled after boot (OpenEVSE default). */
  bootEnabled: boolean;
  voltageMv: number;
  evMaxCurrentA: number;
  /** Phases the EV draws on (for meters that see every phase). */
  phases: 1 | 3;
  totalWh: number;
  /** Without ammeter, $GG reports -1 mA. */
  ammeter: boolean;
  /** Pause between a reboot and the $AB notice, ms. */
  bootPauseMs: number;
}

export const RAPI_SIM_DEFAULTS: RapiSimOptions = {
  firmwareVersion: '8.2.1',
  protocolVersion: '5.1.0',
  maxCurrentA: 80,
  eepromCapacityA: 32,
  bootEnabled: true,
  voltageMv: 230_000,
  evMaxCurrentA: 32,
  phases: 3,
  totalWh: 0,
  ammeter: true,
  bootPauseMs: 50,
};

/** How the controller reports its relay (ECVF_CHARGING_ON): truthfully, or stuck at a value. */
export type RelayFlagInjection = 'normal' | 'neverClosed' | 'neverOpen';

export interface ReceivedCommand {
  code: string;
  params: string[];
  line: string;
  atMs: number;
}

const xor = (s: string): number => [...s].reduce((acc, ch) => acc ^ ch.charCodeAt(0), 0);
const sum = (s: string): number => [...s].reduce((acc, ch) => (acc + ch.charCodeAt(0)) & 0xff, 0);
const h2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

export class RapiSim {
  readonly options: RapiSimOptions;
  readonly received: ReceivedCommand[] = [];
  private readonly port: SimPort;
  private buffer = '';
  private ev: { requesting: boolean } | null = null;
  private sleeping = false;
  private disabled = false;
  private errorState: number | null = null;
  private capacityA: number;
  private booting = false;
  private silent = false;
  private corruptLines = 0;
  private sessionWs = 0;
  private totalWh: number;
  private lastSettleMs = performance.now();
  private lastAt = '';
  /** While a command runs, state reports wait until its reply is out (firmware g_inRapiCommand). */
  private inCommand = false;
  private relayFlag: RelayFlagInjection = 'normal';
  private readonly commandListeners = new Set<(c: ReceivedCommand) => void>();
  private readonly writeListeners = new Set<(line: string, atMs: number) => void>();
  private readonly electricalListeners = new Set<() => void>();

  private constructor(path: string, options: Partial<RapiSimOptions>) {
    this.options = { ...RAPI_SIM_DEFAULTS, ...options };
    this.capacityA = this.options.eepromCapacityA;
    this.sleeping = !this.options.bootEnabled;
    this.totalWh = this.options.totalWh;
    this.port = new SimPort(path, (bytes) => this.onBytes(bytes));
  }

  static async open(path: string, options: Partial<RapiSimOptions> = {}): Promise<RapiSim> {
    const sim = new RapiSim(path, options);
    await sim.port.attach();
    return sim;
  }

  // ── the EV and the hardware ──────────────────────────────────────────────────────────────

  plug(): void {
    this.change(() => {
      this.ev = { requesting: false };
      this.sessionWs = 0;
    });
  }

  unplug(): void {
    this.change(() => {
      this.ev = null;
      this.totalWh += Math.floor(this.sessionWs / 3600);
      if (this.errorState === 0x06) this.errorState = null; // the firmware cancels a GFCI fault on unplug
    });
  }

  /** The EV asks for energy (goes to C when it sees PWM) or stops asking. */
  request(on: boolean): void {
    this.change(() => {
      if (this.ev) this.ev.requesting = on;
    });
  }

  /** Enter an error state (0x05–0x0E). */
  fault(state: number): void {
    this.change(() => (this.errorState = state));
  }

  clearFault(): void {
    this.change(() => (this.errorState = null));
  }

  /** Restart: silent for bootPauseMs, then `$AB 00 version` and a state report. */
  reboot(): void {
    this.change(() => {
      this.booting = true;
      this.sleeping = !this.options.bootEnabled;
      this.disabled = false;
      this.capacityA = this.options.eepromCapacityA;
      this.errorState = null;
      this.sessionWs = 0;
    });
    setTimeout(() => {
      this.booting = false;
      this.lastAt = '';
      this.send(`$AB 00 ${this.options.firmwareVersion}`);
      this.reportState();
    }, this.options.bootPauseMs);
  }

  /** Make the relay report lie (a relay driver fault the firmware does not detect). */
  injectRelayFlag(mode: RelayFlagInjection): void {
    this.relayFlag = mode;
    this.reportState();
  }

  /** Stop answering and reporting (a hung controller, or a broken RX/TX line). */
  setSilent(on: boolean): void {
    this.silent = on;
    if (!on) this.reportState();
  }

  /** Write raw bytes on the line. */
  injectRaw(bytes: string | Buffer): void {
    this.port.write(bytes);
  }

  /** The next `n` lines go out with a wrong checksum. */
  corruptNext(n: number): void {
    this.corruptLines = n;
  }

  async detach(): Promise<void> {
    await this.port.detach();
    this.buffer = '';
  }

  async attach(path?: string): Promise<void> {
    await this.port.attach(path);
  }

  close(): Promise<void> {
    return this.port.detach();
  }

  // ── observation ──────────────────────────────────────────────────────────────────────────

  onCommand(listener: (c: ReceivedCommand) => void): () => void {
    this.commandListeners.add(listener);
    return () => this.commandListeners.delete(listener);
  }

  onWrite(listener: (line: string, atMs: number) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /** Called just before the current changes (meters integrate up to now). */
  onElectrical(listener: () => void): () => void {
    this.electricalListeners.add(listener);
    return () => this.electricalListeners.delete(listener);
  }

  commands(code?: string): ReceivedCommand[] {
    return code === undefined ? [...this.received] : this.received.filter((c) => c.code === code);
  }

  evseState(): number {
    if (this.errorState !== null) return this.errorState;
    if (this.disabled) return 0xff;
    if (this.sleeping) return 0xfe;
    if (!this.ev) return 0x01;
    return this.ev.requesting ? 0x03 : 0x02;
  }

  enabled(): boolean {
    return !this.sleeping && !this.disabled;
  }

  capacity(): number {
    return this.capacityA;
  }

  relayClosed(): boolean {
    return this.evseState() === 0x03;
  }

  /** Current per phase the EV draws now, A. */
  currentA(): number {
    return this.relayClosed() ? Math.min(this.capacityA, this.options.evMaxCurrentA) : 0;
  }

  voltageV(): number {
    return this.options.voltageMv / 1000;
  }

  sessionWattSeconds(): number {
    this.settle();
    return this.sessionWs;
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private pilotByte(): number {
    if (!this.ev) return 0x01;
    const pwm = this.errorState === null && this.enabled();
    return this.ev.requesting && pwm ? 0x03 : 0x02;
  }

  private vflags(): number {
    const relay = this.relayFlag === 'normal' ? this.relayClosed() : this.relayFlag === 'neverOpen';
    return (this.ev ? 0x0100 : 0) | (relay ? 0x0040 : 0) | (this.errorState !== null ? 0x0002 : 0);
  }

  private settle(): void {
    const now = performance.now();
    const amps = this.currentA();
    if (amps > 0) this.sessionWs += (this.options.voltageMv / 1000) * amps * ((now - this.lastSettleMs) / 1000);
    this.lastSettleMs = now;
  }

  /** Apply a change with energy settled before it and a state report after it. */
  private change(fn: () => void): void {
    this.settle();
    for (const l of [...this.electricalListeners]) l();
    fn();
    this.reportState();
  }

  private reportState(): void {
    if (this.booting || this.silent || this.inCommand) return;
    const at = `$AT ${h2(this.evseState()).toLowerCase()} ${h2(this.pilotByte()).toLowerCase()} ${this.capacityA} ${this.vflags().toString(16).padStart(4, '0')}`;
    if (at === this.lastAt) return;
    this.lastAt = at;
    this.send(at);
  }

  private send(body: string): void {
    let check = xor(body);
    if (this.corruptLines > 0) {
      this.corruptLines--;
      check ^= 0x5a;
    }
    const line = `${body}^${h2(check)}\r`;
    const atMs = performance.now();
    for (const l of [...this.writeListeners]) l(line, atMs);
    this.port.write(line);
  }

  private onBytes(bytes: Buffer): void {
    this.buffer += bytes.toString('latin1');
    for (let i = this.buffer.search(/[\r\n]/); i >= 0; i = this.buffer.search(/[\r\n]/)) {
      const line = this.buffer.slice(0, i);
      this.buffer = this.buffer.slice(i + 1);
      const start = line.lastIndexOf('$');
      if (start >= 0) this.onLine(line.slice(start));
    }
    if (this.buffer.length > 256) this.buffer = '';
  }

  private onLine(line: string): void {
    if (this.booting || this.silent) return;
    let body = line;
    const mark = /([\^*])([0-9A-Fa-f]{2})$/.exec(line);
    if (mark) {
      body = line.slice(0, mark.index);
      const expected = parseInt(mark[2] ?? '', 16);
      if ((mark[1] === '^' ? xor(body) : sum(body)) !== expected) {
        this.send('$NK');
        return;
      }
    }
    const tokens = body.slice(1).split(' ').filter((t) => t.length > 0);
    let seq: string | null = null;
    if (tokens.length > 1 && tokens[tokens.length - 1]?.startsWith(':')) seq = tokens.pop() ?? null;
    const [code = '', ...params] = tokens;
    const received = { code, params, line, atMs: performance.now() };
    this.received.push(received);
    for (const l of [...this.commandListeners]) l(received);
    this.inCommand = true;
    let result: [boolean, string];
    try {
      result = this.execute(code, params);
    } finally {
      this.inCommand = false;
    }
    const [ok, text] = result;
    this.send(`$${ok ? 'OK' : 'NK'}${text === '' ? '' : ` ${text}`}${seq ? ` ${seq}` : ''}`);
    if (code === 'FR') this.reboot();
    else this.reportState();
  }

  private execute(code: string, params: string[]): [boolean, string] {
    switch (code) {
      case 'GV':
        return [true, `${this.options.firmwareVersion} ${this.options.protocolVersion}`];
      case 'GS':
        return [true, `${h2(this.evseState()).toLowerCase()} 0 ${h2(this.pilotByte()).toLowerCase()} ${this.vflags().toString(16).padStart(4, '0')}`];
      case 'GG': {
        const ma = this.options.ammeter ? Math.round(this.currentA() * 1000) : -1;
        return [true, `${ma} ${this.options.voltageMv}`];
      }
      case 'GU':
        this.settle();
        return [true, `${Math.floor(this.sessionWs)} ${this.totalWh}`];
      case 'GC':
        return [true, `6 ${this.options.maxCurrentA} ${this.capacityA} ${this.options.maxCurrentA}`];
      case 'SC': {
        const wanted = Number(params[0]);
        if (!Number.isInteger(wanted)) return [false, ''];
        const set = Math.min(Math.max(wanted, 6), this.options.maxCurrentA);
        this.change(() => (this.capacityA = set));
        return [set === wanted, String(set)];
      }
      case 'FE':
        this.change(() => {
          this.sleeping = false;
          this.disabled = false;
        });
        return [true, ''];
      case 'FS':
        this.change(() => (this.sleeping = true));
        return [true, ''];
      case 'FD':
        this.change(() => (this.disabled = true));
        return [true, ''];
      case 'FR':
        return [true, ''];
      default:
        return [false, ''];
    }
  }
}
