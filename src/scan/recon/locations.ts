/**
 * Where recon looks. Each list is what an attacker's tooling tries first: framework defaults for
 * API documentation, well-known files, and the paths agent platforms and API servers commonly
 * expose. Order matters only for the timeline (the article's target had its docs at /api/docs).
 */

/** OpenAPI/Swagger documents and HTML documentation pages (Swagger UI, ReDoc, RapiDoc, Scalar). */
export const DOC_LOCATIONS: readonly string[] = [
  '/api/docs', '/docs', '/openapi.json', '/swagger.json', '/api/openapi.json', '/api/swagger.json',
  '/openapi.yaml', '/openapi.yml', '/swagger.yaml', '/api/openapi.yaml', '/api-docs', '/api/api-docs',
  '/v2/api-docs', '/v3/api-docs', '/swagger/v1/swagger.json', '/swagger-ui.html', '/swagger-ui/', '/swagger',
  '/api/swagger', '/redoc', '/api/redoc', '/api/v1/openapi.json', '/api/v1/docs', '/docs/openapi.json', '/openapi',
];

/** Well-known and conventional files; robots.txt and OAuth metadata also name further paths. */
export const WELL_KNOWN: readonly string[] = [
  '/.well-known/security.txt', '/robots.txt', '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration', '/.well-known/oauth-protected-resource',
];

/** Common agent-platform and API paths, tried with GET when the documentation does not list them. */
export const WORDLIST: readonly string[] = [
  // agent platforms: agents, tasks, runs, memory, tools, models, prompts
  '/api/agents', '/api/agent', '/api/tasks', '/api/jobs', '/api/runs', '/api/executions', '/api/workflows',
  '/api/schedules', '/api/memory', '/api/memories', '/api/tools', '/api/plugins', '/api/models', '/api/prompts',
  '/api/conversations', '/api/chats', '/api/messages', '/api/sessions', '/api/knowledge', '/api/documents',
  '/api/datasets', '/api/embeddings', '/api/vectors', '/api/integrations', '/api/webhooks', '/api/events',
  '/api/chat', '/api/completions',
  // users, credentials, configuration
  '/api/users', '/api/user', '/api/me', '/api/accounts', '/api/keys', '/api/api-keys', '/api/tokens',
  '/api/secrets', '/api/credentials', '/api/config', '/api/settings', '/api/admin', '/api/admin/users', '/admin',
  '/api/internal', '/internal',
  // data access
  '/api/search', '/api/query', '/api/files', '/api/uploads', '/api/export', '/api/backup', '/api/db', '/api/logs', '/logs',
  // versioned and OpenAI-compatible surfaces
  '/api', '/api/v1', '/api/v1/agents', '/api/v1/tasks', '/api/v1/users', '/api/v1/search', '/v1/models', '/v1/chat/completions',
  '/v1/agents',
  // protocols
  '/graphql', '/api/graphql', '/mcp', '/sse', '/api/mcp', '/ws',
  // operations and debugging
  '/health', '/healthz', '/readyz', '/status', '/api/status', '/api/health', '/version', '/api/version', '/metrics',
  '/debug', '/debug/vars', '/debug/pprof/', '/api/debug', '/actuator', '/actuator/env', '/actuator/health',
  '/server-status', '/console',
  // files that should never be served
  '/.env', '/.git/config', '/config.json',
];

/** Files whose mere presence is a finding, recognised by their content (not just a 200). */
export const SENSITIVE_FILES: ReadonlyArray<{ path: string; rule: string; severity: 'high' | 'medium'; looksLike: RegExp; what: string }> = [
  { path: '/.env', rule: 'exposed-env-file', severity: 'high', looksLike: /^\s*(?:export\s+)?[A-Z][A-Z0-9_]*\s*=/m, what: 'environment file (.env)' },
  { path: '/.git/config', rule: 'exposed-git-metadata', severity: 'medium', looksLike: /^\s*\[(?:core|remote\s)/m, what: 'Git repository metadata (.git/config)' },
];
