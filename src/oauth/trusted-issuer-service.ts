import { z } from 'zod';
import { ConfigError, notFound } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import { ASYMMETRIC_ALGS, type TrustedIssuerRecord } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import { adminAuditEntry } from '../identity/admin-audit.ts';
import { checkOutboundUrl } from '../net/outbound-policy.ts';

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** The definition an operator supplies (CLI `issuers add --file`, admin API); errors name the field. */
export const trustedIssuerInput = z.strictObject({
  name: z.string().regex(NAME, 'lowercase letters, digits, ".", "_" or "-"'),
  issuer: z.string().min(1).describe('The exact `iss` of its tokens.'),
  jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
  jwks: z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
  audience: z.string().min(1).optional(),
  algorithms: z.array(z.enum(ASYMMETRIC_ALGS)).min(1).default(['RS256', 'ES256']),
  rules: z.array(z.strictObject({ claims: z.record(z.string(), z.string().min(1)).refine((c) => Object.keys(c).length > 0, 'at least one claim'), agent: z.string().regex(NAME) })).default([]),
  subjectTokens: z.boolean().default(false),
  subjectScopes: z.array(z.string().min(1)).default([]),
  allowPrivateNetwork: z.boolean().default(false),
});
export type TrustedIssuerInput = z.input<typeof trustedIssuerInput>;

/** Trusted external issuers: add/replace, list, remove — each change audited. */
export class TrustedIssuerService {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(deps: { store: Store; clock: Clock }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  /** Validates and stores (replacing one of the same name). Throws ConfigError naming the bad field. */
  async put(input: unknown, actor: string): Promise<TrustedIssuerRecord> {
    const parsed = trustedIssuerInput.safeParse(input);
    if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
    const v = parsed.data;
    if ((v.jwksUrl === undefined) === (v.jwks === undefined)) throw new ConfigError(['jwksUrl: give exactly one of jwksUrl or jwks']);
    if (v.jwksUrl !== undefined) {
      try {
        checkOutboundUrl(v.jwksUrl, { allowPrivateNetwork: v.allowPrivateNetwork });
      } catch (err) {
        throw new ConfigError([`jwksUrl: ${(err as Error).message}`]);
      }
    }
    if (v.rules.length === 0 && !v.subjectTokens) throw new ConfigError(['rules: give mapping rules (federation) or set subjectTokens (token exchange), or both']);
    const now = this.#clock.now();
    const existing = (await this.#store.listTrustedIssuers()).find((i) => i.name === v.name);
    const rec: TrustedIssuerRecord = {
      name: v.name, issuer: v.issuer, jwksUrl: v.jwksUrl ?? null, jwks: v.jwks ?? null, audience: v.audience ?? null,
      algorithms: v.algorithms, rules: v.rules, subjectTokens: v.subjectTokens, subjectScopes: v.subjectScopes,
      allowPrivateNetwork: v.allowPrivateNetwork, createdAt: existing?.createdAt ?? now, updatedAt: Math.max(now, (existing?.updatedAt ?? 0) + 1),
    };
    await this.#store.upsertTrustedIssuer(rec);
    await this.#store.appendAudit([adminAuditEntry({ time: now, action: existing ? 'issuer.update' : 'issuer.add', actor, details: { name: rec.name, issuer: rec.issuer, rules: rec.rules.length, subjectTokens: rec.subjectTokens } })]);
    return rec;
  }

  list(): Promise<TrustedIssuerRecord[]> {
    return this.#store.listTrustedIssuers();
  }

  async remove(name: string, actor: string): Promise<void> {
    if (!(await this.#store.deleteTrustedIssuer(name))) throw notFound('issuer_not_found', `no trusted issuer "${name}"`);
    await this.#store.appendAudit([adminAuditEntry({ time: this.#clock.now(), action: 'issuer.remove', actor, details: { name } })]);
  }
}
