import { clientCredentials } from './client-credentials.ts';
import type { Grant } from './grant.ts';
import { jwtBearer } from './jwt-bearer.ts';
import { tokenExchange } from './token-exchange.ts';

/** Every grant the token endpoint serves, by `grant_type`. Anything else is unsupported_grant_type. */
export const GRANTS: ReadonlyMap<string, Grant> = new Map([clientCredentials, jwtBearer, tokenExchange].map((g) => [g.type, g]));
