/**
 * A scripted I/O controller for frame-level tests: the test decides every frame it sends.
 *
 * Owns: a controller-role codec on a fake bus end that records what evsed sends, answers each
 * SyncRequest with a SyncDone (nothing else), and beats its heartbeat every `heartbeatPeriodMs`
 * on the clock (an advancing Counter, EvsedAlive 1); plus a rogue end for raw frames.
 *
 * Must not: simulate hardware (io-sim.ts does).
 */
import { createCanBoard } from '../../../hal/can/index.js';
import type { CanBoard, CanBoardOptions, CanDiagnostic } from '../../../hal/can/index.js';
import { CanCodec, loadKcd } from '../../../hal/can/codec.js';
import type { DecodedMessage } from '../../../hal/can/codec.js';
import type { MessageName, SignalValues } from '../../../hal/can/messages.js';
import type { HalEvent } from '../../../hal/types.js';
import { ManualClock } from '../manual-clock.js';
import { RIG_BOARD_OPTIONS } from './can-rig.js';
import { FakeBus } from './fake-bus.js';
import type { FakeBusEnd } from './fake-bus.js';

export interface Scripted {
  clock: ManualClock;
  bus: FakeBus;
  board: CanBoard;
  events: HalEvent[];
  diagnostics: CanDiagnostic[];
  /** What evsed sent to the controller, decoded. */
  received: DecodedMessage[];
  /** Send a message as controller node 1. */
  send(name: MessageName, values: SignalValues): void;
  /** A raw frame from an extra end of the bus. */
  raw: FakeBusEnd;
  /** Messages evsed sent with this name. */
  sent(name: MessageName): SignalValues[];
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function scripted(board: Partial<CanBoardOptions> = {}): Promise<Scripted> {
  const clock = new ManualClock();
  const bus = new FakeBus();
  const end = bus.connect('scripted-controller');
  const raw = bus.connect('rogue');
  const evsedEnd = bus.connect('evsed');
  const received: DecodedMessage[] = [];
  const codec: CanCodec = new CanCodec({
    bus: loadKcd(),
    role: 'controller',
    nodes: [1],
    transmit: (frame) => end.send(frame),
    onMessage: (m) => {
      received.push(m);
      if (m.name === 'SyncRequest') codec.send(1, 'SyncDone', { Seq: m.values.Seq ?? 0 });
    },
  });
  end.onFrame((frame) => codec.receive(frame));
  let counter = 0;
  const beat = clock.setInterval(() => {
    counter = (counter + 1) % 256;
    codec.send(1, 'ControllerHeartbeat', { Counter: counter, EvsedAlive: 1 });
  }, 100);
  const diagnostics: CanDiagnostic[] = [];
  const b = createCanBoard({
    ...RIG_BOARD_OPTIONS,
    clock,
    openChannel: () => evsedEnd,
    onDiagnostic: (d) => diagnostics.push(d),
    ...board,
  });
  const events: HalEvent[] = [];
  b.on((e) => events.push(e));
  const started = b.start();
  await clock.advance(0);
  await started;
  return {
    clock,
    bus,
    board: b,
    events,
    diagnostics,
    received,
    send: (name, values) => codec.send(1, name, values),
    raw,
    sent: (name) => received.filter((m) => m.name === name).map((m) => m.values),
    advance: (ms) => clock.advance(ms),
    close: async () => {
      const stopped = b.stop();
      for (let i = 0; i < 100; i++) await clock.advance(10);
      await stopped;
      beat.cancel();
      if (clock.pending() !== 0) throw new Error(`${clock.pending()} timers left after stop()`);
    },
  };
}
