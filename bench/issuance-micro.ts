import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { openLocal } from '../src/app/open-local.ts';
import { parseConfig } from '../src/config/load-config.ts';

// Micro-benchmark (not a test): what one client_credentials issuance costs, part by part, in
// process CPU (all threads: WebCrypto signs on libuv's thread pool) and wall time per operation,
// no sockets. Cited in docs/benchmarks.md. Usage: node bench/issuance-micro.ts [ops=5000]

const count = Number(process.argv[2] ?? 5000);
const RESOURCE = 'https://api.bench.test/agents';
const dir = mkdtempSync(join(tmpdir(), 'gh-issuance-micro-'));
const config = parseConfig({
  store: { url: `sqlite:${join(dir, 'gh.db')}` },
  secrets: { serverSecretFile: join(dir, 'server.secret'), masterKeyFile: join(dir, 'master.key') },
  oauth: { resources: [{ uri: RESOURCE }] },
  routes: [{ id: 'api', path: '/api/*', upstream: 'http://127.0.0.1:9', resource: RESOURCE }],
});
const core = await openLocal({ config, file: undefined, baseDir: dir }, { env: {} });
await core.oauth.start();
core.oauth.bindIssuer('http://127.0.0.1:8080');
const agent = await core.agents.create({ name: 'bench', scopes: ['read'], authMethods: ['client_secret_basic'] }, 'bench');
const { secret } = await core.oauth.secrets.issue('bench', {}, 'bench');
const claims = { sub: agent.spiffeId, clientId: agent.name, aud: RESOURCE, scopes: ['read'], ttlSeconds: 300 };

// The same ES256 signature through node:crypto's synchronous sign (no WebCrypto job, no thread pool).
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const keyObject: KeyObject = createPrivateKey({ key: (await exportJWK(privateKey)) as never, format: 'jwk' });
const signingInput = Buffer.from('eyJhbGciOiJFUzI1NiJ9.' + Buffer.from(JSON.stringify({ ...claims, iss: 'http://127.0.0.1', jti: 'x'.repeat(26) })).toString('base64url'));

// What TokenMinter signs, serialized once: jose's CompactSign skips SignJWT's structuredClone of
// the claims and its claims builder (same library, same signature, same token bytes layout).
const minted = (await core.oauth.minter.accessToken(claims)).claims;
const ringKey = core.oauth.keys.signingKey();
const compactSign = () => new CompactSign(new TextEncoder().encode(JSON.stringify(minted))).setProtectedHeader({ alg: ringKey.alg, kid: ringKey.kid, typ: 'at+jwt' }).sign(ringKey.privateKey);

/** Runs `op` `count` times, `parallel` at a time (the server has many requests in flight at once). */
async function measure(label: string, parallel: number, op: () => unknown): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i += parallel) await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, op));
  const wall = Number(process.hrtime.bigint() - t0) / 1000 / count;
  const cpu = process.cpuUsage(cpu0);
  console.log(`${label.padEnd(58)} ${((cpu.user + cpu.system) / count).toFixed(1).padStart(6)} µs CPU  ${wall.toFixed(1).padStart(6)} µs wall`);
}

for (let round = 1; round <= 2; round++) {
  console.log(`round ${round} (${count} operations each; CPU = all threads of this process)`);
  await measure('agents.get (SQLite, uncached)', 1, () => core.agents.get('bench'));
  await measure('client secret verify (HMAC-SHA-256 + SQLite lookup)', 1, () => core.oauth.secrets.verify(agent, secret));
  await measure('minter.accessToken (jose SignJWT ES256, WebCrypto), 1 at a time', 1, () => core.oauth.minter.accessToken(claims));
  await measure('minter.accessToken, 50 in flight', 50, () => core.oauth.minter.accessToken(claims));
  await measure('jose CompactSign of the same claims, 50 in flight', 50, compactSign);
  await measure('node:crypto sign ES256 (sync, KeyObject)', 1, () => nodeSign('sha256', signingInput, { key: keyObject, dsaEncoding: 'ieee-p1363' }));
}
core.oauth.stop();
await core.close();
rmSync(dir, { recursive: true, force: true });
