/**
 * `npm run demo`: a newcomer's first look at evsed.
 *
 * Starts a local test CSMS (ocpp-rpc, strict schema validation) and evsed on the simulated board,
 * plays one charging session — EV plugs in, driver swipes a card, the car charges, the driver
 * unplugs — prints every OCPP message as it crosses the wire, and ends with a summary.
 *
 * Options: --ocpp 1.6 | 2.0.1 (default 1.6), --minutes N simulated charging time (default 30),
 *          --keep (leave evsed and the CSMS running until Ctrl-C; try `evsectl --socket …`).
 */
import { TestCsms } from '../peers/csms.js';
import type { RecordedMessage } from '../peers/types.js';
import { EvsedProcess, eventually } from '../support/evsed.js';
import { formatStatus, makeStyle } from '../../src/cli/format.js';
import type { StatusResult } from '../../src/control/types.js';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const protocol = opt('--ocpp', '1.6') === '2.0.1' ? 'ocpp2.0.1' : 'ocpp1.6';
const minutes = Math.max(1, Number(opt('--minutes', '30')));
const keep = argv.includes('--keep');
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const style = makeStyle(color);
const TIME_SCALE = 120; // 2 simulated minutes per real second

const say = (text: string) => process.stdout.write(`\n${style.bold(style.yellow(`▶ ${text}`))}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  process.stdout.write(
    `${style.bold('evsed demo')} — evsed on a simulated charger, talking ${protocol} to a local CSMS.\n` +
      `Every line below is one OCPP message as the CSMS saw it.\n`,
  );
  const csms = await TestCsms.start({
    protocols: [protocol],
    boot: { status: 'Accepted', interval: 300 },
    log: (line: string) => process.stdout.write(`${line}\n`),
  });
  const evsed = new EvsedProcess({
    csmsUrl: csms.url,
    protocols: [protocol],
    identity: 'DEMO-CP-1',
    connectors: 2,
    timeScale: TIME_SCALE,
    tickMs: 100,
    logLevel: 'warn',
    settings: { MeterValueSampleInterval: 2 },
  });
  let failed = false;
  try {
    say('Starting evsed (simulated board, 2 connectors)');
    const started = Date.now();
    await evsed.start();
    await csms.waitForCall('BootNotification', { timeoutMs: 10_000 });
    const bootMs = Date.now() - started;
    await eventually(async () => (await evsed.ctl<StatusResult>('status')).csms.registration === 'accepted', 10_000, 'registration');
    await sleep(500);

    say('An EV plugs in at connector 1');
    await evsed.ctl('sim.plug', { connector: 1 });
    await sleep(800);

    say('The driver swipes card DEMO-CARD-01');
    const swipe = await evsed.ctl<{ action: string; reason?: string }>('sim.swipe', { token: 'DEMO-CARD-01', connector: 1 });
    if (swipe.action !== 'started') throw new Error(`swipe refused: ${swipe.reason ?? swipe.action}`);
    await eventually(async () => (await evsed.ctl<StatusResult>('status')).connectors[0]?.state === 'charging', 5000, 'charging');

    say(`Charging for ${minutes} simulated minutes (${TIME_SCALE}× faster than real time)`);
    const before = (await evsed.ctl<StatusResult>('status')).connectors[0]!.energyWh;
    await sleep((minutes * 60 * 1000) / TIME_SCALE);
    const status = await evsed.ctl<StatusResult>('status');
    process.stdout.write(`\n${style.dim('$ evsectl status')}\n${formatStatus(status, style)}\n`);

    say('The driver unplugs the car');
    await evsed.ctl('sim.unplug', { connector: 1 });
    await eventually(async () => (await evsed.ctl<StatusResult>('status')).connectors[0]?.state === 'available', 5000, 'available');
    await sleep(800);
    const after = (await evsed.ctl<StatusResult>('status')).connectors[0]!.energyWh;

    summary(csms.messages, { bootMs, energyWh: after - before });
    if (csms.violations().length > 0) {
      failed = true;
      process.stdout.write(style.red(`\nThe CSMS rejected ${csms.violations().length} message(s) as invalid.\n`));
    }
    if (keep) {
      process.stdout.write(
        `\nevsed keeps running. In another terminal: node dist/src/cli/evsectl.js --socket ${evsed.socket} status\nCtrl-C to stop.\n`,
      );
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } catch (err) {
    failed = true;
    process.stdout.write(style.red(`\ndemo failed: ${(err as Error).message}\n`));
    process.stdout.write(style.dim(evsed.logs.split('\n').slice(-20).join('\n')) + '\n');
  } finally {
    await evsed.stop();
    await evsed.dispose();
    await csms.stop();
  }
  process.exitCode = failed ? 1 : 0;
}

function summary(messages: readonly RecordedMessage[], figures: { bootMs: number; energyWh: number }): void {
  const calls = messages.filter((m) => m.type === 'CALL');
  const byAction = new Map<string, number>();
  for (const m of calls) byAction.set(`${m.direction} ${m.action}`, (byAction.get(`${m.direction} ${m.action}`) ?? 0) + 1);
  const errors = messages.filter((m) => m.type === 'CALLERROR').length;
  process.stdout.write(`\n${style.bold('Summary')}\n`);
  process.stdout.write(`  process start → BootNotification at the CSMS: ${figures.bootMs} ms\n`);
  process.stdout.write(`  energy delivered in the session:              ${(figures.energyWh / 1000).toFixed(2)} kWh\n`);
  process.stdout.write(`  OCPP calls: ${calls.length}, CALLERRORs: ${errors}\n`);
  for (const [k, n] of [...byAction].sort()) process.stdout.write(`    ${String(n).padStart(3)}  ${k}\n`);
}

void main();
