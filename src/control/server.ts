/**
 * The control socket: Unix-domain sockets speaking JSON lines (see protocol.ts), for evsectl.
 *
 * Two sockets: the control socket (mode 0660: root and the evsed group, every command) and a
 * read-only one beside it (`<path>.ro`, mode 0666) where commands that change hardware or settings
 * are refused with `notPermitted`. Access is decided by the kernel's file permissions, so no peer
 * credentials are needed.
 *
 * Owns: listening (replacing a stale socket file left by a crash), framing, dispatch to the
 * registered handlers, and turning failures into error responses. A bad line gets an error
 * response and the connection stays usable; nothing a client sends can stop the daemon.
 * Must not: know what the commands do (handlers come from src/main.ts).
 */
import net from 'node:net';
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { ControlError, MAX_LINE_BYTES, type ControlRequest, type ControlResponse } from './protocol.js';

export interface ControlPeer {
  /** Connected through the read-only socket. */
  readOnly: boolean;
}

export type ControlHandler = (args: Record<string, unknown>, peer: ControlPeer) => unknown | Promise<unknown>;

export interface ControlCommand {
  handler: ControlHandler;
  /** Changes hardware or settings: refused on the read-only socket. */
  mutating?: boolean;
}

export interface ControlServer {
  readonly path: string;
  readonly readOnlyPath: string;
  close(): Promise<void>;
}

export const readOnlySocketPath = (socketPath: string) => `${socketPath}.ro`;

export async function startControlServer(
  socketPath: string,
  commands: Record<string, ControlCommand>,
  logger: Logger,
): Promise<ControlServer> {
  const log = logger.child({ component: 'control' });
  mkdirSync(path.dirname(socketPath), { recursive: true });
  const roPath = readOnlySocketPath(socketPath);
  const sockets = new Set<net.Socket>();

  const serve = (readOnly: boolean) =>
    net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', (err) => log.debug({ err }, 'control client error'));
      let buffer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        if (buffer.length > MAX_LINE_BYTES && !buffer.includes('\n')) {
          write(socket, { id: null, ok: false, error: { code: 'badRequest', message: 'request line too long' } });
          buffer = '';
          return;
        }
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) void handleLine(line, socket, { readOnly });
        }
      });
    });

  async function handleLine(line: string, socket: net.Socket, peer: ControlPeer): Promise<void> {
    let req: ControlRequest;
    try {
      req = JSON.parse(line) as ControlRequest;
      if (typeof req !== 'object' || req === null || typeof req.cmd !== 'string') throw new Error('no cmd');
    } catch {
      write(socket, { id: null, ok: false, error: { code: 'badRequest', message: 'expected a JSON object with "cmd"' } });
      return;
    }
    const id = typeof req.id === 'number' || typeof req.id === 'string' ? req.id : null;
    const command = Object.hasOwn(commands, req.cmd) ? commands[req.cmd] : undefined;
    if (!command) {
      write(socket, { id, ok: false, error: { code: 'unknownCommand', message: `unknown command "${req.cmd}"` } });
      return;
    }
    if (command.mutating && peer.readOnly) {
      write(socket, {
        id,
        ok: false,
        error: { code: 'notPermitted', message: `"${req.cmd}" changes hardware or settings: it needs root or membership of the evsed group` },
      });
      return;
    }
    const args = req.args && typeof req.args === 'object' ? req.args : {};
    try {
      const result = await command.handler(args, peer);
      write(socket, { id, ok: true, result: result ?? null });
    } catch (err) {
      if (err instanceof ControlError) {
        write(socket, { id, ok: false, error: { code: err.code, message: err.message } });
      } else {
        log.error({ err, cmd: req.cmd }, 'control command failed');
        write(socket, { id, ok: false, error: { code: 'internal', message: (err as Error).message } });
      }
    }
  }

  const full = serve(false);
  const ro = serve(true);
  await listen(full, socketPath, 0o660);
  await listen(ro, roPath, 0o666);
  log.info({ path: socketPath, readOnlyPath: roPath }, 'control socket listening');
  return {
    path: socketPath,
    readOnlyPath: roPath,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        let open = 2;
        const done = () => {
          open -= 1;
          if (open === 0) resolve();
        };
        full.close(done);
        ro.close(done);
      }),
  };
}

async function listen(server: net.Server, socketPath: string, mode: number): Promise<void> {
  await removeStaleSocket(socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(socketPath, mode);
}

function write(socket: net.Socket, response: ControlResponse): void {
  if (!socket.writable) return;
  socket.write(`${JSON.stringify(response)}\n`);
}

/** A socket file nobody listens on is a leftover of a crash: remove it. A live one is an error. */
async function removeStaleSocket(socketPath: string): Promise<void> {
  if (!existsSync(socketPath)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`control socket ${socketPath} is in use: is another evsed running?`);
  unlinkSync(socketPath);
}
