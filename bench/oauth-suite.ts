import type { BenchContext, Started, Target, TargetGroup } from './lib/target.ts';
import { median } from './lib/rounds.ts';
import type { Measurer, RoundOptions } from './lib/rounds.ts';
import type { OAuthRow, OAuthSection } from './lib/oauth-report.ts';
import { startGatehouseOAuth } from './targets/gatehouse.ts';
import type { OAuthBenchOptions } from './targets/gatehouse.ts';
import { startBareIssuer } from './targets/bare-issuer.ts';
import { startOidcProvider } from './targets/oidc-provider.ts';

// The token service's part of `npm run bench`: token issuance (client_credentials with
// client_secret_basic → ES256 JWT) on Gatehouse against oidc-provider configured for the same
// grant, and Gatehouse's gateway path with a JWT against the same path with an API key. One
// Gatehouse process serves both; a bare jose issuer (bench/bare-issuer.ts) is the floor. All five
// loads are interleaved round by round.

export const OAUTH_BENCH: OAuthBenchOptions = {
  resource: 'https://api.bench.test/agents',
  scope: 'read',
  // The JWT is obtained once, before the rounds: it must outlive them (the maximum Gatehouse allows).
  ttlSeconds: 3600,
};

type Key = 'gatehouseIssuance' | 'oidcIssuance' | 'bareIssuance' | 'apiKey' | 'jwt';

async function startOrSkip(name: string, start: () => Promise<Started>): Promise<Started> {
  let started: Started;
  try {
    started = await start();
  } catch (err) {
    started = { ok: false, name, reason: `failed to start: ${(err as Error).message.split('\n')[0]}` };
  }
  if (!started.ok) console.error(`skipping ${started.name}: ${started.reason}`);
  return started;
}

/** Start the token-service targets, measure them in interleaved rounds, stop them. */
export async function runOAuthSuite(ctx: BenchContext, measurer: Measurer, o: RoundOptions): Promise<OAuthSection> {
  let group: TargetGroup | string;
  try {
    group = await startGatehouseOAuth(ctx, OAUTH_BENCH);
  } catch (err) {
    group = `failed to start: ${(err as Error).message.split('\n')[0]}`;
  }
  const oidc = await startOrSkip('oidc-provider /token', () => startOidcProvider(ctx, OAUTH_BENCH));
  const bare = await startOrSkip('bare jose issuer (floor)', () => startBareIssuer(ctx, OAUTH_BENCH));
  if (typeof group === 'string') console.error(`skipping Gatehouse (token service): ${group}`);

  const targets: Partial<Record<Key, Target>> = {};
  if (typeof group !== 'string') Object.assign(targets, { gatehouseIssuance: group.targets.issuance, apiKey: group.targets.apiKey, jwt: group.targets.jwt });
  if (oidc.ok) targets.oidcIssuance = oidc.target;
  if (bare.ok) targets.bareIssuance = bare.target;
  // Order within a round: other servers' runs separate Gatehouse's issuance run (whose audit
  // records the writer thread may still be flushing) from its gateway runs. Every other round
  // runs in reverse, so that no target always follows the same one.
  const order: Key[] = ['gatehouseIssuance', 'oidcIssuance', 'bareIssuance', 'apiKey', 'jwt'];
  const live = order.map((k) => targets[k]).filter((t): t is Target => t !== undefined);
  const results = await measurer.interleave(live, { ...o, alternate: true });
  if (typeof group !== 'string') await group.stop();
  for (const started of [oidc, bare]) if (started.ok) await started.target.stop();

  const make = (k: Key, name: string, whyMissing: string): OAuthRow => {
    const t = targets[k];
    if (!t) return { name, notes: [], skipped: whyMissing, rounds: [] };
    const failed = measurer.failed.get(t);
    if (failed) return { name: t.name, notes: t.notes, skipped: failed, rounds: [] };
    const runs = results.get(t) ?? [];
    return { name: t.name, notes: t.notes, result: median(runs), rounds: runs };
  };
  const ghMissing = typeof group === 'string' ? group : '';
  return {
    rounds: o.rounds,
    durationSec: o.durationSec,
    roundWarmupSec: o.roundWarmupSec ?? 0,
    gatehouseIssuance: make('gatehouseIssuance', 'Gatehouse /oauth/token', ghMissing),
    oidcIssuance: make('oidcIssuance', 'oidc-provider /token', oidc.ok ? '' : oidc.reason),
    bareIssuance: make('bareIssuance', 'bare jose issuer (floor)', bare.ok ? '' : bare.reason),
    apiKey: make('apiKey', 'Gatehouse, API key', ghMissing),
    jwt: make('jwt', 'Gatehouse, JWT', ghMissing),
  };
}
