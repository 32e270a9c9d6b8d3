/**
 * Pseudo-terminal pairs for serial tests: two ptys joined by socat, reachable through symlinks.
 *
 * Owns: starting `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`, waiting until both
 * links exist and socat reports its transfer loop, and cleaning up (SIGTERM, wait for the exit,
 * links removed). Bytes written to one end come out of the other, as on a null-modem cable.
 * Closing a pair and creating it again on the same links is how tests pull and re-plug a cable.
 *
 * Must not: leave socat processes or links behind (every pair is closed by its test; process exit
 * kills the rest).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PtyPair {
  /** The driver's end (a symlink to /dev/pts/N). */
  readonly a: string;
  /** The device simulator's end. */
  readonly b: string;
  /** The pts devices socat reported, in order. */
  readonly devices: readonly string[];
  close(): Promise<void>;
}

const alive = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

/** A fresh directory for link names (removed by removeLinkDir). */
export function makeLinkDir(prefix = 'evsed-pty-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeLinkDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Start a pty pair whose ends are the symlinks `a` and `b`. */
export function createPtyPair(a: string, b: string, timeoutMs = 5000): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    alive.add(child);
    const devices: string[] = [];
    let log = '';
    let settled = false;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const close = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      alive.delete(child);
    };
    const timer = setTimeout(() => fail(new Error(`socat did not start within ${timeoutMs} ms: ${log}`)), timeoutMs);
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void close().then(() => reject(error));
    };
    child.once('error', (error) => fail(new Error(`cannot run socat: ${error.message}`)));
    child.once('exit', (code, signal) => fail(new Error(`socat exited (${code ?? signal}): ${log}`)));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      log += text;
      for (const m of text.matchAll(/PTY is (\/dev\/\S+)/g)) if (m[1]) devices.push(m[1]);
      if (!settled && /starting data transfer loop/.test(log) && existsSync(a) && existsSync(b)) {
        settled = true;
        clearTimeout(timer);
        resolve({ a, b, devices, close });
      }
    });
  });
}
