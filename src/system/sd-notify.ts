/**
 * The systemd service protocol (sd_notify): READY=1 once the station is up, STATUS= lines that say
 * what evsed is doing, STOPPING=1, and WATCHDOG=1 pings from the event loop so a hung daemon is
 * restarted (WatchdogSec= in the unit).
 *
 * Owns: reading NOTIFY_SOCKET / WATCHDOG_USEC / WATCHDOG_PID and sending the datagrams. Without
 * NOTIFY_SOCKET (not started by systemd) everything here does nothing. Must not: decide when the
 * station is ready (src/main.ts does).
 */
import { createUnixDgramSocket, socketPath, type UnixDgramSocket } from './unix-dgram.js';

export interface Notifier {
  readonly enabled: boolean;
  /** Watchdog ping interval evsed uses (half of WATCHDOG_USEC), or null without a watchdog. */
  readonly watchdogIntervalMs: number | null;
  ready(status?: string): void;
  status(text: string): void;
  stopping(status?: string): void;
  /** Start pinging the watchdog from the event loop (a blocked loop stops the pings). */
  startWatchdog(): void;
  close(): void;
}

export function createNotifier(env: NodeJS.ProcessEnv = process.env, onError: (err: Error) => void = () => undefined): Notifier {
  const target = env.NOTIFY_SOCKET;
  const usec = Number(env.WATCHDOG_USEC ?? NaN);
  const pidOk = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === process.pid;
  const watchdogIntervalMs = Number.isFinite(usec) && usec > 0 && pidOk ? Math.max(100, Math.floor(usec / 2000)) : null;
  let socket: UnixDgramSocket | null = null;
  let timer: NodeJS.Timeout | null = null;
  if (target) {
    try {
      socket = createUnixDgramSocket();
      socket.on('error', onError);
    } catch (err) {
      onError(err as Error);
    }
  }
  const send = (text: string) => {
    if (!socket || !target) return;
    const buf = Buffer.from(text);
    socket.send(buf, 0, buf.length, socketPath(target), (err) => {
      if (err) onError(err);
    });
  };
  const line = (s: string) => s.replace(/\n/g, ' ');
  return {
    enabled: socket !== null,
    watchdogIntervalMs,
    ready: (status) => send(`READY=1\n${status ? `STATUS=${line(status)}\n` : ''}MAINPID=${process.pid}\n`),
    status: (text) => send(`STATUS=${line(text)}\n`),
    stopping: (status) => send(`STOPPING=1\n${status ? `STATUS=${line(status)}\n` : ''}`),
    startWatchdog() {
      if (watchdogIntervalMs === null || timer) return;
      send('WATCHDOG=1\n');
      timer = setInterval(() => send('WATCHDOG=1\n'), watchdogIntervalMs);
      timer.unref();
    },
    close() {
      if (timer) clearInterval(timer);
      timer = null;
      socket?.close();
      socket = null;
    },
  };
}
