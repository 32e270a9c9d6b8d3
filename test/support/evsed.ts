/**
 * Test support: run the real evsed daemon (dist/src/main.js) as a child process against a test
 * CSMS, with its own temporary data directory, and talk to it through its control socket.
 *
 * Owns: writing the config file, spawning, waiting until the control socket answers, stopping
 * gracefully or with SIGKILL, restarting on the same data directory, and collecting its logs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlRequest } from '../../src/control/client.js';

// The build this file belongs to (dist/, or another --outDir): <build>/test/support/evsed.js.
const build = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EVSED_MAIN = path.join(build, 'src', 'main.js');
export const EVSECTL_MAIN = path.join(build, 'src', 'cli', 'evsectl.js');

/** Node flags evsed runs with in production: those of its shebang line (`#!/usr/bin/env -S node …`). */
export function evsedNodeFlags(main = EVSED_MAIN): string[] {
  const first = readFileSync(main, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env -S node\s*(.*)$/.exec(first);
  return m ? m[1]!.split(/\s+/).filter(Boolean) : [];
}

export interface EvsedOptions {
  csmsUrl: string;
  protocols?: string[];
  identity?: string;
  password?: string;
  securityProfile?: number;
  /** csms.caFile: PEM file of extra CA certificates for wss://. */
  caFile?: string;
  connectors?: number;
  settings?: Record<string, string | number | boolean>;
  timeScale?: number;
  tickMs?: number;
  logLevel?: string;
  /** Reuse a data directory (restart scenarios). */
  dataDir?: string;
  /** Extra top-level config keys (merged last). */
  extra?: Record<string, unknown>;
  /** Path of the evsed entry point (default: the build under dist/). */
  main?: string;
  /** Extra environment of the daemon (NOTIFY_SOCKET, WATCHDOG_USEC …). */
  env?: Record<string, string>;
}

export class EvsedProcess {
  readonly dataDir: string;
  readonly socket: string;
  readonly configPath: string;
  private child: ChildProcess | null = null;
  private out = '';
  private exitWaiters: Array<(code: number | null) => void> = [];
  exitCode: number | null | undefined = undefined;

  constructor(readonly options: EvsedOptions) {
    this.dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'evsed-test-'));
    this.socket = path.join(this.dataDir, 'evsed.sock');
    this.configPath = path.join(this.dataDir, 'evsed.json');
    const n = options.connectors ?? 1;
    const config = {
      identity: options.identity ?? 'CP-TEST-1',
      csms: {
        url: options.csmsUrl,
        protocols: options.protocols ?? ['ocpp1.6'],
        ...(options.securityProfile !== undefined ? { securityProfile: options.securityProfile } : {}),
        ...(options.password ? { password: options.password } : {}),
        ...(options.caFile ? { caFile: options.caFile } : {}),
      },
      dataDir: this.dataDir,
      controlSocket: this.socket,
      hardware: { driver: 'sim', sim: { timeScale: options.timeScale ?? 1, tickMs: options.tickMs ?? 50 } },
      evses: Array.from({ length: n }, (_, i) => ({
        id: i + 1,
        connectors: [{ id: 1, type: 'cType2', maxCurrentA: 32, phases: 3 }],
      })),
      station: { vendor: 'evsed-test', model: 'sim-board', serialNumber: 'SN-TEST-0001', firmwareVersion: '0.0.0-test' },
      settings: { WebSocketPingInterval: 0, ...(options.settings ?? {}) },
      log: { level: options.logLevel ?? 'info' },
      ...(options.extra ?? {}),
    };
    writeFileSync(this.configPath, JSON.stringify(config, null, 2));
  }

  /** Start the daemon; resolves when its control socket answers. */
  async start(timeoutMs = 10_000): Promise<this> {
    this.exitCode = undefined;
    const main = this.options.main ?? EVSED_MAIN;
    // EVSED_EXTRA_NODE_FLAGS: e.g. --cpu-prof for profiling a benchmark run.
    const extra = (process.env.EVSED_EXTRA_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, [...evsedNodeFlags(main), ...extra, main, '--config', this.configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(this.options.env ?? {}) },
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.out += d.toString()));
    child.on('exit', (code) => {
      this.exitCode = code;
      this.child = null;
      for (const w of this.exitWaiters.splice(0)) w(code);
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitCode !== undefined) throw new Error(`evsed exited with ${this.exitCode}:\n${this.out}`);
      try {
        const r = await controlRequest(this.socket, 'status', {}, 1000);
        if (r.ok) return this;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`evsed did not come up within ${timeoutMs} ms:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Send a control command; throws when the daemon refuses. */
  async ctl<T = any>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const r = await controlRequest(this.socket, cmd, args);
    if (!r.ok) throw new Error(`${cmd} refused: ${r.error.code}: ${r.error.message}`);
    return r.result as T;
  }

  /** Raw control response (for tests of refusals). */
  ctlRaw(cmd: string, args: Record<string, unknown> = {}) {
    return controlRequest(this.socket, cmd, args);
  }

  get logs(): string {
    return this.out;
  }

  /** Parsed pino lines (non-JSON lines skipped). */
  logRecords(): Array<Record<string, any>> {
    return this.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, any>;
        } catch {
          return null;
        }
      })
      .filter((x): x is Record<string, any> => x !== null);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  waitExit(timeoutMs = 15_000): Promise<number | null> {
    if (!this.child) return Promise.resolve(this.exitCode ?? null);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`evsed did not exit within ${timeoutMs} ms`)), timeoutMs);
      this.exitWaiters.push((code) => {
        clearTimeout(t);
        resolve(code);
      });
    });
  }

  /** Graceful stop (SIGTERM); resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (!this.child) return this.exitCode ?? null;
    this.child.kill('SIGTERM');
    return this.waitExit();
  }

  /** Power cut: SIGKILL, no clean-up at all. */
  async kill9(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await this.waitExit();
  }

  /** Stop if running and delete the data directory (unless it was given by the caller). */
  async dispose(): Promise<void> {
    if (this.child) await this.kill9();
    if (!this.options.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Poll `fn` until it returns a truthy value. */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Run evsectl as its own process, asynchronously (a test CSMS living in the caller's process must
 * keep answering meanwhile), without colours; interrupted (SIGINT, as Ctrl-C) after `timeoutMs`.
 */
export function runEvsectl(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [EVSECTL_MAIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    const t = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}
