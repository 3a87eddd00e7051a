import type { LoadedConfig } from '../config/load-config.ts';
import type { Secret } from '../core/secret.ts';
import type { Store } from '../store/store.ts';
import type { Probes } from './probe.ts';

/**
 * `gatehouse doctor`'s vocabulary (issue 4). The doctor runs every check listed in
 * checks/registry.ts against one deployment — its config file, its store and secrets (read-only),
 * and its listeners (probed over the network) — and prints one PASS / WARN / FAIL line per finding.
 */

export type DoctorStatus = 'pass' | 'warn' | 'fail';

/** One line of the report. `message` is the line; `detail` says why it matters and how to fix it. */
export interface CheckResult {
  status: DoctorStatus;
  message: string;
  detail?: string;
}

/** One check: a file in checks/, listed in checks/registry.ts. A check that throws is reported as FAIL. */
export interface DoctorCheck {
  /** Stable id (`listeners`, `audit-chain` …), used in --json output. */
  id: string;
  /** Section heading in the text report. */
  title: string;
  run(ctx: DoctorContext): Promise<CheckResult[]> | CheckResult[];
}

export type ListenerName = 'data' | 'admin';

/** Where a listener is probed, or why it is not. */
export type ProbeTarget = { url: URL } | { skip: string };

/** The parts of the store the doctor reads. It never writes, migrates or creates anything. */
export type DoctorStore = Pick<Store, 'kind' | 'listAgents' | 'listApiKeys' | 'listClientSecrets' | 'listSigningKeys' | 'scanAudit' | 'getAuditHead' | 'close'>;

/** A secret as the doctor found it: the value, or why it is unavailable. */
export type SecretLookup = { ok: true; secret: Secret; source: 'env' | 'file' } | { ok: false; reason: string };

/** Something a check needs that could not be opened, with the reason (reported once, by the check that owns it). */
export type Opened<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Everything a check may look at. Built by context.ts; tests build it with fakes where useful. */
export interface DoctorContext {
  loaded: LoadedConfig;
  env: NodeJS.ProcessEnv;
  now(): number;
  /** Per listener: the URL to probe, or why it is not probed (--no-probe, port 0 …). */
  targets: Record<ListenerName, ProbeTarget>;
  /** The admin token to confirm the admin API accepts (from --admin-token-env), if one was given. */
  adminToken: { envName: string; value: string } | undefined;
  probes: Probes;
  /** Local non-loopback addresses, for "answers only on loopback" probes. */
  otherAddresses(): string[];
  /** GATEHOUSE_SERVER_SECRET or secrets.serverSecretFile, read (never created). */
  serverSecret(): SecretLookup;
  /** GATEHOUSE_MASTER_KEY or secrets.masterKeyFile, read (never created). */
  masterKey(): SecretLookup;
  /** The store, opened read-only on first use and shared by every check. */
  store(): Promise<Opened<DoctorStore>>;
}
