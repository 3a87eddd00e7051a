import type { ScanCheck } from '../types.ts';

// PLACEHOLDER until its module lands: finds nothing. Replaced wholesale by the check's implementation.
export const transportSecurity: ScanCheck = {
  id: 'transport',
  title: 'Checking transport security...',
  run: async () => [],
};
