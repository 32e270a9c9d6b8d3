/**
 * The device side of a pty for the simulators: open, write, receive, detach and re-attach.
 *
 * Owns: one `serialport` handle on the simulator's end of a pty pair (no lock: the driver under
 * test must not see the simulator in its way), a `received` callback, and `detach()`/`attach()`
 * for cable tests (the pair is closed and created again under the same link names).
 *
 * Must not: interpret bytes; it is test equipment, independent of hal/serial's port owner.
 */
import { SerialPort } from 'serialport';

export class SimPort {
  private port: SerialPort | null = null;
  /** Last error reported by the port (diagnostics for failing tests). */
  lastError = '';

  constructor(
    private path: string,
    private readonly onBytes: (bytes: Buffer) => void,
  ) {}

  isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async attach(path: string = this.path): Promise<void> {
    this.path = path;
    const port = new SerialPort({ path, baudRate: 115200, lock: false, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    port.on('data', (bytes: Buffer) => this.onBytes(bytes));
    port.on('error', (e: Error) => (this.lastError = e.message));
    port.on('close', () => {
      if (this.port === port) this.port = null;
    });
    this.port = port;
  }

  write(bytes: Buffer | string): void {
    const port = this.port;
    if (!port?.isOpen) return; // cable pulled: bytes go nowhere, as on a real line
    port.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  async detach(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
    port.removeAllListeners();
  }
}
