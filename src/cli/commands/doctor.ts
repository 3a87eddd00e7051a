import { parseCommand, UsageError, type CliContext, type CommandGroup, type Out } from '../command.ts';
import type { DoctorOptions } from '../../doctor/context.ts';

const USAGE = `Usage: gatehouse doctor [--config FILE] [--probe-data URL] [--probe-admin URL]
                        [--admin-token-env VAR] [--no-probe] [--json]

Checks a Gatehouse deployment layer by layer and prints one PASS / WARN / FAIL line per finding:
listeners on loopback or behind TLS (and answering nowhere else), the admin API refusing requests
without its token, TLS versions and certificates, routes authenticated unless explicitly public,
rate limits, the audit hash chain, secret and store file modes, demo credentials, signing-key
rotation and token lifetimes. Reads the config, its secrets and store (never writing anything) and
probes the listeners at their configured address.

  --probe-data URL       probe the data plane here (e.g. when its port is 0 or a proxy is in front)
  --probe-admin URL      probe the admin API here
  --admin-token-env VAR  env var holding the admin token, to confirm the admin API accepts it
                         (default GATEHOUSE_ADMIN_TOKEN, when set)
  --no-probe             check the configuration, files and store only; touch no listener

The probes send one unauthenticated request to the first strict route (it counts as one failed
authentication from this address) and two to the admin API. See docs/doctor.md.

Exit code 0 = no FAIL (warnings allowed), 1 = at least one FAIL, 2 = usage or configuration error.`;

/** Test seams for the doctor's network and clock. */
export type DoctorSeams = Pick<DoctorOptions, 'probes' | 'clock' | 'otherAddresses'>;

function probeUrl(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!URL.canParse(value) || !/^https?:\/\//i.test(value)) throw new UsageError(`${flag} must be an http:// or https:// URL`);
  return value;
}

/** `gatehouse doctor` */
export async function doctor(ctx: CliContext, args: string[], out: Out, seams: DoctorSeams = {}): Promise<number> {
  const a = parseCommand({
    usage: USAGE,
    options: { 'probe-data': { type: 'string' }, 'probe-admin': { type: 'string' }, 'admin-token-env': { type: 'string' }, 'no-probe': { type: 'boolean' } },
    positionals: [0, 0],
  }, args, out);
  if (!a) return 0;
  const dataUrl = probeUrl(a.values['probe-data'], '--probe-data');
  const adminUrl = probeUrl(a.values['probe-admin'], '--probe-admin');
  const tokenEnv = a.values['admin-token-env'];
  if (tokenEnv !== undefined && (ctx.env[tokenEnv] === undefined || ctx.env[tokenEnv] === '')) throw new UsageError(`--admin-token-env: ${tokenEnv} is not set`);
  const loaded = ctx.loadConfig(); // a broken config is a ConfigError: exit 2, before any probe
  // Heavy modules (store, probes) load only once the arguments are known to be good.
  const [{ createDoctorContext }, { runDoctor, exitCodeOf }, { DOCTOR_CHECKS }, { renderJson, renderText }] = await Promise.all([
    import('../../doctor/context.ts'), import('../../doctor/doctor.ts'), import('../../doctor/checks/registry.ts'), import('../../doctor/render.ts'),
  ]);
  const dctx = createDoctorContext({
    loaded, env: ctx.env, probe: a.values['no-probe'] !== true, ...seams,
    ...(dataUrl === undefined ? {} : { dataUrl }), ...(adminUrl === undefined ? {} : { adminUrl }), ...(tokenEnv === undefined ? {} : { adminTokenEnv: tokenEnv }),
  });
  let report;
  try {
    report = await runDoctor(dctx, DOCTOR_CHECKS);
  } finally {
    await dctx.close();
  }
  const tty = (out.stdout as { isTTY?: boolean }).isTTY === true;
  out.stdout.write(a.json ? renderJson(report) : renderText(report, DOCTOR_CHECKS, { colour: tty && (ctx.env.NO_COLOR ?? '') === '' }));
  return exitCodeOf(report);
}

export const doctorCommands: CommandGroup = {
  '': { needs: 'context', summary: 'verify every defensive layer of this deployment (PASS / WARN / FAIL)', run: (ctx, args, out) => doctor(ctx, args, out) },
};
