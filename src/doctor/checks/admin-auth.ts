import { generateAdminToken } from '../../admin/admin-token.ts';
import { fail, pass, warn } from '../result.ts';
import type { CheckResult, DoctorCheck } from '../types.ts';

/** An endpoint that needs the admin token (the health probes are the only public ones). */
const PROTECTED = '/v1/agents';
const FIX = 'The admin API must answer 401 without a valid admin token. Make sure this port is Gatehouse\'s admin listener and not something in front of it that answers itself.';

/** Judges an admin API probe made `what` (without a token, with a wrong one): only 401 is right. */
export function judgeAdmin(what: string, status: number): CheckResult {
  if (status === 401) return pass(`admin API refused a request ${what} (GET ${PROTECTED} → 401)`);
  return fail(`admin API answered ${status} ${what}`, FIX);
}

/** The article's "requires authentication" test for the admin API: no token, then a wrong one; optionally the real one. */
export const adminAuthCheck: DoctorCheck = {
  id: 'admin-auth',
  title: 'Admin API: not reachable without the token',
  async run(ctx) {
    const target = ctx.targets.admin;
    if ('skip' in target) return []; // the listeners check already says why
    const url = new URL(target.url);
    url.pathname = PROTECTED;
    const bare = await ctx.probes.http(url);
    if ('error' in bare) return [warn(`admin API could not be reached at ${target.url.origin} (${bare.error}): token enforcement not verified`)];
    const results = [judgeAdmin('without a token', bare.status)];
    // A well-formed token that was never issued: only a real check of the stored hash refuses it.
    const wrong = await ctx.probes.http(url, { headers: { authorization: `Bearer ${generateAdminToken()}` } });
    results.push('error' in wrong ? warn(`admin API probe with a wrong token failed (${wrong.error})`) : judgeAdmin('with a wrong token', wrong.status));
    if (ctx.adminToken) {
      const { envName, value } = ctx.adminToken;
      const real = await ctx.probes.http(url, { headers: { authorization: `Bearer ${value}` } });
      if ('error' in real) results.push(warn(`admin API probe with the token from ${envName} failed (${real.error})`));
      else if (real.status === 200) results.push(pass(`admin API accepted the token from ${envName}`));
      else results.push(warn(`admin API answered ${real.status} to the token from ${envName}`, 'The token was reset (gatehouse admin-token reset), or this is another deployment\'s admin API.'));
    }
    return results;
  },
};
