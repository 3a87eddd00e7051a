import { z } from 'zod';

// The single, commented source of configuration defaults. `docs/configuration.md` is generated
// from this file's descriptions (npm run docs:config); every object is strict, so an unknown key
// is an error that names its path.

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const host = z.string().min(1);
const port = z.number().int().min(0).max(65535);

const tls = z
  .strictObject({
    cert: z.string().min(1).describe('Path to the PEM certificate chain.'),
    key: z.string().min(1).describe('Path to the PEM private key.'),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2').describe('Lowest TLS version accepted (never below 1.2).'),
  })
  .describe('TLS for this listener. Required to bind a non-loopback address (unless insecurePublic).');

const listener = (defaultPort: number) =>
  z.strictObject({
    host: host.default('127.0.0.1').describe('Bind address. Loopback by default; anything else needs tls or insecurePublic.'),
    port: port.default(defaultPort).describe('Bind port (0 = any free port).'),
    tls: tls.optional(),
    insecurePublic: z
      .boolean()
      .default(false)
      .describe('Allow a non-loopback bind without TLS. Logs a loud warning at every start. Do not use.'),
  });

const bucket = z.strictObject({
  rate: z.number().positive().describe('Sustained requests per second.'),
  burst: z.number().int().positive().describe('Bucket size: requests allowed at once.'),
});

const routeSchema = z.strictObject({
  id: z.string().regex(NAME, 'lowercase letters, digits, ".", "_" or "-", at most 63 characters').describe('Stable route id (used in policy, metrics and audit).'),
  host: z.string().min(1).optional().describe('Match only this Host (exact, case-insensitive, port ignored). Absent = any host.'),
  path: z
    .string()
    .regex(/^\/[^?#]*$/, 'must start with "/" and contain no "?" or "#"')
    .describe('Path pattern: exact ("/healthz") or prefix ending in "/*" ("/api/*", matches "/api" and below).'),
  upstream: z.url({ protocol: /^https?$/ }).describe('Upstream base URL (http or https). The canonical path is appended to its path.'),
  stripPrefix: z.string().regex(/^\/[^?#]*$/).optional().describe('Remove this prefix from the canonical path before forwarding.'),
  auth: z.enum(['strict', 'public']).default('strict').describe('strict (default): every request needs a valid credential. public: explicitly unauthenticated (still rate-limited by address and audited).'),
  timeoutMs: z.number().int().positive().default(30_000).describe('Upstream response-headers timeout for this route.'),
  maxBodyBytes: z.number().int().nonnegative().optional().describe('Request body limit for this route (defaults to server.limits.maxBodyBytes).'),
  rateLimit: bucket.optional().describe('Bucket for this route: per agent (overrides rateLimit.perAgent), or per client address on a public route.'),
  websocket: z.boolean().default(false).describe('Allow WebSocket upgrades on this route (after authentication and authorization).'),
  resource: z.url().optional().describe('The RFC 8707 resource (JWT `aud`) this route serves; must be listed in oauth.resources. Needed to accept JWTs.'),
  accept: z
    .array(z.enum(['apiKey', 'jwt']))
    .min(1)
    .optional()
    .describe('Credentials this route accepts. Default: apiKey and jwt when the route has a resource, else apiKey only.'),
  passCallerToken: z
    .boolean()
    .default(false)
    .describe("Forward the caller's own Authorization header to the upstream. Off: the upstream gets Gatehouse's signed identity assertion instead."),
});

const ruleSchema = z.strictObject({
  id: z.string().regex(NAME).describe('Policy id, shown as a reason code (policy:<id>).'),
  effect: z.enum(['permit', 'forbid']).default('permit'),
  agents: z
    .strictObject({
      labels: z.array(z.string().min(1)).optional().describe('Agent must carry every one of these labels.'),
      names: z.array(z.string().regex(NAME)).optional().describe('Agent name is one of these.'),
      scopes: z.array(z.string().min(1)).optional().describe('Credential must hold every one of these scopes.'),
    })
    .prefault({})
    .describe('Who the rule applies to. Empty = every authenticated agent.'),
  methods: z.array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', '*'])).min(1).describe('HTTP methods; "*" = any.'),
  paths: z.array(z.string().regex(/^\/[^?#]*$/)).min(1).describe('Canonical path patterns: exact, or a prefix ending in "/*". "{agent}" matches the calling agent\'s own name.'),
  routes: z.array(z.string().regex(NAME)).optional().describe('Limit the rule to these route ids.'),
});

const scopeList = z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, 'not an RFC 6749 scope token'));

const resourceSchema = z.strictObject({
  uri: z.url().describe('The resource indicator (RFC 8707): an absolute URI, issued as the token `aud`.'),
  agents: z
    .strictObject({
      names: z.array(z.string().regex(NAME)).optional().describe('Only these agents may obtain tokens for it.'),
      labels: z.array(z.string().min(1)).optional().describe('Only agents carrying every one of these labels may obtain tokens for it.'),
    })
    .optional()
    .describe('Who may request this resource. Absent = every agent.'),
  scopes: scopeList.optional().describe('Scopes meaningful for this resource; a token for it never carries others. Absent = any of the agent\'s scopes.'),
});

const oauthSchema = z.strictObject({
  issuer: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('Issuer identifier (`iss` of every token) and base URL of the endpoints. Default: the data-plane URL, http(s)://<host>:<port>.'),
  accessTokenTtlSeconds: z.number().int().min(30).max(3600).default(300).describe('Access-token lifetime (capped at 1 hour).'),
  clockSkewSeconds: z.number().int().min(0).max(30).default(30).describe('Tolerance for exp/nbf/iat of tokens and assertions (at most 30 s).'),
  maxAssertionLifetimeSeconds: z.number().int().min(30).max(900).default(300).describe('Client and federation assertions may expire at most this far ahead.'),
  maxDelegationDepth: z.number().int().min(1).max(10).default(3).describe('Longest token-exchange actor chain (act nesting).'),
  signing: z
    .strictObject({
      alg: z.enum(['ES256', 'EdDSA']).default('ES256').describe('Algorithm of new signing keys.'),
      rotationHours: z.number().min(0.01).max(8760).default(24).describe('Automatic signing-key rotation period. The next key is published a full period before it signs.'),
    })
    .prefault({}),
  clientSecrets: z
    .strictObject({
      defaultTtlDays: z.number().int().min(1).max(3650).default(90).describe('Lifetime of a new client secret.'),
      rotationOverlapHours: z.number().min(0).max(720).default(24).describe('How long the old secret keeps working after a rotation.'),
    })
    .prefault({}),
  resources: z.array(resourceSchema).default([]).describe('Audiences tokens may be issued for (RFC 8707). Unknown resources get invalid_target.'),
  defaultResource: z.url().optional().describe('The resource used when a token request names none; must be one of resources.'),
  rateLimit: bucket.default({ rate: 50, burst: 100 }).describe('Per-client-address bucket for each token-service endpoint (failed client authentications also count toward rateLimit.authFailures).'),
  upstreamAssertion: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Send upstreams a signed identity JWT (header x-gatehouse-identity, verifiable with the JWKS).'),
      ttlSeconds: z.number().int().min(5).max(60).default(60).describe('Lifetime of the identity assertion.'),
    })
    .prefault({}),
});

export const configSchema = z.strictObject({
  trustDomain: z.string().regex(/^[a-z0-9.-]+$/).default('gatehouse.local').describe('SPIFFE trust domain for agent ids: spiffe://<trustDomain>/agent/<name>.'),
  server: z
    .strictObject({
      listen: listener(8080).prefault({}),
      trustedProxies: z.array(z.string().min(1)).default([]).describe('Addresses (or CIDRs) of proxies in front of Gatehouse whose X-Forwarded-For is believed.'),
      limits: z
        .strictObject({
          maxHeaderBytes: z.number().int().min(1024).max(1_048_576).default(16_384).describe('Total request header size; larger → 431.'),
          maxBodyBytes: z.number().int().nonnegative().default(1_048_576).describe('Default request body limit; larger → 413.'),
          headersTimeoutMs: z.number().int().positive().default(10_000).describe('Time allowed to receive all request headers (slowloris guard).'),
          requestTimeoutMs: z.number().int().positive().default(60_000).describe('Time allowed to receive the whole request.'),
          keepAliveTimeoutMs: z.number().int().positive().default(5_000),
        })
        .prefault({}),
    })
    .prefault({}),
  admin: z
    .strictObject({
      listen: listener(8081).prefault({}),
    })
    .prefault({}),
  store: z
    .strictObject({
      url: z
        .string()
        .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite: or postgres://')
        .default('sqlite:./.gatehouse/gatehouse.db')
        .describe('sqlite:<path> (embedded, default) or postgres://user@host:port/db. Env: GATEHOUSE_STORE_URL.'),
    })
    .prefault({}),
  redis: z
    .strictObject({ url: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional().describe('Shared rate-limit counters. Env: GATEHOUSE_REDIS_URL.') })
    .prefault({}),
  secrets: z
    .strictObject({
      serverSecretFile: z
        .string()
        .default('./.gatehouse/server.secret')
        .describe('File holding the HMAC key for credential hashes; created (0600) on first start. Env GATEHOUSE_SERVER_SECRET overrides. Replicas must share it.'),
      masterKeyFile: z
        .string()
        .default('./.gatehouse/master.key')
        .describe('File holding the AES-256-GCM key that encrypts token-signing keys at rest; created (0600) on first start. Env GATEHOUSE_MASTER_KEY overrides. Replicas must share it.'),
    })
    .prefault({}),
  apiKeys: z
    .strictObject({
      defaultTtlDays: z.number().int().min(1).max(3650).default(90).describe('Lifetime of a new key unless --ttl is given.'),
      rotationOverlapHours: z.number().min(0).max(720).default(24).describe('How long the old key keeps working after a rotation.'),
    })
    .prefault({}),
  rateLimit: z
    .strictObject({
      perAgent: bucket.default({ rate: 50, burst: 100 }).describe('Default per-agent bucket (routes may override).'),
      agents: z
        .record(z.string().regex(NAME), bucket)
        .default({})
        .describe('Per-agent overrides by agent name; they win over route and default buckets.'),
      perAddress: bucket.default({ rate: 20, burst: 40 }).describe('Bucket for unauthenticated/public requests, per client address.'),
      authFailures: z
        .strictObject({
          maxFailures: z.number().int().positive().default(10).describe('Failed authentications from one address within windowSeconds before lockout.'),
          windowSeconds: z.number().int().positive().default(60),
          lockoutSeconds: z.number().int().positive().default(300),
        })
        .prefault({}),
    })
    .prefault({}),
  oauth: oauthSchema.prefault({}).describe('The OAuth 2.1 token service for agents (docs/oauth.md).'),
  routes: z.array(routeSchema).default([]).describe('Routes: host + path pattern → upstream. No route = 404, nothing forwarded.'),
  policies: z
    .strictObject({
      rules: z.array(ruleSchema).default([]).describe('Short rule form, compiled to Cedar.'),
      files: z.array(z.string().min(1)).default([]).describe('Raw .cedar policy files (paths relative to the config file).'),
      decisionCacheSize: z.number().int().nonnegative().default(10_000).describe('Entries in the decision cache (0 disables).'),
    })
    .prefault({}),
  audit: z
    .strictObject({
      queueSize: z.number().int().positive().default(10_000).describe('Bounded in-memory queue; when full, requests are refused (503).'),
      batchSize: z.number().int().positive().default(500),
      flushIntervalMs: z.number().int().positive().default(25),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      pretty: z.enum(['auto', 'always', 'never']).default('auto').describe('Pretty logs on a TTY (auto), always, or never (JSON).'),
    })
    .prefault({}),
  demo: z.boolean().default(false).describe('Run the built-in demo upstream and create a demo agent (npm start without a config).'),
});

export type Config = z.infer<typeof configSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
export type RuleConfig = z.infer<typeof ruleSchema>;
export type OAuthConfig = z.infer<typeof oauthSchema>;
export type ResourceConfig = z.infer<typeof resourceSchema>;
export type BucketConfig = z.infer<typeof bucket>;
export type ListenerConfig = Config['server']['listen'];

/** The credentials a strict route accepts: explicit `accept`, else JWTs too when it names a resource. */
export function acceptedCredentials(route: RouteConfig): ReadonlyArray<'apiKey' | 'jwt'> {
  return route.accept ?? (route.resource === undefined ? API_KEYS_ONLY : BOTH); // runs per request: no allocation
}
const API_KEYS_ONLY = Object.freeze(['apiKey'] as const);
const BOTH = Object.freeze(['apiKey', 'jwt'] as const);
