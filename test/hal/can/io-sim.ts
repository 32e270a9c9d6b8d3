/**
 * A simulated charger I/O controller on a CAN bus end: the controller side of evsed-io.
 *
 * Owns: one controller node — its channels (io-sim-channel.ts), its node-wide faults and shared
 * RFID reader, its heartbeat (Counter advancing every heartbeatPeriodMs, EvsedAlive), the
 * ControllerHello after every (re)boot, answers to every evsed command (offer ack at once, relay,
 * lock and RCD test after their travel times, meter readings on request and every
 * meterPeriodMs, the sync dump then SyncDone), and the safety net: when evsed's heartbeat (a
 * new Counter) stays away for its Timeout (or `evsedTimeoutMs` when it says 0), PWM goes off and
 * every contactor opens and is held open until the heartbeat returns. Test hands: the EV, fault
 * inputs, card swipes, contactor / lock / RCD test injections, reboot, hang (silent and deaf),
 * a frozen heartbeat counter. Frames are encoded with the same codec (DatabaseService) as evsed.
 *
 * Must not: reach into evsed's board; use anything but the bus to talk to it.
 */
import type { CanChannel } from '../../../hal/can/channel.js';
import { CanCodec, loadKcd } from '../../../hal/can/codec.js';
import type { DecodedMessage } from '../../../hal/can/codec.js';
import { HELLO_REASONS, RFID_BYTES_PER_FRAME, RFID_MAX_BYTES, faultBits } from '../../../hal/can/messages.js';
import type { HelloReason, MessageName, SignalValues } from '../../../hal/can/messages.js';
import type { ContactorInjection } from '../../../hal/sim/index.js';
import type { FaultCode, HalClock } from '../../../hal/types.js';
import { IoSimChannel } from './io-sim-channel.js';
import type { IoSimChannelConfig, SimEvModel } from './io-sim-channel.js';

export interface IoSimOptions {
  end: CanChannel;
  node: number;
  channels: readonly IoSimChannelConfig[];
  clock: HalClock;
  heartbeatPeriodMs?: number;
  /** Used when evsed's heartbeat says Timeout 0. */
  evsedTimeoutMs?: number;
  meterPeriodMs?: number;
  contactorDelayMs?: number;
  lockDelayMs?: number;
  rcdTestDelayMs?: number;
  firmware?: readonly [number, number];
}

export const DEFAULT_SIM_EV: SimEvModel = { maxCurrentA: 32, phases: 3 };

export class IoControllerSim {
  readonly codec: CanCodec;
  /** evsed's heartbeat: not seen since boot, present (a new Counter within the timeout), or
   * missing (the safety net holds every contactor open, PWM off, offers ignored). */
  evsed: 'unknown' | 'alive' | 'missing' = 'unknown';
  /** Frames neither sent nor received: the firmware hangs. */
  hung = false;
  /** The heartbeat Counter stops advancing (a stuck main loop whose CAN keeps sending). */
  frozenCounter = false;
  readonly nodeFaults = new Set<FaultCode>();
  /** SyncRequests answered since creation. */
  syncs = 0;
  private readonly channels = new Map<number, IoSimChannel>();
  private counter = 0;
  private lastEvsedCounter: number | null = null;
  private watchdog: { cancel(): void } | null = null;
  private intervals: { cancel(): void }[] = [];
  private readonly opts: Required<Omit<IoSimOptions, 'firmware'>> & { firmware: readonly [number, number] };

  constructor(options: IoSimOptions) {
    this.opts = {
      heartbeatPeriodMs: 100,
      evsedTimeoutMs: 500,
      meterPeriodMs: 200,
      contactorDelayMs: 20,
      lockDelayMs: 50,
      rcdTestDelayMs: 100,
      firmware: [1, 4],
      ...options,
    };
    this.codec = new CanCodec({
      bus: loadKcd(),
      role: 'controller',
      nodes: [options.node],
      transmit: (frame) => options.end.send(frame),
      onMessage: (m) => this.handle(m),
    });
    options.end.onFrame((frame) => {
      if (!this.hung) this.codec.receive(frame);
    });
    const timings = this.opts;
    for (const config of options.channels) {
      const out = (name: MessageName, values: SignalValues) => this.out(name, values);
      this.channels.set(config.channel, new IoSimChannel(config, options.clock, timings, () => this.nodeFaults, out));
    }
  }

  /** Power on: Hello, then heartbeats and meter readings. */
  start(reason: HelloReason = 'powerOn'): void {
    this.stopTimers();
    const { clock, heartbeatPeriodMs, meterPeriodMs, firmware } = this.opts;
    this.out('ControllerHello', {
      Channels: this.channels.size,
      FirmwareMajor: firmware[0],
      FirmwareMinor: firmware[1],
      Reason: HELLO_REASONS.indexOf(reason),
    });
    this.armWatchdog(this.opts.evsedTimeoutMs);
    this.intervals = [
      clock.setInterval(() => this.sendHeartbeat(), heartbeatPeriodMs),
      clock.setInterval(() => this.eachChannel((ch) => ch.sendMeter()), meterPeriodMs),
    ];
  }

  /** Power off: no more frames or timers. */
  stop(): void {
    this.stopTimers();
    this.eachChannel((ch) => ch.cancel());
  }

  /** Restart the firmware: relays open, PWM off, counters from zero, Hello. */
  reboot(reason: HelloReason = 'watchdog'): void {
    this.stop();
    this.counter = 0;
    this.lastEvsedCounter = null;
    this.evsed = 'unknown';
    this.hung = false;
    this.eachChannel((ch) => ch.reset());
    this.start(reason);
  }

  channel(n: number): IoSimChannel {
    const found = this.channels.get(n);
    if (!found) throw new Error(`the simulated controller has no channel ${n}`);
    return found;
  }

  plug(n: number, ev: SimEvModel = DEFAULT_SIM_EV): void {
    this.channel(n).plug(ev);
  }
  unplug(n: number): void {
    this.channel(n).unplug();
  }
  request(n: number, on: boolean): void {
    this.channel(n).request(on);
  }
  injectContactor(n: number, mode: ContactorInjection): void {
    this.channel(n).injectContactor(mode);
  }

  /** A fault input changes; channel 0 = the whole controller. */
  setFault(n: number, code: FaultCode, on: boolean): void {
    if (code === 'controllerLost') throw new RangeError("controllerLost is evsed's own fault, not a controller input");
    if (n !== 0) {
      this.channel(n).setFault(code, on);
      return;
    }
    if (this.nodeFaults.has(code) === on) return;
    if (on) this.nodeFaults.add(code);
    else this.nodeFaults.delete(code);
    this.out('FaultState', faultBits(0, this.nodeFaults));
    this.eachChannel((ch) => ch.update());
  }

  /** A card at channel n's reader (0: the shared reader); the token is the UID in hex. */
  swipe(token: string, n = 0): void {
    if (!/^([0-9A-Fa-f]{2})+$/.test(token)) throw new RangeError(`token ${token} is not a hex UID`);
    const uid = Buffer.from(token, 'hex');
    if (uid.length > RFID_MAX_BYTES) throw new RangeError(`token ${token} is longer than ${RFID_MAX_BYTES} bytes`);
    if (n !== 0) this.channel(n);
    const parts = Math.ceil(uid.length / RFID_BYTES_PER_FRAME);
    for (let part = 0; part < parts; part++) {
      const values: Record<string, number> = {
        Channel: n,
        Part: part,
        Last: part === parts - 1 ? 1 : 0,
        Length: uid.length,
      };
      for (let i = 0; i < RFID_BYTES_PER_FRAME; i++) values[`Byte${i}`] = uid[part * RFID_BYTES_PER_FRAME + i] ?? 0;
      this.out('RfidToken', values);
    }
  }

  private handle(m: DecodedMessage): string | void {
    const v = m.values;
    if (m.name === 'EvsedHeartbeat') return this.onEvsedHeartbeat(v.Counter ?? -1, v.Timeout ?? 0);
    if (m.name === 'SyncRequest') {
      this.syncs++;
      this.out('FaultState', faultBits(0, this.nodeFaults));
      this.eachChannel((ch) => ch.dump());
      this.out('SyncDone', { Seq: v.Seq ?? 0 });
      return;
    }
    const ch = this.channels.get(v.Channel ?? -1);
    if (!ch) return `no channel ${String(v.Channel)}`;
    switch (m.name) {
      case 'ContactorCommand':
        return ch.command(v.Close === 1);
      case 'OfferCommand':
        if (this.evsed === 'missing') return; // PWM stays off while evsed is missing
        ch.setDuty(v.Duty ?? 100);
        this.out('OfferAck', {
          Channel: ch.config.channel,
          Seq: v.Seq ?? 0,
          Current: v.Current ?? 0,
          Duty: ch.dutyPercent,
        });
        return;
      case 'LockCommand':
        return ch.config.hasLock ? ch.lock(v.Seq ?? 0, v.Lock === 1) : 'no lock';
      case 'RcdTestCommand':
        return ch.config.hasRcdTest ? ch.rcdTest(v.Seq ?? 0) : 'no RCD test';
      case 'MeterRequest':
        return ch.sendMeter();
      default:
        return `${m.name} is not handled`;
    }
  }

  private onEvsedHeartbeat(counter: number, timeoutS: number): void {
    if (counter === this.lastEvsedCounter) return;
    this.lastEvsedCounter = counter;
    this.armWatchdog(timeoutS > 0 ? timeoutS * 1000 : this.opts.evsedTimeoutMs);
    if (this.evsed !== 'alive') {
      this.evsed = 'alive';
      this.eachChannel((ch) => ch.releaseHold());
    }
  }

  private armWatchdog(timeoutMs: number): void {
    this.watchdog?.cancel();
    this.watchdog = this.opts.clock.setTimeout(() => this.evsedMissing(), timeoutMs);
  }

  /** The safety net. */
  private evsedMissing(): void {
    this.watchdog = null;
    if (this.hung) return;
    this.evsed = 'missing';
    this.lastEvsedCounter = null;
    this.eachChannel((ch) => ch.holdOpen());
  }

  private sendHeartbeat(): void {
    if (!this.frozenCounter) this.counter = (this.counter + 1) % 256;
    this.out('ControllerHeartbeat', { Counter: this.counter, EvsedAlive: this.evsed === 'alive' ? 1 : 0 });
  }

  private out(name: MessageName, values: SignalValues): void {
    if (!this.hung) this.codec.send(this.opts.node, name, values);
  }

  private eachChannel(fn: (ch: IoSimChannel) => void): void {
    for (const ch of this.channels.values()) fn(ch);
  }

  private stopTimers(): void {
    for (const interval of this.intervals) interval.cancel();
    this.intervals = [];
    this.watchdog?.cancel();
    this.watchdog = null;
  }
}
