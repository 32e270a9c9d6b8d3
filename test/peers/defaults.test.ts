// Every default answer of the test CSMS, for every CS→CSMS action of both protocols, passes the
// schema ocpp-rpc's strict mode applies (its bundled OCA schemas, urn:<Action>.conf).
// Also pins down which actions ocpp-rpc's 1.6 schema set covers (the security extensions).

import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CS_TO_CSMS_ACTIONS, DEFAULT_BOOT, defaultResponse, tokenStatus, type DefaultsContext } from './defaults.js';
import { createValidator, isRpcError } from './rpc-types.js';
import type { OcppProtocol } from './types.js';

const require = createRequire(import.meta.url);
const SCHEMA_FILES: Record<OcppProtocol, string> = {
  'ocpp1.6': 'ocpp-rpc/lib/schemas/ocpp1_6.json',
  'ocpp2.0.1': 'ocpp-rpc/lib/schemas/ocpp2_0_1.json',
};

function schemas(protocol: OcppProtocol): { $id: string }[] {
  return require(SCHEMA_FILES[protocol]) as { $id: string }[];
}

function context(protocol: OcppProtocol, boot: DefaultsContext['boot'] = DEFAULT_BOOT): DefaultsContext {
  let id = 41;
  return { protocol, tokens: new Map([['BLOCKED', 'Blocked'], ['BROKE', 'NoCredit']]), boot, nextTransactionId: () => id++ };
}

/** Requests that make the defaults take their token-dependent branches. */
const SAMPLE_REQUESTS: Record<string, unknown> = {
  'ocpp1.6 Authorize': { idTag: 'BLOCKED' },
  'ocpp1.6 StartTransaction': { connectorId: 1, idTag: 'BROKE', meterStart: 0, timestamp: '2025-01-01T00:00:00Z' },
  'ocpp1.6 StopTransaction': { idTag: 'BLOCKED', meterStop: 10, timestamp: '2025-01-01T00:00:00Z', transactionId: 41 },
  'ocpp2.0.1 Authorize': { idToken: { idToken: 'BROKE', type: 'ISO14443' } },
  'ocpp2.0.1 TransactionEvent': { idToken: { idToken: 'BLOCKED', type: 'ISO14443' } },
};

for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
  test(`${protocol}: every CS→CSMS action has a schema in ocpp-rpc and a schema-valid default`, () => {
    const ids = new Set(schemas(protocol).map((s) => s.$id));
    const validator = createValidator(protocol, schemas(protocol));
    for (const action of CS_TO_CSMS_ACTIONS[protocol]) {
      assert.ok(ids.has(`urn:${action}.req`), `${protocol} schema set lacks ${action}.req`);
      const answer = defaultResponse(action, SAMPLE_REQUESTS[`${protocol} ${action}`] ?? {}, context(protocol));
      assert.ok(answer !== undefined, `${action} has no default`);
      try {
        validator.validate(`urn:${action}.conf`, answer);
      } catch (error) {
        assert.unreachable(`${protocol} ${action} default ${JSON.stringify(answer)}: ${isRpcError(error) ? error.message : String(error)}`);
      }
    }
  });

  test(`${protocol}: Pending and Rejected boot answers are schema-valid`, () => {
    const validator = createValidator(protocol, schemas(protocol));
    for (const status of ['Pending', 'Rejected'] as const) {
      const answer = defaultResponse('BootNotification', {}, context(protocol, { status, interval: 0 }));
      assert.ok(validator.validate('urn:BootNotification.conf', answer));
      assert.is((answer as { status: string }).status, status);
    }
  });
}

test('ocpp-rpc 1.6 strict mode knows the security-whitepaper messages', () => {
  const ids = new Set(schemas('ocpp1.6').map((s) => s.$id));
  for (const action of ['SecurityEventNotification', 'SignCertificate', 'SignedFirmwareStatusNotification',
    'LogStatusNotification', 'CertificateSigned', 'DeleteCertificate', 'ExtendedTriggerMessage',
    'GetInstalledCertificateIds', 'GetLog', 'InstallCertificate', 'SignedUpdateFirmware']) {
    assert.ok(ids.has(`urn:${action}.req`) && ids.has(`urn:${action}.conf`), action);
  }
});

test('token statuses: unknown → Accepted; 2.0.1-only statuses become Invalid on 1.6', () => {
  assert.is(tokenStatus(context('ocpp1.6'), 'NOBODY'), 'Accepted');
  assert.is(tokenStatus(context('ocpp1.6'), 'BLOCKED'), 'Blocked');
  assert.is(tokenStatus(context('ocpp1.6'), 'BROKE'), 'Invalid');
  assert.is(tokenStatus(context('ocpp2.0.1'), 'BROKE'), 'NoCredit');
  assert.is(tokenStatus(context('ocpp2.0.1'), undefined), 'Accepted');
});

test('unsupported actions have no default', () => {
  assert.is(defaultResponse('TransactionEvent', {}, context('ocpp1.6')), undefined);
  assert.is(defaultResponse('StartTransaction', {}, context('ocpp2.0.1')), undefined);
  assert.is(defaultResponse('Reset', {}, context('ocpp2.0.1')), undefined);
});

test.run();
