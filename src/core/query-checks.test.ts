import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scanQuery } from './query-checks.ts';

describe('scanQuery', () => {
  const rows: Array<[string, boolean, boolean]> = [
    ['', false, false],
    ['page=2&sort=name', false, false],
    ['api_key=x', true, false],
    ['API-KEY=x', true, false],
    ['x-api-key=x', true, false],
    ['access_token=x', true, false],
    ['q=gth_abc', true, false],
    ['q=%67th_abc', true, false],
    ['key=value', false, false],
    ['_method=DELETE', false, true],
    ['%5Fmethod=DELETE', false, true],
    ['X-HTTP-Method-Override=PUT', false, true],
    ['x_method_override=PUT', false, true],
    ['method=DELETE', false, false],
    ['bad=%zz&api_key=1', true, false],
    ['client_secret=x', true, false],
    ['client_assertion=eyJ.x.y', true, false],
    ['subject_token=x&actor_token=y', true, false],
    ['q=gcs_abc', true, false],
    ['cursor=eyJvZmZzZXQiOjEwfQ', false, false],
  ];
  for (const [q, credential, methodOverride] of rows) {
    it(`"${q}" → credential ${credential}, override ${methodOverride}`, () => {
      assert.deepEqual(scanQuery(q), { credential, methodOverride });
    });
  }
});
