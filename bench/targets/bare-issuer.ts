import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { OidcServerSpec } from '../oidc-provider-server.ts';
import { startChild } from '../lib/children.ts';
import { basicAuth, FORM_HEADERS, requestToken, tokenRequestBody } from '../lib/oauth-check.ts';
import { freePort } from '../lib/ports.ts';
import type { BenchContext, Started } from '../lib/target.ts';
import type { OAuthBenchOptions } from './gatehouse.ts';

const CLIENT_ID = 'bench-client';

/** bench/bare-issuer.ts in its own process: the floor for issuance in Node with jose. */
export async function startBareIssuer(ctx: BenchContext, oauth: OAuthBenchOptions): Promise<Started> {
  const port = await freePort();
  const clientSecret = randomBytes(32).toString('base64url');
  const spec: OidcServerSpec = { port, clientId: CLIENT_ID, clientSecret, resource: oauth.resource, scope: oauth.scope, ttlSeconds: oauth.ttlSeconds };
  const extra = (process.env.BENCH_BASELINE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = startChild('bare issuer', ctx.node, [...extra, join(ctx.repoRoot, 'bench/bare-issuer.ts'), JSON.stringify(spec)]);
  const url = `http://127.0.0.1:${port}/token`;
  const headers = { ...FORM_HEADERS, authorization: basicAuth(CLIENT_ID, clientSecret) };
  const body = tokenRequestBody(oauth.resource, oauth.scope);
  // Ready when it issues: poll the real request (a refused connection means not listening yet).
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await requestToken(url, headers, body, oauth.resource);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`bare issuer not ready: ${(err as Error).message}\n${child.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    ok: true,
    target: {
      name: 'bare jose issuer (floor)', url, method: 'POST', body, headers, pid: child.pid, stop: () => child.stop(),
      notes: ['node:http + HMAC check + jose SignJWT ES256, client in memory; no store, rate limit or audit, 1 process'],
    },
  };
}
