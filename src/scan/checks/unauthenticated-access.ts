import type { ScanCheck } from '../types.ts';

// PLACEHOLDER until its module lands: finds nothing. Replaced wholesale by the check's implementation.
export const unauthenticatedAccess: ScanCheck = {
  id: 'unauthenticated-access',
  title: 'Testing authentication requirements...',
  run: async () => [],
};
