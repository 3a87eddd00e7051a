import type { ScanCheck } from '../types.ts';

// PLACEHOLDER until its module lands: finds nothing. Replaced wholesale by the check's implementation.
export const bindingExposure: ScanCheck = {
  id: 'binding-exposure',
  title: 'Checking network exposure...',
  run: async () => [],
};
