/**
 * The starter `gatehouse.yaml` that `gatehouse init` writes. Every value is a real default or a
 * working example; cli.test.ts loads it with loadConfig so it cannot drift from the schema.
 */
export const INIT_TEMPLATE = `# Gatehouse configuration. Full reference: docs/configuration.md
# Check it at any time with: gatehouse policy check

# SPIFFE trust domain: agents get ids like spiffe://gatehouse.local/agent/<name>.
trustDomain: gatehouse.local

# The data plane: where agents send their API calls.
# Loopback by default; binding anything else requires tls (cert + key).
server:
  listen:
    host: 127.0.0.1
    port: 8080
  # Proxies in front of Gatehouse whose X-Forwarded-For is believed (addresses or CIDRs).
  trustedProxies: []
  limits:
    maxHeaderBytes: 16384   # larger headers -> 431
    maxBodyBytes: 1048576   # larger bodies -> 413

# The admin API (agents, keys, policies, audit, /metrics). A separate listener, loopback only
# by default. Every call needs the admin token printed at first start
# (replace it with: gatehouse admin-token reset).
admin:
  listen:
    host: 127.0.0.1
    port: 8081

# Where identities, key hashes and the audit log live:
# sqlite:<path> (embedded) or postgres://user@host:5432/db. Env GATEHOUSE_STORE_URL overrides.
store:
  url: sqlite:./.gatehouse/gatehouse.db

# The HMAC key under which API keys are stored; created (mode 0600) on first start.
# Every replica must share it. Env GATEHOUSE_SERVER_SECRET overrides.
secrets:
  serverSecretFile: ./.gatehouse/server.secret
  # The key that encrypts token-signing keys at rest; created (0600) on first start.
  # Every replica must share it. Env GATEHOUSE_MASTER_KEY overrides.
  masterKeyFile: ./.gatehouse/master.key

# API key lifetimes.
apiKeys:
  defaultTtlDays: 90
  rotationOverlapHours: 24   # the old key keeps working this long after a rotation

# Token buckets: rate = requests per second, burst = bucket size.
rateLimit:
  perAgent: { rate: 50, burst: 100 }
  perAddress: { rate: 20, burst: 40 }   # unauthenticated / public routes
  # agents:
  #   batch-bot: { rate: 5, burst: 10 }

# The OAuth 2.1 token service (docs/oauth.md): agents get short-lived JWTs at POST /oauth/token.
# A route that names a resource accepts those tokens as well as API keys.
oauth:
  # issuer: https://gatehouse.example.com   # set it behind a load balancer or with replicas
  accessTokenTtlSeconds: 300
  resources:
    - uri: https://api.example.com/
  defaultResource: https://api.example.com/
  signing:
    alg: ES256          # or EdDSA
    rotationHours: 24

# Routes: a path pattern (exact, or a prefix ending in /*) -> an upstream.
# A request that matches no route gets 404 and is never forwarded.
# Every route needs a valid API key (or token) unless it says auth: public.
routes:
  - id: api
    path: /api/*
    upstream: http://127.0.0.1:9000
    stripPrefix: /api        # /api/invoices is forwarded as /invoices
    timeoutMs: 30000
    resource: https://api.example.com/   # accept tokens issued for this audience too

# Policies: default deny. Nothing is allowed unless a permit rule matches, and a forbid rule
# always wins. Rules compile to Cedar; see them with: gatehouse policy show
# Try one with: gatehouse policy explain <agent> GET /api/invoices
policies:
  rules:
    - id: readers-can-read
      agents: { labels: [reader] }
      methods: [GET, HEAD]
      paths: [/api/*]
    - id: agents-own-workspace
      methods: ['*']
      paths: ['/api/workspaces/{agent}/*']   # {agent} = the calling agent's own name
    - id: no-admin-deletes
      effect: forbid
      methods: [DELETE]
      paths: [/api/admin/*]
  # Raw Cedar policy files, relative to this file:
  files: []

# The tamper-evident audit log: a bounded queue; when it is full, requests are refused (503).
audit:
  queueSize: 10000

# Logs: level fatal|error|warn|info|debug|trace|silent; pretty on a terminal (auto|always|never).
log:
  level: info
  pretty: auto
`;
