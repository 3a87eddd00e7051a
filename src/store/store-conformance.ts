import { describe } from 'node:test';
import { agentCases } from './conformance/agent-cases.ts';
import { apiKeyCases } from './conformance/api-key-cases.ts';
import { auditCases } from './conformance/audit-cases.ts';
import type { StoreFactory, StoreHarness } from './conformance/fixtures.ts';
import { lifecycleCases } from './conformance/lifecycle-cases.ts';
import { oauthCases } from './conformance/oauth-cases.ts';

export type { StoreFactory, StoreHarness };
export { verifyStoredChain } from './conformance/audit-cases.ts';

/**
 * The one behavioural contract of the Store port, run against every adapter. `factory` is called
 * once per test and must return a fresh, migrated, empty database; `reopen()` must open another
 * Store on that same database (the durability and multi-instance cases use it), and `cleanup()`
 * must close whatever is still open and delete the data. Pass `{ skip: reason }` when the
 * adapter's service is unavailable (see serviceSkipReason).
 */
export function runStoreConformance(name: string, factory: StoreFactory, opts: { skip?: string | false } = {}): void {
  describe(`Store conformance: ${name}`, { skip: opts.skip ?? false }, () => {
    agentCases(factory);
    apiKeyCases(factory);
    auditCases(factory);
    lifecycleCases(factory);
    oauthCases(factory);
  });
}
