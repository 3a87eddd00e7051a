import { z } from 'zod';
import { CLIENT_AUTH_METHODS } from '../core/types.ts';
import { trustedIssuerInput } from '../oauth/trusted-issuer-service.ts';
import type { Operation } from './admin-api.ts';
import { agentModel } from './api-models.ts';
import {
  agentKeyModel, clientSecretModel, issuedClientSecretModel, jwksModel, revokedTokenModel, rotatedClientSecretModel, signingKeyModel,
  signingKeyRotationModel, trustedIssuerModel,
} from './oauth-api-models.ts';

// The token service's part of the admin API table (spread into ADMIN_API). Removals are POSTs to
// `…/remove`, like the other state changes (`…/revoke`, `…/suspend`).

const noBody = z.strictObject({});
const noQuery = z.strictObject({});
const ttlDays = z.number().int().min(1).max(3650);

export const authMethodsBody = z.strictObject({
  methods: z.array(z.enum(CLIENT_AUTH_METHODS)).max(CLIENT_AUTH_METHODS.length).describe('Exactly the methods the agent may use; [] clears them'),
});
export const addAgentKeyBody = z.strictObject({
  jwk: z.record(z.string(), z.unknown()).describe('The PUBLIC JWK; private members are refused'),
  alg: z.string().min(1).max(16).optional().describe("Pinned algorithm (default: the JWK's alg)"),
  kid: z.string().min(1).max(128).optional().describe("Key id (default: the JWK's kid, else its thumbprint)"),
});
export const issueClientSecretBody = z.strictObject({ ttlDays: ttlDays.optional() });
export const rotateClientSecretBody = z.strictObject({
  overlapHours: z.number().min(0).max(720).optional().describe('How long the old secret keeps working'),
  ttlDays: ttlDays.optional(),
});

const listOf = (model: z.ZodType, key: string) => z.object({ [key]: z.array(model) });

export const OAUTH_API = {
  setAgentAuthMethods: { method: 'POST', path: '/v1/agents/{ref}/auth-methods', summary: 'Set the token-endpoint authentication methods an agent may use', query: noQuery, body: authMethodsBody, response: agentModel },
  listAgentKeys: { method: 'GET', path: '/v1/agents/{ref}/jwks', summary: "An agent's registered public keys (private_key_jwt)", query: noQuery, response: listOf(agentKeyModel, 'keys') },
  addAgentKey: { method: 'POST', path: '/v1/agents/{ref}/jwks', summary: 'Register a public key for private_key_jwt', status: 201, query: noQuery, body: addAgentKeyBody, response: agentKeyModel },
  removeAgentKey: { method: 'POST', path: '/v1/agents/{ref}/jwks/{key}/remove', summary: 'Remove a registered key (by akey_ id or kid)', query: noQuery, body: noBody, response: agentKeyModel },
  issueClientSecret: { method: 'POST', path: '/v1/agents/{ref}/client-secrets', summary: 'Issue a client secret (the plaintext is in this response only)', status: 201, query: noQuery, body: issueClientSecretBody, response: issuedClientSecretModel },
  listClientSecrets: { method: 'GET', path: '/v1/agents/{ref}/client-secrets', summary: "An agent's client secrets (never the secret or its hash)", query: noQuery, response: listOf(clientSecretModel, 'secrets') },
  rotateClientSecret: { method: 'POST', path: '/v1/client-secrets/{id}/rotate', summary: 'Rotate a client secret: a successor now, the old one for the overlap only', status: 201, query: noQuery, body: rotateClientSecretBody, response: rotatedClientSecretModel },
  revokeClientSecret: { method: 'POST', path: '/v1/client-secrets/{id}/revoke', summary: 'Revoke a client secret at once', query: noQuery, body: noBody, response: clientSecretModel },
  listIssuers: { method: 'GET', path: '/v1/issuers', summary: 'Trusted external issuers', query: noQuery, response: listOf(trustedIssuerModel, 'issuers') },
  putIssuer: { method: 'POST', path: '/v1/issuers', summary: 'Add a trusted issuer, or replace the one with the same name', query: noQuery, body: trustedIssuerInput, response: trustedIssuerModel },
  removeIssuer: { method: 'POST', path: '/v1/issuers/{name}/remove', summary: 'Remove a trusted issuer', query: noQuery, body: noBody, response: z.object({ removed: z.string() }) },
  listSigningKeys: { method: 'GET', path: '/v1/signing-keys', summary: "Gatehouse's token-signing keys (facts only, never key material)", query: noQuery, response: listOf(signingKeyModel, 'keys') },
  rotateSigningKeys: { method: 'POST', path: '/v1/signing-keys/rotate', summary: 'Rotate the signing key now (the retired key stays published until its tokens expire)', query: noQuery, body: noBody, response: signingKeyRotationModel },
  signingJwks: { method: 'GET', path: '/v1/signing-keys/jwks', summary: 'The published verification keys (the same JWKS the data plane serves)', query: noQuery, response: jwksModel },
  tokenRevocation: { method: 'GET', path: '/v1/tokens/{jti}', summary: 'Whether an access token is revoked', query: noQuery, response: z.object({ revocation: revokedTokenModel.nullable() }) },
  revokeToken: { method: 'POST', path: '/v1/tokens/{jti}/revoke', summary: 'Revoke an access token by its jti', query: noQuery, body: noBody, response: revokedTokenModel },
} as const satisfies Record<string, Operation>;
