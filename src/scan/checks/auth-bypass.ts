import type { ScanCheck } from '../types.ts';

// PLACEHOLDER until its module lands: finds nothing. Replaced wholesale by the check's implementation.
export const authBypass: ScanCheck = {
  id: 'auth-bypass',
  title: 'Testing authentication bypasses...',
  run: async () => [],
};
