/**
 * Line framing for text protocols on a serial port (RAPI, card readers).
 *
 * Owns: splitting a byte stream into lines at CR or LF, dropping empty lines, and bounding the
 * length of a line: bytes beyond `maxLength` without a line end are discarded (counted through
 * `onOverflow`) until the next line end, so a stream of junk can never grow memory.
 * Bytes are decoded as latin1 (one character per byte), so junk never throws.
 *
 * Must not: interpret lines.
 */

const CR = 0x0d;
const LF = 0x0a;

export interface LineSplitterOptions {
  maxLength: number;
  onLine(line: string): void;
  /** `droppedBytes` were discarded because a line grew beyond maxLength. */
  onOverflow(droppedBytes: number): void;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private length = 0;
  private overflowing = false;
  private dropped = 0;

  constructor(private readonly options: LineSplitterOptions) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte !== CR && byte !== LF) continue;
      this.append(chunk.subarray(start, i));
      this.endLine();
      start = i + 1;
    }
    this.append(chunk.subarray(start));
  }

  /** Forget a partial line (after a port reopen); returns how many bytes were dropped. */
  reset(): number {
    const dropped = this.length + this.dropped;
    this.parts = [];
    this.length = 0;
    this.overflowing = false;
    this.dropped = 0;
    return dropped;
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.overflowing) {
      this.dropped += bytes.length;
      return;
    }
    if (this.length + bytes.length > this.options.maxLength) {
      this.overflowing = true;
      this.dropped += this.length + bytes.length;
      this.parts = [];
      this.length = 0;
      return;
    }
    this.parts.push(Buffer.from(bytes));
    this.length += bytes.length;
  }

  private endLine(): void {
    if (this.overflowing) {
      const dropped = this.dropped;
      this.overflowing = false;
      this.dropped = 0;
      this.options.onOverflow(dropped);
      return;
    }
    if (this.length === 0) return;
    const line = Buffer.concat(this.parts, this.length).toString('latin1');
    this.parts = [];
    this.length = 0;
    this.options.onLine(line);
  }
}
