import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_MESSAGE_ID_LENGTH, newMessageId } from '../../../src/ocpp/rpc/index.js';

test('R-J4 - 10 000 message ids are unique and at most 36 characters', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const id = newMessageId();
    assert.ok(id.length <= MAX_MESSAGE_ID_LENGTH, `id too long: ${id}`);
    ids.add(id);
  }
  assert.is(ids.size, 10_000);
});

test('R-J4 - ids are UUIDv4 (random, so they cannot restart after a reboot)', () => {
  assert.match(newMessageId(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.is(newMessageId().length, 36);
});

test.run();
