import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { generateKeyPair, SignJWT } from 'jose';
import type { OidcServerSpec } from './oidc-provider-server.ts';

// The floor for a Node token endpoint, as the bare proxy is for the gateway: node:http, one
// client held in memory, client_secret_basic checked against an HMAC of the secret, the form
// read, an ES256 at+jwt signed with jose (the library Gatehouse and oidc-provider both sign with),
// JSON out. No store, no rate limit, no audit, no error handling beyond a 400/401.
// Usage: node bench/bare-issuer.ts '<json OidcServerSpec>'

const spec = JSON.parse(process.argv[2] ?? '{}') as OidcServerSpec;
const hmacKey = randomBytes(32);
const hash = (s: string): Buffer => createHmac('sha256', hmacKey).update(s).digest();
const expected = hash(`${encodeURIComponent(spec.clientId)}:${encodeURIComponent(spec.clientSecret)}`);
const { privateKey } = await generateKeyPair('ES256');
const issuer = `http://127.0.0.1:${spec.port}`;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const auth = req.headers.authorization ?? '';
    const presented = hash(Buffer.from(auth.slice(6), 'base64').toString('utf8'));
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (!auth.startsWith('Basic ') || !timingSafeEqual(presented, expected)) return void res.writeHead(401).end();
    if (form.get('grant_type') !== 'client_credentials' || (form.get('resource') ?? spec.resource) !== spec.resource) return void res.writeHead(400).end();
    const now = Math.floor(Date.now() / 1000);
    new SignJWT({ client_id: spec.clientId, scope: spec.scope, jti: randomBytes(16).toString('base64url') })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'bench' })
      .setIssuer(issuer)
      .setSubject(spec.clientId)
      .setAudience(spec.resource)
      .setIssuedAt(now)
      .setExpirationTime(now + spec.ttlSeconds)
      .sign(privateKey)
      .then((token) => {
        const body = JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: spec.ttlSeconds, scope: spec.scope });
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) }).end(body);
      }, () => void res.writeHead(500).end());
  });
});
server.keepAliveTimeout = 65_000;
server.listen(spec.port, '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
