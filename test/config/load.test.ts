/**
 * Configuration loading: defaults, and one precise line for each kind of mistake; evsed itself
 * exits 2 on them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, connectorInfos, parseConfig } from '../../src/config/load.js';
import { EVSED_MAIN } from '../support/evsed.js';

const minimal = { identity: 'CP-1', csms: { url: 'ws://csms.example/ocpp' } };

function problem(raw: unknown): string {
  try {
    parseConfig(raw, '/base');
  } catch (err) {
    assert.instance(err, ConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

test('minimal file: defaults filled in', () => {
  const c = parseConfig(minimal, '/base');
  assert.equal(c.csms.protocols, ['ocpp2.0.1', 'ocpp1.6']);
  assert.is(c.csms.securityProfile, 0);
  assert.is(c.dataDir, path.resolve('/base', 'var'));
  assert.is(c.controlSocket, path.resolve('/base', 'var', 'evsed.sock'));
  assert.is(c.hardware.driver, 'sim');
  assert.equal(c.evses, [{ id: 1, connectors: [{ id: 1, type: 'cType2', maxCurrentA: 32, phases: 3, nominalVoltageV: 230, hasLock: false, hasRcdTest: true }] }]);
  assert.is(c.log.level, 'info');
});

test('connectors are numbered flat in configuration order', () => {
  const c = parseConfig({ ...minimal, evses: [{ id: 2, connectors: [{ id: 1 }] }, { id: 1, connectors: [{ id: 2 }, { id: 1 }] }] });
  assert.equal(connectorInfos(c).map((x) => [x.id, x.evseId, x.connectorId]), [[1, 1, 1], [2, 1, 2], [3, 2, 1]]);
});

test('one line naming the key for each mistake', () => {
  assert.is(problem({ ...minimal, colour: 'blue' }), 'colour: unknown key');
  assert.is(problem({ ...minimal, csms: { ...minimal.csms, timeout: 3 } }), 'csms.timeout: unknown key');
  assert.is(problem({ csms: minimal.csms }), 'identity: is required');
  assert.is(problem({ ...minimal, csms: { url: 'http://x' } }), 'csms.url: must be a ws:// or wss:// URL');
  assert.is(problem({ ...minimal, csms: { ...minimal.csms, protocols: ['ocpp1.6', 'ocpp9'] } }), 'csms.protocols[1]: must be one of ocpp2.0.1, ocpp1.6');
  assert.is(problem({ ...minimal, csms: { ...minimal.csms, securityProfile: '1' } }), 'csms.securityProfile: must be integer');
  assert.is(problem({ ...minimal, identity: 'a:b' }), "identity: must not contain ':'");
  assert.is(problem({ ...minimal, evses: [{ id: 1, connectors: [{ id: 1, maxCurrentA: 100 }] }] }), 'evses[0].connectors[0].maxCurrentA: must be <= 80');
  assert.is(problem({ ...minimal, evses: [{ id: 1, connectors: [{ id: 1 }] }, { id: 1, connectors: [{ id: 1 }] }] }), 'evses[1].id: duplicate EVSE id 1');
  assert.is(problem({ ...minimal, csms: { ...minimal.csms, securityProfile: 1 } }), 'csms.password: is required for security profile 1');
  assert.is(problem({ ...minimal, hardware: { driver: 'gpio' } }), 'hardware.driver: must be one of sim, serial, can');
  assert.is(problem([]), '(file): must be object');
});

test('evsed exits 2 with one line on a bad configuration, and on an unreadable or non-JSON file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-config-'));
  try {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...minimal, csms: { url: 'ws://x', protocols: 'ocpp1.6' } }));
    const r1 = spawnSync(process.execPath, [EVSED_MAIN, '--config', bad], { encoding: 'utf8' });
    assert.is(r1.status, 2);
    assert.is(r1.stderr, 'evsed: config error: csms.protocols: must be array\n');
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{"identity": ');
    const r2 = spawnSync(process.execPath, [EVSED_MAIN, '--config', broken], { encoding: 'utf8' });
    assert.is(r2.status, 2);
    assert.match(r2.stderr, /^evsed: config error: .*broken\.json is not valid JSON/);
    const r3 = spawnSync(process.execPath, [EVSED_MAIN, '--config', path.join(dir, 'missing.json')], { encoding: 'utf8' });
    assert.is(r3.status, 2);
    assert.match(r3.stderr, /cannot read .*missing\.json: ENOENT/);
    const r4 = spawnSync(process.execPath, [EVSED_MAIN], { encoding: 'utf8' });
    assert.is(r4.status, 2);
    assert.match(r4.stderr, /missing --config FILE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
