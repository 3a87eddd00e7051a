import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mapAssertionToAgent } from './claim-mapping.ts';
import type { ClaimMappingRule } from '../core/types.ts';

const rules: ClaimMappingRule[] = [
  { claims: { sub: 'repo:acme/app:ref:refs/heads/main', repository_owner: 'acme' }, agent: 'deployer' },
  { claims: { sub: 'repo:acme/app:*' }, agent: 'ci' },
  { claims: {}, agent: 'everyone' },
];

describe('claim mapping (federation)', () => {
  const cases: Array<[string, Record<string, unknown>, string | undefined]> = [
    ['all claims of the first rule', { sub: 'repo:acme/app:ref:refs/heads/main', repository_owner: 'acme' }, 'deployer'],
    ['prefix rule', { sub: 'repo:acme/app:pull_request' }, 'ci'],
    ['a missing claim fails the first rule, prefix catches', { sub: 'repo:acme/app:ref:refs/heads/main' }, 'ci'],
    ['no rule matches', { sub: 'repo:evil/app:ref:refs/heads/main' }, undefined],
    ['an array claim never matches', { sub: ['repo:acme/app:x'] }, undefined],
    ['an empty rule never maps everyone', { sub: 'anything' }, undefined],
    ['prefix is not substring', { sub: 'xrepo:acme/app:y' }, undefined],
  ];
  for (const [name, claims, want] of cases) it(name, () => assert.equal(mapAssertionToAgent(rules, claims), want));
});
