/**
 * The contactor of one CAN connector as evsed commands it and the controller reports it.
 *
 * Owns: the commanded position, the feedback (the auxiliary contact the controller reports),
 * whether the controller holds it open (its safety net), the command waiting for feedback (a
 * newer command supersedes it: it rejects with `contactorFeedback`, raising nothing) and the
 * feedback check: when the feedback does not follow the command within `ackTimeoutMs` — after a
 * command, or after the contacts moved by themselves — `contactorWelded` (closed while commanded
 * open) or `contactorStuckOpen` (open while commanded closed, unless held open) is raised, and
 * cleared once feedback and command agree again. A command that no longer stands (controller
 * lost, rebooted, holding open) is void: the contactor counts as commanded open.
 *
 * Must not: send frames itself (the connector passes `transmit`), close anything on its own.
 */
import { HalError } from '../errors.js';
import type { HalClock } from '../types.js';
import { PendingSet } from './pending.js';

export type FeedbackFault = 'contactorWelded' | 'contactorStuckOpen';

export interface ContactorEnv {
  readonly clock: HalClock;
  readonly ackTimeoutMs: number;
  /** Names the connector in error details. */
  readonly where: string;
  /** The feedback changed. */
  changed(closed: boolean): void;
  /** Raise a feedback fault (with its detail) or clear it (null). */
  fault(code: FeedbackFault, detail: string | null): void;
}

export class ContactorTracker {
  private commanded = false;
  private feedback = false;
  private heldOpen = false;
  private readonly waiters: PendingSet<void>;
  private mismatchTimer: { cancel(): void } | null = null;

  constructor(private readonly env: ContactorEnv) {
    this.waiters = new PendingSet(env.clock);
  }

  state(): { commanded: boolean; feedback: boolean } {
    return { commanded: this.commanded, feedback: this.feedback };
  }

  /** Command `closed`; `transmit` sends it (its throw rejects). Resolves when the feedback follows. */
  command(closed: boolean, transmit: () => void): Promise<void> {
    this.supersede(closed);
    this.commanded = closed;
    try {
      transmit();
    } catch (error) {
      this.commanded = false;
      this.check();
      return Promise.reject(error);
    }
    if (this.feedback === closed) {
      this.check();
      return Promise.resolve();
    }
    this.cancelMismatch();
    const { ackTimeoutMs } = this.env;
    return this.waiters.add(closed ? 1 : 0, undefined, ackTimeoutMs, () => this.missing(closed));
  }

  /** Open with nobody to confirm it (controller lost): counts as open at once. */
  openUnconfirmed(): void {
    this.supersede(false);
    this.commanded = false;
    this.check();
  }

  /** A ContactorState frame. */
  report(closed: boolean, heldOpen: boolean): void {
    if (heldOpen && !this.heldOpen && this.commanded)
      this.voidCommand('held open by the controller (evsed heartbeat missing)');
    this.heldOpen = heldOpen;
    this.setFeedback(closed);
  }

  /** The command no longer stands: it counts as open; a command waiting rejects with `reason`. */
  voidCommand(reason: string): void {
    this.commanded = false;
    this.waiters.rejectAll(new HalError('contactorFeedback', `${this.env.where}: ${reason}`));
    this.check();
  }

  /** The controller is lost: command void, reported open. */
  lost(reason: string): void {
    this.voidCommand(reason);
    this.heldOpen = false;
    this.setFeedback(false);
  }

  /** stop(): command open, wait for the feedback (the check raises contactorWelded if it stays closed). */
  async shutdown(): Promise<void> {
    this.waiters.rejectAll(new HalError('stopped', this.env.where));
    this.commanded = false;
    if (!this.feedback) return;
    this.cancelMismatch();
    await this.waiters.add(0, undefined, this.env.ackTimeoutMs, () => this.missing(false)).catch(() => undefined);
  }

  /** Reject what still waits, cancel the timer. */
  release(): void {
    this.waiters.rejectAll(new HalError('stopped', this.env.where));
    this.cancelMismatch();
  }

  private supersede(closed: boolean): void {
    this.waiters.rejectAll(
      new HalError('contactorFeedback', `${this.env.where}: superseded by setContactor(${closed})`),
    );
  }

  private setFeedback(closed: boolean): void {
    if (closed !== this.feedback) {
      this.feedback = closed;
      this.env.changed(closed);
    }
    this.check();
  }

  /** Agreement settles the waiter and clears feedback faults; a mismatch with nobody waiting
   * gets `ackTimeoutMs` to go away. */
  private check(): void {
    if (this.feedback === this.commanded) {
      this.cancelMismatch();
      this.waiters.settleWhere((key) => key === (this.feedback ? 1 : 0), { value: undefined });
      this.env.fault('contactorWelded', null);
      this.env.fault('contactorStuckOpen', null);
      return;
    }
    if (this.waiters.size() > 0 || this.mismatchTimer) return;
    this.mismatchTimer = this.env.clock.setTimeout(() => {
      this.mismatchTimer = null;
      if (this.feedback !== this.commanded) this.missing(this.commanded);
    }, this.env.ackTimeoutMs);
  }

  private cancelMismatch(): void {
    this.mismatchTimer?.cancel();
    this.mismatchTimer = null;
  }

  /** The feedback did not follow `closed` in time: raise the fault, return the rejection. */
  private missing(closed: boolean): HalError {
    if (closed && this.heldOpen) {
      return new HalError('contactorFeedback', `${this.env.where}: the controller holds the contactor open`);
    }
    const detail = `feedback reports ${this.feedback ? 'closed' : 'open'} while commanded ${closed ? 'closed' : 'open'}`;
    if (this.feedback !== closed) this.env.fault(closed ? 'contactorStuckOpen' : 'contactorWelded', detail);
    return new HalError('contactorFeedback', `${this.env.where}: ${detail}`);
  }
}
