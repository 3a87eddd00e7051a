import type { DoctorCheck } from '../types.ts';
import { adminAuthCheck } from './admin-auth.ts';
import { auditChainCheck } from './audit-chain.ts';
import { configFileCheck } from './config-file.ts';
import { defaultCredentialsCheck } from './default-credentials.ts';
import { listenersCheck } from './listeners.ts';
import { rateLimitsCheck } from './rate-limits.ts';
import { routesCheck } from './routes.ts';
import { secretsCheck } from './secrets.ts';
import { signingKeysCheck } from './signing-keys.ts';
import { tlsCheck } from './tls.ts';
import { tokenLifetimesCheck } from './token-lifetimes.ts';

/** Every doctor check, in report order: the network layers first (as in the article), then what the store and files hold. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  configFileCheck,
  listenersCheck,
  adminAuthCheck,
  tlsCheck,
  routesCheck,
  rateLimitsCheck,
  auditChainCheck,
  secretsCheck,
  defaultCredentialsCheck,
  signingKeysCheck,
  tokenLifetimesCheck,
];
