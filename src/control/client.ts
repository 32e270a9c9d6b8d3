/**
 * Client side of the control socket, used by evsectl and by tests.
 *
 * Owns: connecting, sending one request, reading its response line, timeouts. Throws
 * ControlUnreachable when no daemon answers (evsectl exits 3 on it).
 */
import net from 'node:net';
import type { ControlResponse } from './protocol.js';

export class ControlUnreachable extends Error {
  readonly code = 'EVSED_UNREACHABLE';
  constructor(socketPath: string, reason: string) {
    super(`cannot reach evsed at ${socketPath}: ${reason}`);
    this.name = 'ControlUnreachable';
  }
}

export function controlRequest(
  socketPath: string,
  cmd: string,
  args: Record<string, unknown> = {},
  timeoutMs = 10_000,
): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let buffer = '';
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(new ControlUnreachable(socketPath, `no answer within ${timeoutMs} ms`))),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ id: 1, cmd, args })}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      const line = buffer.slice(0, nl);
      finish(() => {
        try {
          resolve(JSON.parse(line) as ControlResponse);
        } catch {
          reject(new ControlUnreachable(socketPath, 'the daemon sent an unreadable answer'));
        }
      });
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish(() => reject(new ControlUnreachable(socketPath, err.code === 'ENOENT' ? 'no such socket (is evsed running?)' : err.code ?? err.message))),
    );
    socket.on('close', () => finish(() => reject(new ControlUnreachable(socketPath, 'connection closed without an answer'))));
  });
}
