import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';

// The issuance baseline: oidc-provider (v9) doing the same work as Gatehouse's token endpoint —
// client_credentials only, one client authenticating with client_secret_basic, a JWT access token
// signed with ES256 for one resource (RFC 8707 resource indicators → accessTokenFormat 'jwt').
// Default in-memory adapter. Usage: node bench/oidc-provider-server.ts '<json OidcServerSpec>'

export interface OidcServerSpec {
  port: number;
  clientId: string;
  clientSecret: string;
  resource: string;
  scope: string;
  ttlSeconds: number;
}

// oidc-provider announces its development defaults (in-memory adapter, default helpers) and, on a
// Node release line before LTS, an "unsupported runtime" notice — all on the console, none of them
// about the token endpoint. Drop those before it loads; anything else still gets through.
for (const level of ['info', 'warn'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider ')) return;
    original(...args);
  };
}
const { default: Provider, errors } = await import('oidc-provider');

const spec = JSON.parse(process.argv[2] ?? '{}') as OidcServerSpec;
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'bench-es256', alg: 'ES256', use: 'sig' };

const provider = new Provider(`http://127.0.0.1:${spec.port}`, {
  clients: [
    {
      client_id: spec.clientId,
      client_secret: spec.clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: spec.scope,
      // The default (RS256) would need an RSA key; this provider holds one ES256 key only.
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [signingKey] },
  scopes: [spec.scope],
  cookies: { keys: ['bench-cookie-key-not-used-by-client-credentials'] },
  ttl: { ClientCredentials: spec.ttlSeconds },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => spec.resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx: unknown, resource: string) => {
        if (resource !== spec.resource) throw new errors.InvalidTarget();
        return { scope: spec.scope, audience: spec.resource, accessTokenTTL: spec.ttlSeconds, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
      },
    },
  },
});

const server = createServer(provider.callback());
server.keepAliveTimeout = 65_000;
server.listen(spec.port, '127.0.0.1');
// A normal exit on the runner's SIGTERM, so that --cpu-prof (BENCH_BASELINE_NODE_ARGS) writes its profile.
process.once('SIGTERM', () => process.exit(0));
