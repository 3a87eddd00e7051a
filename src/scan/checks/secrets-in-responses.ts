import type { ScanCheck } from '../types.ts';

// PLACEHOLDER until its module lands: finds nothing. Replaced wholesale by the check's implementation.
export const secretsInResponses: ScanCheck = {
  id: 'secrets-in-responses',
  title: 'Looking for secrets in responses...',
  run: async () => [],
};
