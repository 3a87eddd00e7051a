import type { ScanCheck } from '../types.ts';

// PLACEHOLDER until its module lands: finds nothing. Replaced wholesale by the check's implementation.
export const rateLimitAbsent: ScanCheck = {
  id: 'rate-limit',
  title: 'Testing rate limiting...',
  run: async () => [],
};
