/**
 * A serial RFID card reader: one token per line.
 *
 * Owns: the line protocol of simple serial readers (USB-serial or UART readers that print the
 * card UID followed by CR and/or LF; STX/ETX framing bytes around it are stripped), token
 * validation (1–36 printable ASCII characters without spaces, as OCPP id tokens allow), and
 * suppression of the repeats readers send while a card stays in the field: the same token
 * again within `repeatSuppressMs` of its last sighting is one presentation. Lines that are not
 * a token are discarded and counted.
 * OpenEVSE's RAPI has no reader: without a configured reader `hal.rfid` never fires (cards still
 * arrive through OCPP remote start and evsectl).
 *
 * Must not: authorize anything; own the port.
 */
import type { HalClock } from '../types.js';
import { LineSplitter } from './lines.js';
import type { ByteChannel } from './port.js';

export interface CardReaderOptions {
  /** Connector reported with the card: 0 for the board's shared reader. */
  connector: number;
  repeatSuppressMs: number;
  clock: HalClock;
  onCard(token: string, connector: number): void;
}

export interface CardReaderCounters {
  cards: number;
  repeats: number;
  rejectedLines: number;
  overflowBytes: number;
}

const TOKEN = /^[\x21-\x7e]{1,36}$/;

export class SerialCardReader {
  private readonly splitter: LineSplitter;
  private readonly lastSeenMs = new Map<string, number>();
  private readonly stats: CardReaderCounters = { cards: 0, repeats: 0, rejectedLines: 0, overflowBytes: 0 };
  private readonly offs: (() => void)[];

  constructor(
    private readonly channel: ByteChannel,
    private readonly options: CardReaderOptions,
  ) {
    this.splitter = new LineSplitter({
      maxLength: 64,
      onLine: (line) => this.onLine(line),
      onOverflow: (bytes) => (this.stats.overflowBytes += bytes),
    });
    this.offs = [
      channel.onData((bytes) => this.splitter.push(bytes)),
      channel.onStatus((status) => {
        if (status === 'open') this.splitter.reset();
      }),
    ];
  }

  get path(): string {
    return this.channel.path;
  }

  counters(): CardReaderCounters {
    return { ...this.stats };
  }

  close(): void {
    for (const off of this.offs) off();
  }

  private onLine(line: string): void {
    const token = line.replace(/[\x02\x03]/g, '').trim();
    if (!TOKEN.test(token)) {
      this.stats.rejectedLines++;
      return;
    }
    const nowMs = this.options.clock.now();
    const last = this.lastSeenMs.get(token);
    this.lastSeenMs.set(token, nowMs);
    if (last !== undefined && nowMs - last < this.options.repeatSuppressMs) {
      this.stats.repeats++;
      return;
    }
    if (this.lastSeenMs.size > 256) this.forgetOld(nowMs);
    this.stats.cards++;
    this.options.onCard(token, this.options.connector);
  }

  private forgetOld(nowMs: number): void {
    for (const [token, seen] of this.lastSeenMs) {
      if (nowMs - seen >= this.options.repeatSuppressMs) this.lastSeenMs.delete(token);
    }
  }
}
