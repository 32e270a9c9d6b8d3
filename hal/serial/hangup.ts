/**
 * A serialport binding that notices a hang-up.
 *
 * Owns: one change to serialport's native binding on Unix: its read. When the device goes away
 * under an open fd (a USB adapter pulled, the other end of a pty closed) Linux hangs the tty
 * up and read() returns 0 (end of file). @serialport/bindings-cpp 12 treats 0 as "nothing yet"
 * and reads again at once, forever: the port is never reported closed and a CPU core spins.
 * Here a read of 0 bytes is a disconnect (serialport then closes the port and emits `close`
 * with a DisconnectedError), EAGAIN waits for the poller as before. Everything else (open,
 * write, close, ioctls) is the detected binding unchanged; on platforms whose port objects
 * have no `fd`/`poller` (Windows) the binding is used as is.
 *
 * Must not: change anything but reads; be used outside port.ts.
 */
import { read } from 'node:fs';
import { SerialPort } from 'serialport';

type Binding = typeof SerialPort.binding;
type PortBinding = Awaited<ReturnType<Binding['open']>>;

interface UnixPortBinding {
  fd: number | null;
  readonly isOpen: boolean;
  poller: { once(event: 'readable', callback: (error: Error | null) => void): unknown };
}

function isUnixPort(port: unknown): port is UnixPortBinding {
  const p = port as Partial<UnixPortBinding> | null;
  return p !== null && typeof p === 'object' && 'fd' in p && typeof p.poller?.once === 'function';
}

function readOnce(fd: number, buffer: Buffer, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, offset, length, null, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
  });
}

function canceled(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true });
}

async function readOrHangUp(
  port: UnixPortBinding,
  buffer: Buffer,
  offset: number,
  length: number,
): Promise<{ bytesRead: number; buffer: Buffer }> {
  for (;;) {
    if (!port.isOpen || port.fd === null) throw canceled();
    try {
      const bytesRead = await readOnce(port.fd, buffer, offset, length);
      if (bytesRead > 0) return { bytesRead, buffer };
      throw Object.assign(new Error('the device hung up (read returned end of file)'), { disconnect: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') {
        throw Object.assign(error as Error, { disconnect: true });
      }
      if (!port.isOpen) throw canceled();
      await new Promise<void>((resolve, reject) => {
        port.poller.once('readable', (e) => (e ? reject(e) : resolve()));
      });
    }
  }
}

const detected: Binding = SerialPort.binding;

async function openHangUpAware(options: Parameters<Binding['open']>[0]): Promise<PortBinding> {
  const port: PortBinding = await (detected.open as (o: typeof options) => Promise<PortBinding>)(options);
  if (!isUnixPort(port)) return port;
  const unixPort = port as PortBinding & UnixPortBinding;
  unixPort.read = (buffer: Buffer, offset: number, length: number) => readOrHangUp(unixPort, buffer, offset, length);
  return port;
}

/** The detected binding with hang-up aware reads (see the header). */
export const hangUpAwareBinding = { ...detected, open: openHangUpAware } as Binding;
