import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { methodOverrideAttempt } from './request-limits.ts';

describe('methodOverrideAttempt', () => {
  const table: [string[], string | undefined][] = [
    [[], undefined],
    [['Host', 'x', 'Accept', '*/*'], undefined],
    [['X-HTTP-Method-Override', 'DELETE'], 'DELETE'],
    [['x-http-method-override', 'delete'], 'delete'],
    [['X-Method-Override', 'PUT'], 'PUT'],
    [['X-HTTP-Method', 'PATCH'], 'PATCH'],
    [['x-HtTp-MeThOd', 'DELETE'], 'DELETE'],
    [['Host', 'x', 'X-Http-Method-Override', 'DELETE', 'X-Method-Override', 'PUT'], 'DELETE'],
    [['X-HTTP-Method-Override', ''], ''],
    [['X-HTTP-Method-Overrides', 'DELETE'], undefined],
    [['X-Method', 'DELETE'], undefined],
    [['Host', 'X-HTTP-Method-Override'], undefined], // a value, not a name
  ];
  for (const [raw, expected] of table) {
    it(`${JSON.stringify(raw)} → ${JSON.stringify(expected)}`, () => assert.equal(methodOverrideAttempt(raw), expected));
  }
});
