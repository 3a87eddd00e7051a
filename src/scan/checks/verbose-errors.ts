import type { ScanCheck } from '../types.ts';

// PLACEHOLDER until its module lands: finds nothing. Replaced wholesale by the check's implementation.
export const verboseErrors: ScanCheck = {
  id: 'verbose-errors',
  title: 'Testing error handling...',
  run: async () => [],
};
