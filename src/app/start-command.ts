import { existsSync, watch } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, parseConfig, type LoadedConfig } from '../config/load-config.ts';
import { createLogger } from '../obs/logger.ts';
import { startDemoUpstream, type DemoUpstream } from '../demo/demo-upstream.ts';
import { openLocal } from './open-local.ts';
import { startGateway } from './gateway-runtime.ts';
import { DEMO_AGENT, demoConfigInput, demoInstructions } from './demo-config.ts';
import type { LocalCore } from './open-local.ts';

/**
 * `gatehouse start`: runs the gateway until SIGINT/SIGTERM. Without a config file it runs the demo.
 * SIGHUP or a change to the config file reloads routes and policies.
 */
export async function runStart(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } }, allowPositionals: false, strict: true });
  const file = values.config ?? process.env.GATEHOUSE_CONFIG ?? (existsSync('gatehouse.yaml') ? 'gatehouse.yaml' : undefined);
  let demo: DemoUpstream | undefined;
  let loaded: LoadedConfig;
  if (file === undefined) {
    ({ demo, loaded } = await prepareDemo(process.cwd()));
  } else {
    loaded = loadConfig({ file });
  }
  const { config } = loaded;
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
  let core: LocalCore | undefined;
  try {
    core = await openLocal(loaded);
    const gw = await startGateway(core, { logger });
    logger.info({ data: gw.dataUrl, admin: gw.adminUrl, store: core.store.kind, routes: config.routes.length }, 'Gatehouse is listening');
    if (gw.newAdminToken) {
      process.stdout.write(`\n  Admin token (shown once; store it now): ${gw.newAdminToken}\n  Use it as: Authorization: Bearer <token> on ${gw.adminUrl}\n\n`);
    }
    if (demo) process.stdout.write(demoInstructions(gw.dataUrl, await demoKey(core), await demoClientSecret(core)));
    const stopWatching = file === undefined ? () => undefined : watchConfig(loaded.file!, () => gw.reload());
    const onHup = () => void gw.reload();
    process.on('SIGHUP', onHup);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    logger.info('shutting down');
    process.off('SIGHUP', onHup);
    stopWatching();
    await gw.close();
    return 0;
  } finally {
    await core?.close();
    await demo?.close();
  }
}

/** The demo's upstream and configuration (`extra` lets tests pick free ports). */
export async function prepareDemo(baseDir: string, extra: Record<string, unknown> = {}): Promise<{ demo: DemoUpstream; loaded: LoadedConfig }> {
  const demo = await startDemoUpstream({ host: '127.0.0.1', port: 0 });
  try {
    return { demo, loaded: { config: parseConfig({ ...demoConfigInput(demo.url), ...extra }, process.env), file: undefined, baseDir } };
  } catch (err) {
    await demo.close();
    throw err;
  }
}

/** Creates the demo agent on first run; every demo start issues a fresh one-day key and revokes the older ones. */
export async function demoKey(core: LocalCore): Promise<string> {
  const actor = 'demo';
  const agent = await core.agents.get(DEMO_AGENT).catch(() => core.agents.create({ name: DEMO_AGENT, owner: 'demo', description: 'read-only demo agent', labels: ['reader'], scopes: ['demo:read'] }, actor));
  for (const k of await core.keys.list(agent.id)) if (k.revokedAt === null) await core.keys.revoke(k.id, actor);
  return (await core.keys.issue(agent.id, { ttlDays: 1 }, actor)).key;
}

/** Registers the demo agent for client_secret_basic and issues a fresh one-day client secret, revoking older ones. */
export async function demoClientSecret(core: LocalCore): Promise<string> {
  const actor = 'demo';
  await core.agents.setAuthMethods(DEMO_AGENT, ['client_secret_basic', 'client_secret_post'], actor);
  for (const s of await core.oauth.secrets.list(DEMO_AGENT)) if (s.revokedAt === null) await core.oauth.secrets.revoke(s.id, actor);
  return (await core.oauth.secrets.issue(DEMO_AGENT, { ttlDays: 1 }, actor)).secret;
}

/** Debounced file watch: editors write files in several steps. */
function watchConfig(path: string, reload: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(path, { persistent: false }, () => {
    clearTimeout(timer);
    timer = setTimeout(reload, 200);
  });
  watcher.on('error', () => undefined);
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
