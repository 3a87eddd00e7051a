import type { ScanCheck } from '../types.ts';

// PLACEHOLDER until its module lands: finds nothing. Replaced wholesale by the check's implementation.
export const corsReflection: ScanCheck = {
  id: 'cors',
  title: 'Testing CORS policy...',
  run: async () => [],
};
