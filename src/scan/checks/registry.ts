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

/** Every check, in the order the timeline shows them (cheap and decisive first, slow probes last). */
export const CHECKS: readonly ScanCheck[] = [
  unauthenticatedAccess, authBypass, sqlInjection, rateLimitAbsent, verboseErrors, corsReflection, securityHeaders, transportSecurity, secretsInResponses, bindingExposure,
];
