import type { ScanCheck } from '../types.ts';
import { unauthenticatedAccess } from './unauthenticated-access.ts';
import { authBypass } from './auth-bypass.ts';
import { sqlInjection } from './sql-injection.ts';
import { rateLimitAbsent } from './rate-limit.ts';
import { verboseErrors } from './verbose-errors.ts';
import { corsReflection } from './cors.ts';
import { securityHeaders } from './security-headers.ts';
import { transportSecurity } from './transport.ts';
import { secretsInResponses } from './secrets-in-responses.ts';
import { bindingExposure } from './binding-exposure.ts';

/**
 * Every check, in the order the timeline shows them (cheap and decisive first, slow probes last).
 * The rate-limit burst runs last: it sets out to trip the target's limits and its failed-
 * authentication lockout, and a locked-out scanner would see only 429s in every check after it.
 */
export const CHECKS: readonly ScanCheck[] = [
  unauthenticatedAccess, authBypass, sqlInjection, verboseErrors, corsReflection, securityHeaders, transportSecurity, secretsInResponses, bindingExposure, rateLimitAbsent,
];
