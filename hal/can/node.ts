/**
 * Supervision of one I/O controller node on the bus.
 *
 * Owns: the node's life cycle as evsed sees it — `syncing` (a SyncRequest is out), `online`,
 * `lost` (no heartbeat with a new Counter for heartbeatTimeoutMs) — its watchdog timer, the
 * resynchronisation after a start, a reboot (ControllerHello), a return from `lost`, and after
 * the controller's safety net fired (its heartbeat said EvsedAlive = 0, then 1 again); and the
 * node-wide fault bits (FaultState channel 0), reported on each of its connectors.
 * Resync: every contactor of the node counts as open and is commanded open, a SyncRequest asks
 * for the full state; on SyncDone controllerLost clears and, except at start, the offers and
 * lock positions evsed commanded are sent again.
 *
 * Must not: own the channel, decode frames, or close a contactor.
 */
import type { FaultCode } from '../types.js';
import type { CanConnector } from './connector.js';
import type { MessageName, SignalValues } from './messages.js';
import { HELLO_REASONS, faultsFromBits, nextSeq } from './messages.js';
import type { HelloReason } from './messages.js';
import type { ResolvedCanOptions } from './options.js';

export type CanNodeStatus = 'idle' | 'syncing' | 'online' | 'lost';

export interface CanNodeSnapshot {
  node: number;
  status: CanNodeStatus;
  /** ControllerHello frames seen since start. */
  reboots: number;
  /** Firmware version from the last ControllerHello, e.g. `1.4`. */
  firmware: string | null;
  helloReason: HelloReason | null;
  /** The controller's last heartbeat said it hears evsed's heartbeat. */
  controllerSeesEvsed: boolean;
  staleHeartbeats: number;
}

export interface CanNodeEnv {
  readonly options: ResolvedCanOptions;
  /** Send to this node; failures are reported by the board, never thrown. */
  send(name: MessageName, values: SignalValues): void;
  /** The node left `syncing` (online or lost): start() may be waiting for that. */
  settled(): void;
}

export class CanNode {
  private state: CanNodeStatus = 'idle';
  private readonly faultSet = new Set<FaultCode>();
  private readonly byChannel: ReadonlyMap<number, CanConnector>;
  private watchdog: { cancel(): void } | null = null;
  private lastCounter: number | null = null;
  private syncSeq = 0;
  private resendAfterSync = false;
  private safetyNetSeen = false;
  private seesEvsed = false;
  private reboots = 0;
  private firmware: string | null = null;
  private helloReason: HelloReason | null = null;
  private stale = 0;

  constructor(
    readonly node: number,
    readonly connectors: readonly CanConnector[],
    private readonly env: CanNodeEnv,
  ) {
    this.byChannel = new Map(connectors.map((c) => [c.channel, c]));
  }

  status(): CanNodeStatus {
    return this.state;
  }

  /** Commands may go out: the controller is there (or being synchronised). */
  reachable(): boolean {
    return this.state === 'syncing' || this.state === 'online';
  }

  faults(): ReadonlySet<FaultCode> {
    return this.faultSet;
  }

  connector(channel: number | undefined): CanConnector | undefined {
    return channel === undefined ? undefined : this.byChannel.get(channel);
  }

  start(): void {
    this.armWatchdog();
    this.resync('started', false);
  }

  stop(): void {
    this.watchdog?.cancel();
    this.watchdog = null;
  }

  onHeartbeat(counter: number, evsedAlive: boolean): void {
    if (counter === this.lastCounter) {
      this.stale++; // a frozen counter is no sign of life
      return;
    }
    this.lastCounter = counter;
    this.armWatchdog();
    const wasHearing = this.seesEvsed;
    this.seesEvsed = evsedAlive;
    if (this.state === 'lost') {
      this.resync('came back', true);
      return;
    }
    if (!evsedAlive && wasHearing && this.state === 'online' && !this.safetyNetSeen) {
      // The controller stopped hearing evsed: its safety net holds every contactor open.
      this.safetyNetSeen = true;
      const detail = `controller node ${this.node} does not hear evsed's heartbeat (contactors held open)`;
      for (const c of this.connectors) c.nodeLost(detail, false);
    }
    if (evsedAlive && this.safetyNetSeen) {
      this.safetyNetSeen = false;
      this.resync('hears evsed again', true);
    }
  }

  onHello(v: SignalValues): void {
    this.reboots++;
    this.firmware = `${v.FirmwareMajor ?? 0}.${v.FirmwareMinor ?? 0}`;
    this.helloReason = HELLO_REASONS[v.Reason ?? -1] ?? null;
    this.lastCounter = null;
    this.seesEvsed = false;
    this.safetyNetSeen = false;
    this.armWatchdog();
    this.resync('rebooted', true);
  }

  onSyncDone(seq: number): void {
    if (this.state !== 'syncing' || seq !== this.syncSeq) return; // an older request's answer
    this.state = 'online';
    this.safetyNetSeen = false;
    for (const c of this.connectors) c.synced(this.resendAfterSync);
    this.resendAfterSync = false;
    this.env.settled();
  }

  /** FaultState channel 0: faults of the whole controller, on every connector of the node. */
  onNodeFaults(v: SignalValues): void {
    const before = this.connectors.map((c) => c.faults());
    this.faultSet.clear();
    for (const code of faultsFromBits(v)) this.faultSet.add(code);
    this.connectors.forEach((c, i) => c.emitFaultDiff(before[i] ?? []));
  }

  snapshot(): CanNodeSnapshot {
    return {
      node: this.node,
      status: this.state,
      reboots: this.reboots,
      firmware: this.firmware,
      helloReason: this.helloReason,
      controllerSeesEvsed: this.seesEvsed,
      staleHeartbeats: this.stale,
    };
  }

  private resync(reason: string, resend: boolean): void {
    this.state = 'syncing';
    this.resendAfterSync = this.resendAfterSync || resend;
    for (const c of this.connectors) c.resetForResync(reason);
    this.syncSeq = nextSeq(this.syncSeq);
    this.env.send('SyncRequest', { Seq: this.syncSeq });
  }

  private armWatchdog(): void {
    this.watchdog?.cancel();
    const { clock, heartbeatTimeoutMs } = this.env.options;
    this.watchdog = clock.setTimeout(() => this.lose(), heartbeatTimeoutMs);
  }

  private lose(): void {
    this.watchdog = null;
    if (this.state === 'lost') return;
    this.state = 'lost';
    this.safetyNetSeen = false;
    const detail = `controller node ${this.node}: no heartbeat for ${this.env.options.heartbeatTimeoutMs} ms`;
    for (const c of this.connectors) c.nodeLost(detail, true);
    this.env.settled();
  }
}
