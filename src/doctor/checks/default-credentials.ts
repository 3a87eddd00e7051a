import { DEMO_AGENT } from '../../app/demo-config.ts';
import { count, fail, pass, warn } from '../result.ts';
import type { CheckResult, DoctorCheck } from '../types.ts';

const live = (c: { revokedAt: number | null; expiresAt: number }, now: number): boolean => c.revokedAt === null && c.expiresAt > now;

/** Demo mode off, and the demo agent (created by `npm start` without a config) gone or holding no live credential. */
export const defaultCredentialsCheck: DoctorCheck = {
  id: 'default-credentials',
  title: 'Demo and default credentials',
  async run(ctx) {
    const out: CheckResult[] = [];
    if (ctx.loaded.config.demo) {
      out.push(fail('demo mode is on (demo: true): demo credentials left', 'Demo mode creates the demo agent and prints a fresh key at every start. Remove `demo: true` from the config.'));
    }
    const store = await ctx.store();
    if (!store.ok) return [...out, warn(`demo agent not checked: ${store.reason}`)];
    const agent = (await store.value.listAgents()).find((a) => a.name === DEMO_AGENT);
    if (!agent) return [...out, pass(`no demo agent ("${DEMO_AGENT}")`)];
    if (agent.status === 'revoked') return [...out, pass(`demo agent "${DEMO_AGENT}" is revoked`)];
    const now = ctx.now();
    const keys = (await store.value.listApiKeys(agent.id)).filter((k) => live(k, now)).length;
    const secrets = (await store.value.listClientSecrets(agent.id)).filter((s) => live(s, now)).length;
    const fix = `gatehouse agents revoke ${DEMO_AGENT} (its keys were printed on a terminal and may be in shell histories and logs).`;
    if (keys + secrets > 0) {
      const held = [keys > 0 ? count(keys, 'live API key') : '', secrets > 0 ? count(secrets, 'live client secret') : ''].filter(Boolean).join(' and ');
      out.push(fail(`demo credentials left: agent "${DEMO_AGENT}" (${agent.status}) has ${held}`, fix));
    } else {
      out.push(warn(`demo agent "${DEMO_AGENT}" still exists (${agent.status}, no live credentials)`, fix));
    }
    return out;
  },
};
