import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { headerBytes, methodOverrideAttempt } from './request-limits.ts';

describe('headerBytes', () => {
  const table: [string[], number][] = [
    [[], 0],
    [['Host', 'a'], 4 + 1 + 4],
    [['Host', 'example.com', 'Accept', '*/*'], 4 + 11 + 4 + 6 + 3 + 4],
    [['X-Empty', ''], 7 + 4],
    [['X-Big', 'v'.repeat(65_536)], 5 + 65_536 + 4],
    [['X-Latin1', '\u00e9\u00e9'], 8 + 2 + 4], // two bytes on the wire, decoded latin1
  ];
  for (const [raw, expected] of table) {
    it(`${JSON.stringify(raw).slice(0, 60)} → ${expected}`, () => assert.equal(headerBytes(raw), expected));
  }
  it('counts repeated headers each time', () => {
    const raw = Array.from({ length: 1000 }, () => ['Cookie', 'a=b']).flat();
    assert.equal(headerBytes(raw), 1000 * (6 + 3 + 4));
  });
});

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
