import { z } from 'zod';
import { ASYMMETRIC_ALGS, type AgentKeyRecord, type RevokedTokenRecord, type TrustedIssuerRecord } from '../core/types.ts';
import type { ClientSecretView } from '../oauth/client-secret-service.ts';
import type { KeyRing } from '../oauth/signing-keys.ts';
import type { SigningKeyRotation, SigningKeyView } from './oauth-admin-ops.ts';

// Response shapes of the token service's admin operations, for the OpenAPI document. As in
// api-models.ts, the `Same` checks at the bottom fail the type-check when a domain type drifts.

const epochMs = z.number().int().describe('Epoch milliseconds');

export const agentKeyModel = z.object({
  id: z.string().describe('akey_…'), agentId: z.string(), kid: z.string(), alg: z.enum(ASYMMETRIC_ALGS).describe('Pinned at registration'),
  jwk: z.record(z.string(), z.unknown()).describe('The public JWK (never private members)'),
  thumbprint: z.string().describe('RFC 7638 SHA-256 thumbprint'), createdAt: epochMs, revokedAt: epochMs.nullable(),
});

export const clientSecretModel = z.object({
  id: z.string().describe('cs_…'), agentId: z.string(), hint: z.string().describe('First characters only; never the secret'),
  createdAt: epochMs, expiresAt: epochMs, revokedAt: epochMs.nullable(), replacedBy: z.string().nullable(),
});

export const issuedClientSecretModel = z.object({
  secret: z.string().describe('The plaintext client secret. Returned exactly once; store it now.'),
  record: clientSecretModel,
});

export const rotatedClientSecretModel = issuedClientSecretModel.extend({ previous: clientSecretModel });

export const trustedIssuerModel = z.object({
  name: z.string(), issuer: z.string(), jwksUrl: z.string().nullable(), jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
  audience: z.string().nullable(), algorithms: z.array(z.enum(ASYMMETRIC_ALGS)),
  rules: z.array(z.object({ claims: z.record(z.string(), z.string()), agent: z.string() })),
  subjectTokens: z.boolean(), subjectScopes: z.array(z.string()), allowPrivateNetwork: z.boolean(), createdAt: epochMs, updatedAt: epochMs,
});

export const signingKeyModel = z.object({
  kid: z.string(), alg: z.enum(['ES256', 'EdDSA']), state: z.enum(['next', 'active', 'retired']),
  createdAt: epochMs, activatedAt: epochMs.nullable(), expiresAt: epochMs.nullable().describe('When a retired key leaves the JWKS'),
});

export const signingKeyRotationModel = z.object({
  rotated: z.boolean().describe('False when another instance rotated at the same moment'),
  previousKid: z.string().nullable(), activeKid: z.string().nullable(), keys: z.array(signingKeyModel),
});

export const jwksModel = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

export const revokedTokenModel = z.object({
  jti: z.string(), agentId: z.string().nullable(), expiresAt: epochMs.describe('The revocation is kept until then'), revokedAt: epochMs,
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const drift = <T extends true>(_: T): void => undefined;
drift<Same<z.infer<typeof agentKeyModel>, AgentKeyRecord>>(true);
drift<Same<z.infer<typeof clientSecretModel>, ClientSecretView>>(true);
drift<Same<z.infer<typeof trustedIssuerModel>, TrustedIssuerRecord>>(true);
drift<Same<z.infer<typeof signingKeyModel>, SigningKeyView>>(true);
drift<Same<z.infer<typeof signingKeyRotationModel>, SigningKeyRotation>>(true);
drift<Same<z.infer<typeof revokedTokenModel>, RevokedTokenRecord>>(true);
drift<Same<SigningKeyView, ReturnType<KeyRing['describe']>[number]>>(true);
