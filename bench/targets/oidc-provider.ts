import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OidcServerSpec } from '../oidc-provider-server.ts';
import { startChild, waitForHttp } from '../lib/children.ts';
import { basicAuth, FORM_HEADERS, requestToken, tokenRequestBody } from '../lib/oauth-check.ts';
import type { OAuthBenchOptions } from './gatehouse.ts';
import { freePort } from '../lib/ports.ts';
import type { BenchContext, Started } from '../lib/target.ts';

const NAME = 'oidc-provider /token';
const CLIENT_ID = 'bench-client';

/** bench/oidc-provider-server.ts in its own process: the issuance baseline. */
export async function startOidcProvider(ctx: BenchContext, oauth: OAuthBenchOptions): Promise<Started> {
  const pkg = join(ctx.repoRoot, 'node_modules/oidc-provider/package.json');
  if (!existsSync(pkg)) return { ok: false, name: NAME, reason: 'oidc-provider is not installed (npm install)' };
  const { version } = JSON.parse(await readFile(pkg, 'utf8')) as { version: string };

  const port = await freePort();
  // Same shape as a Gatehouse client secret: 32 random bytes, base64url.
  const clientSecret = randomBytes(32).toString('base64url');
  const spec: OidcServerSpec = { port, clientId: CLIENT_ID, clientSecret, resource: oauth.resource, scope: oauth.scope, ttlSeconds: oauth.ttlSeconds };
  const env = { ...process.env, NODE_ENV: 'production' };
  // BENCH_BASELINE_NODE_ARGS adds flags for a look inside, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.BENCH_BASELINE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = startChild('oidc-provider', ctx.node, [...extra, join(ctx.repoRoot, 'bench/oidc-provider-server.ts'), JSON.stringify(spec)], env);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/.well-known/openid-configuration`, child);
  const headers = { ...FORM_HEADERS, authorization: basicAuth(CLIENT_ID, clientSecret) };
  const body = tokenRequestBody(oauth.resource, oauth.scope);
  await requestToken(`${base}/token`, headers, body, oauth.resource);
  return {
    ok: true,
    target: {
      name: NAME,
      url: `${base}/token`,
      method: 'POST',
      body,
      headers,
      notes: [`oidc-provider ${version}, client_secret_basic → ES256 at+jwt (resource indicators), in-memory adapter, 1 process`],
      pid: child.pid,
      stop: () => child.stop(),
    },
  };
}
