/**
 * RAPI framing, the controller-state table and line framing, without I/O.
 * Checksum examples are the ones printed in the firmware's rapi_proc.h.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineSplitter } from '../../../hal/serial/lines.js';
import {
  compareVersions,
  encodeRapi,
  isAsyncFrame,
  parseRapiLine,
} from '../../../hal/serial/rapi/protocol.js';
import { EVSE_STATE, interpretStatus } from '../../../hal/serial/rapi/states.js';

test('rapi_proc.h examples: XOR (^) and additive (*) checksums verify', () => {
  const examples: [string, 'xor' | 'additive'][] = [
    ['$F0 1^43', 'xor'],
    ['$F0 0^42', 'xor'],
    ['$GS^30', 'xor'],
    ['$GG^24', 'xor'],
    ['$SK 0^2C', 'xor'],
    ['$GU^36', 'xor'],
    ['$ST 0 0 0 0^23', 'xor'],
    ['$FD*AE', 'additive'],
    ['$FE*AF', 'additive'],
    ['$FS*BD', 'additive'],
    ['$S0 1*F8', 'additive'],
    ['$SL A*24', 'additive'],
  ];
  for (const [line, kind] of examples) {
    const parsed = parseRapiLine(line);
    assert.ok(parsed.ok, line);
    if (parsed.ok) assert.is(parsed.frame.checksum, kind, line);
  }
  assert.is(encodeRapi('GS'), '$GS^30\r');
  assert.is(encodeRapi('F0', [1]), '$F0 1^43\r');
  assert.is(encodeRapi('FE', [], null, 'additive'), '$FE*AF\r');
});

test('sequence ids: appended as :ss before the checksum, parsed back, 00 refused', () => {
  const line = encodeRapi('SC', [16, 'V'], 10);
  assert.is(line, '$SC 16 V :0A^0E\r');
  assert.equal(parseRapiLine(line.slice(0, -1)), {
    ok: true,
    frame: { code: 'SC', params: ['16', 'V'], seqId: 10, checksum: 'xor' },
    junkBytes: 0,
  });
  const reply = encodeRapi('OK', [16], 255).slice(0, -1);
  assert.equal(parseRapiLine(reply), { ok: true, frame: { code: 'OK', params: ['16'], seqId: 255, checksum: 'xor' }, junkBytes: 0 });
  const zero = encodeRapi('OK', ['x']).replace('$OK x', '$OK x :00').slice(0, -1);
  assert.is(parseRapiLine(zero.replace(/\^..$/, '')).ok, false);
  assert.throws(() => encodeRapi('GS', [], 0), /sequence id must be 1–255/);
  assert.throws(() => encodeRapi('SC', ['1 2']), /not a token/);
});

test('garbled lines are refused with a reason; junk before $ is counted', () => {
  assert.equal(parseRapiLine('\x00\xffzz$GS^30'), {
    ok: true,
    frame: { code: 'GS', params: [], seqId: null, checksum: 'xor' },
    junkBytes: 4,
  });
  assert.equal(parseRapiLine('$GS^31'), { ok: false, reason: 'badChecksum', junkBytes: 0 });
  assert.equal(parseRapiLine('$GS*31'), { ok: false, reason: 'badChecksum', junkBytes: 0 });
  assert.equal(parseRapiLine('$OK 16'), { ok: false, reason: 'missingChecksum', junkBytes: 0 });
  assert.equal(parseRapiLine('$OK 16', true), {
    ok: true,
    frame: { code: 'OK', params: ['16'], seqId: null, checksum: 'none' },
    junkBytes: 0,
  });
  assert.equal(parseRapiLine('garbage'), { ok: false, reason: 'noStart', junkBytes: 7 });
  assert.equal(parseRapiLine('$OK 1^G1'), { ok: false, reason: 'malformed', junkBytes: 0 });
  const lower = '$ok';
  assert.equal(parseRapiLine(`${lower}^${encodeRapi('OK').slice(4, 6)}`).ok, false);
  const control = '$OK \x07';
  const sum = [...control].reduce((a, c) => a ^ c.charCodeAt(0), 0).toString(16).toUpperCase().padStart(2, '0');
  assert.equal(parseRapiLine(`${control}^${sum}`), { ok: false, reason: 'malformed', junkBytes: 0 });
});

test('async frames: A*, WF, legacy ST with one parameter (ST with four is the set-timer command)', () => {
  const frame = (line: string) => {
    const p = parseRapiLine(line, true);
    if (!p.ok) throw new Error(line);
    return p.frame;
  };
  assert.ok(isAsyncFrame(frame('$AT 03 03 16 0140')));
  assert.ok(isAsyncFrame(frame('$AB 00 8.2.1')));
  assert.ok(isAsyncFrame(frame('$WF 02')));
  assert.ok(isAsyncFrame(frame('$ST 01')));
  assert.not.ok(isAsyncFrame(frame('$ST 0 0 0 0')));
  assert.not.ok(isAsyncFrame(frame('$OK')));
});

test('versions compare numerically', () => {
  assert.ok(compareVersions('5.1.0', '3.0.0') > 0);
  assert.ok(compareVersions('2.0.4', '3.0.0') < 0);
  assert.is(compareVersions('3.0', '3.0.0'), 0);
  assert.ok(compareVersions('10.0.0', '9.9.9') > 0);
});

test('controller states map onto pilot and faults (the mapping table)', () => {
  const view = (evseState: number, pilotState: number | null, vflags: number | null) =>
    interpretStatus({ evseState, pilotState, currentCapacityA: 16, vflags });
  const cases: [number, number | null, number | null, string, string | null, boolean | null][] = [
    [EVSE_STATE.a, 0x01, 0x0000, 'A', null, false],
    [EVSE_STATE.b, 0x02, 0x0100, 'B', null, false],
    [EVSE_STATE.b, 0x03, 0x0100, 'C', null, false], // EV asks while PWM is off: its pilot is C
    [EVSE_STATE.c, 0x03, 0x0140, 'C', null, true],
    [EVSE_STATE.d, 0x04, 0x0102, 'D', 'internal', false],
    [EVSE_STATE.diodeCheckFailed, 0x05, 0x0102, 'F', 'pilotFault', false],
    [EVSE_STATE.gfciFault, 0x03, 0x0100, 'F', 'rcd', false],
    [EVSE_STATE.noGround, 0x02, 0x0100, 'F', 'groundFault', false],
    [EVSE_STATE.stuckRelay, 0x01, 0x0040, 'F', 'contactorWelded', true],
    [EVSE_STATE.gfiTestFailed, 0x03, 0x0102, 'F', 'rcd', false],
    [EVSE_STATE.overTemperature, 0x03, 0x0102, 'F', 'overTemperature', false],
    [EVSE_STATE.overCurrent, 0x03, 0x0102, 'F', 'overCurrent', false],
    [EVSE_STATE.relayClosureFault, 0x03, 0x0100, 'F', 'contactorStuckOpen', false],
    [EVSE_STATE.sleeping, 0x03, 0x0100, 'B', null, false], // no PWM: the EV cannot charge
    [EVSE_STATE.sleeping, 0x01, 0x0000, 'A', null, false],
    [EVSE_STATE.disabled, 0x02, 0x0100, 'F', null, false],
    [EVSE_STATE.unknown, null, null, 'F', null, false],
    [0x42, 0x02, 0x0100, 'F', 'internal', false],
  ];
  for (const [state, pilot, flags, expectPilot, expectFault, relay] of cases) {
    const v = view(state, pilot, flags);
    const where = `state 0x${state.toString(16)}`;
    assert.is(v.pilot, expectPilot, `${where}: pilot`);
    assert.is(v.fault, expectFault, `${where}: fault`);
    assert.is(v.relayClosed, relay, `${where}: relay`);
  }
  assert.is(view(EVSE_STATE.sleeping, 0x02, 0x0100).enabled, false);
  assert.is(view(EVSE_STATE.b, 0x02, 0x0100).enabled, true);
  assert.is(view(0x42, 0x02, 0x0100).detail, 'unknown EVSE state 0x42');
  assert.is(view(EVSE_STATE.overTemperature, 0x03, 0x0102).detail, 'controller state 0x0a (over temperature), hard fault');
  // Legacy `$ST`: no pilot byte and no flags — the pilot follows the EVSE state, the relay state C.
  assert.equal(
    [EVSE_STATE.a, EVSE_STATE.b, EVSE_STATE.c].map((s) => [view(s, null, null).pilot, view(s, null, null).relayClosed]),
    [
      ['A', false],
      ['B', false],
      ['C', true],
    ],
  );
});

test('LineSplitter: CR and LF end lines, empty lines vanish, overlong lines are dropped and counted', () => {
  const lines: string[] = [];
  const overflows: number[] = [];
  const s = new LineSplitter({ maxLength: 8, onLine: (l) => lines.push(l), onOverflow: (n) => overflows.push(n) });
  s.push(Buffer.from('$OK\r\n$AT'));
  s.push(Buffer.from(' 1\r'));
  s.push(Buffer.from('0123456789abcdef\rnext\n'));
  s.push(Buffer.from('part'));
  assert.equal(lines, ['$OK', '$AT 1', 'next']);
  assert.equal(overflows, [16]);
  assert.is(s.reset(), 4);
  s.push(Buffer.from('\r'));
  assert.equal(lines, ['$OK', '$AT 1', 'next']);
});

test.run();
