/**
 * Unix datagram sockets (AF_UNIX, SOCK_DGRAM), which Node's own dgram module does not offer:
 * systemd's notification socket and the journal's native socket are datagram sockets. A thin typed
 * wrapper over the `unix-dgram` native module. Must not: know what is sent.
 */
import { createRequire } from 'node:module';

export interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, callback?: (err?: Error) => void): void;
  bind(path: string): void;
  close(): void;
  on(event: 'message', listener: (msg: Buffer) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'listening' | 'writable' | 'congestion', listener: () => void): this;
}

interface UnixDgramModule {
  createSocket(type: 'unix_dgram', listener?: (msg: Buffer) => void): UnixDgramSocket;
}

let mod: UnixDgramModule | null = null;

/** A datagram socket; throws when the native module cannot be loaded on this platform. */
export function createUnixDgramSocket(listener?: (msg: Buffer) => void): UnixDgramSocket {
  mod ??= createRequire(import.meta.url)('unix-dgram') as UnixDgramModule;
  return mod.createSocket('unix_dgram', listener);
}

/** systemd names abstract-namespace sockets with a leading '@'. */
export function socketPath(p: string): string {
  return p.startsWith('@') ? `\0${p.slice(1)}` : p;
}
