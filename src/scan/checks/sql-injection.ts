import type { ScanCheck } from '../types.ts';

// PLACEHOLDER until its module lands: finds nothing. Replaced wholesale by the check's implementation.
export const sqlInjection: ScanCheck = {
  id: 'sql-injection',
  title: 'Testing input validation (SQL injection)...',
  run: async () => [],
};
