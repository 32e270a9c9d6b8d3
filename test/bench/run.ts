/**
 * `npm run bench`: runs the benchmarks and prints their figures. A benchmark, not a test: it
 * reports numbers and the targets next to them; it does not fail on them.
 *
 * Usage: node dist/test/bench/run.js [startup] [memory] [replay] [smart-charging] [hardware]  (default: all)
 * Environment: BENCH_IDLE_S shortens the idle-memory wait (default 60 s).
 */
import { hardwareLatency } from './hardware.js';
import { replayBenchmark } from './replay.js';
import { compositeCalculation, compositeThroughDaemon } from './smart-charging.js';
import { idleMemory, nodeItself, startupTime } from './startup.js';

const wanted = new Set(process.argv.slice(2));
const want = (name: string) => wanted.size === 0 || wanted.has(name);
const line = (label: string, value: string, target = '') =>
  process.stdout.write(`${label.padEnd(58)} ${value.padStart(12)}  ${target}\n`);

async function main(): Promise<void> {
  process.stdout.write(`evsed benchmarks — node ${process.version}, ${new Date().toISOString()}\n\n`);
  if (want('startup')) {
    line(`node -e 0 on this machine (the floor under the figures below, median of 15)`, `${nodeItself()} ms`);
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
      const f = await startupTime(protocol);
      line(`start → BootNotification at CSMS (${protocol}, median of ${f.runs})`, `${f.medianMs} ms`, 'target < 300 ms');
      line(`  p90 / min / max`, `${f.p90Ms} / ${f.minMs} / ${f.maxMs} ms`);
    }
  }
  for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
    if (!want('replay')) break;
    const r = await replayBenchmark(protocol, Number(process.env.BENCH_REPLAY_N ?? 10_000));
    line(`offline queue replay, ${r.messages} messages (${r.protocol})`, `${Math.round(r.perSecond)} msg/s`, `${r.seconds.toFixed(1)} s`);
    line(`  event-loop delay in evsed during the replay, p99 / max`, `${r.loopDelayP99Ms} / ${r.loopDelayMaxMs} ms`);
    line(`  one round trip on loopback (same CSMS, plain client)`, `${r.rttMs.toFixed(3)} ms`);
    line(`  replay rate as a fraction of 1 message per round trip`, `${(r.fractionOfRttLimit * 100).toFixed(0)} %`);
    line(`  every message delivered exactly once, in order`, r.exactlyOnceInOrder ? 'yes' : 'NO');
  }
  if (want('smart-charging')) {
    const c = compositeCalculation();
    line(`24 h composite, ${c.profiles} profiles × ${c.periodsPerSchedule} periods, one connector (median)`, `${c.medianMs.toFixed(2)} ms`, `p90 ${c.p90Ms.toFixed(2)} ms`);
    line(`  the same for the station total over 2 connectors (median)`, `${c.stationMedianMs.toFixed(2)} ms`, `${c.compositePeriods} periods in the answer`);
    const d = await compositeThroughDaemon();
    line(`GetCompositeSchedule 24 h via evsed, ${d.installed} profiles installed (${d.requests} in a row)`, `${d.roundTripMedianMs.toFixed(1)} ms`, `p99 ${d.roundTripP99Ms.toFixed(1)} ms round trip`);
    line(`  event-loop delay in evsed during the burst, p99 / max`, `${d.busyLoopP99Ms} / ${d.busyLoopMaxMs} ms`);
    line(`  event-loop delay in evsed idle (same length), p99 / max`, `${d.idleLoopP99Ms} / ${d.idleLoopMaxMs} ms`);
  }
  if (want('hardware')) {
    const h = await hardwareLatency(Number(process.env.BENCH_PILOT_N ?? 100), Number(process.env.BENCH_DEAUTH_N ?? 30));
    const f = (x: { p50: number; p99: number; max: number }) => `${x.p50.toFixed(1)} / ${x.p99.toFixed(1)} / ${x.max.toFixed(1)} ms`;
    line(`serial: pilot C ($AT 03) → $FE at controller, p50/p99/max (${h.pilotToContactor.samples})`, f(h.pilotToContactor));
    line(`serial: stop card → $FS at controller, p50/p99/max (${h.deauthorizeToOpen.samples})`, f(h.deauthorizeToOpen));
  }
  if (want('memory')) {
    const idleS = Number(process.env.BENCH_IDLE_S ?? 60);
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
      const m = await idleMemory(protocol, idleS);
      line(`RSS after ${m.idleS} s idle, 2 connectors (${protocol})`, `${m.rssMiB.toFixed(1)} MiB`, 'target < 60 MB');
    }
  }
}

void main();
