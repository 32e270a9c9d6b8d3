/**
 * Benchmark: time from process start to the BootNotification arriving at the CSMS, and resident
 * memory after 60 s idle with two connectors (issue targets on this machine: < 300 ms median,
 * < 60 MB).
 *
 * Each run spawns a fresh evsed (new data directory, so the database is created too) against the
 * ocpp-rpc test CSMS on loopback, with the node flags of its #! line and nothing polling it. Start
 * is taken just before spawn(); arrival is the CSMS's receive time of the BootNotification frame. Memory is VmRSS from /proc of the evsed process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { TestCsms } from '../peers/csms.js';
import { EVSED_MAIN, EvsedProcess, evsedNodeFlags } from '../support/evsed.js';
import { quantile } from './stats.js';

export interface StartupFigures {
  protocol: string;
  runs: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
}

export async function startupTime(protocol: 'ocpp1.6' | 'ocpp2.0.1', runs = 15): Promise<StartupFigures> {
  const csms = await TestCsms.start({ protocols: [protocol] });
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      // The config file and data directory of a test evsed; the process is spawned here, as
      // systemd would, with nobody polling its control socket while it starts.
      const evsed = new EvsedProcess({ csmsUrl: csms.url, protocols: [protocol], identity: `BENCH-${i}`, connectors: 2, logLevel: 'warn' });
      const since = csms.messages.length;
      const t0 = Date.now();
      const child = spawn(process.execPath, [...evsedNodeFlags(), EVSED_MAIN, '--config', evsed.configPath], { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        const boot = await csms.waitForCall('BootNotification', { since, timeoutMs: 10_000 });
        times.push(boot.at - t0);
      } finally {
        child.kill('SIGTERM');
        await exited;
        await evsed.dispose();
      }
    }
  } finally {
    await csms.stop();
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    protocol,
    runs,
    medianMs: quantile(sorted, 0.5),
    p90Ms: quantile(sorted, 0.9),
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
  };
}

/** The same machine's floor: median time for `node -e 0` to start and exit (spawn included), ms. */
export function nodeItself(runs = 15): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    times.push(performance.now() - t0);
  }
  return Math.round(quantile(times, 0.5));
}

export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) : NaN;
}

export async function idleMemory(protocol: 'ocpp1.6' | 'ocpp2.0.1', idleS = 60): Promise<{ protocol: string; idleS: number; rssMiB: number }> {
  const csms = await TestCsms.start({ protocols: [protocol] });
  const evsed = new EvsedProcess({ csmsUrl: csms.url, protocols: [protocol], connectors: 2, logLevel: 'warn' });
  try {
    await evsed.start();
    await csms.waitForCall('BootNotification', { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, idleS * 1000));
    return { protocol, idleS, rssMiB: rssKiB(evsed.pid!) / 1024 };
  } finally {
    await evsed.stop();
    await evsed.dispose();
    await csms.stop();
  }
}
