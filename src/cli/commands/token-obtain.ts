import { decodeJwt } from 'jose';
import { badRequest, GatehouseError } from '../../core/errors.ts';
import { parseCommand, UsageError, type CliContext, type Out } from '../command.ts';
import { clean, printJson } from '../format.ts';
import { readTextFile } from '../read-input.ts';
import { clientAssertion, discoverTokenEndpoint, formEncode, jsonBody, request } from '../token-client.ts';

export const TOKEN_USAGE = `Usage: gatehouse token --url URL --client NAME (--secret-env VAR | --secret-file FILE | --key FILE.jwk)
                       [--auth-method client_secret_basic|client_secret_post] [--kid KID] [--alg ALG]
                       [--scope S]... [--resource URI] [--json]
       gatehouse token inspect TOKEN|- [--jwks URL] [--json]
       gatehouse token revoke JTI [--json]

Obtains an access token from a running Gatehouse (client_credentials), for testing. The token
endpoint is discovered from URL's /.well-known/oauth-authorization-server metadata. The token alone
goes to stdout: TOKEN=$(gatehouse token --url … --client bot --secret-env BOT_SECRET)

  --url URL            the data-plane URL (the issuer)
  --client NAME        the agent (client_id)
  --secret-env VAR     the client secret is in environment variable VAR
  --secret-file FILE   the client secret is in FILE
  --auth-method M      how to send the secret: client_secret_basic (default) or client_secret_post
  --key FILE.jwk       private_key_jwt: sign the client assertion with this PRIVATE JWK
  --kid KID, --alg ALG the assertion's key id and algorithm (default: the JWK's kid and alg)
  --scope S            a scope to request (repeatable; default: all the agent may have)
  --resource URI       the resource (token audience) to request
  --json               print the whole token response

A secret is never accepted as a command-line argument: it would land in shell history and ps.`;

/** Seams for tests. */
export interface TokenDeps {
  fetch?: typeof fetch;
}

const TIMEOUT_MS = 30_000;

type Options = { url?: string; client?: string; 'secret-env'?: string; 'secret-file'?: string; 'auth-method'?: string; key?: string; kid?: string; alg?: string; scope?: string[]; resource?: string };

/** `token --url URL --client NAME …`: client_credentials against a running gateway. */
export async function tokenObtain(ctx: Pick<CliContext, 'cwd' | 'env' | 'signal'>, args: string[], out: Out, deps: TokenDeps = {}): Promise<number> {
  const a = parseCommand({
    usage: TOKEN_USAGE,
    options: {
      url: { type: 'string' }, client: { type: 'string' }, 'secret-env': { type: 'string' }, 'secret-file': { type: 'string' }, 'auth-method': { type: 'string' },
      key: { type: 'string' }, kid: { type: 'string' }, alg: { type: 'string' }, scope: { type: 'string', multiple: true }, resource: { type: 'string' },
    },
    positionals: [0, 0],
  }, args, out);
  if (!a) return 0;
  const v: Options = a.values;
  if (v.url === undefined || v.client === undefined) throw new UsageError('--url URL and --client NAME are required');
  const sources = [v['secret-env'], v['secret-file'], v.key].filter((s) => s !== undefined).length;
  if (sources !== 1) throw new UsageError('give exactly one of --secret-env VAR, --secret-file FILE or --key FILE.jwk');
  const base = parseBaseUrl(v.url);
  if (base.protocol === 'http:' && !isLoopback(base.hostname)) out.stderr.write(`warning: ${base.origin} is plain http; the credential travels unencrypted\n`);
  const doFetch = deps.fetch ?? fetch;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(TIMEOUT_MS)]);
  const endpoint = await discoverTokenEndpoint(base, doFetch, signal, out);
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (v.scope !== undefined) form.set('scope', v.scope.join(' '));
  if (v.resource !== undefined) form.set('resource', v.resource);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (v.key !== undefined) {
    form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    form.set('client_assertion', await clientAssertion(ctx.cwd, v.key, v, v.client, endpoint));
  } else {
    const secret = readSecret(ctx, v);
    const method = v['auth-method'] ?? 'client_secret_basic';
    if (method === 'client_secret_basic') headers.authorization = `Basic ${Buffer.from(`${formEncode(v.client)}:${formEncode(secret)}`).toString('base64')}`;
    else if (method === 'client_secret_post') {
      form.set('client_id', v.client);
      form.set('client_secret', secret);
    } else throw new UsageError('--auth-method must be client_secret_basic or client_secret_post');
  }
  // redirect: 'manual': a credential is never replayed to wherever a redirect points.
  const res = await request(() => doFetch(endpoint, { method: 'POST', headers, body: form.toString(), redirect: 'manual', signal }), endpoint);
  const body = await jsonBody(res, endpoint);
  if (!res.ok || typeof body.access_token !== 'string') {
    const what = typeof body.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? ` (${body.error_description})` : ''}` : `HTTP ${res.status}`;
    throw new GatehouseError('token_request_failed', 400, `the token endpoint refused: ${clean(what)}`, { expose: true });
  }
  if (a.json) {
    printJson(out, body);
    return 0;
  }
  out.stdout.write(`${body.access_token}\n`);
  out.stderr.write(`Access token for ${clean(v.client)}: scope "${clean(String(body.scope ?? ''))}", expires in ${String(body.expires_in ?? '?')} s${jtiOf(body.access_token)}.\n`);
  return 0;
}

function parseBaseUrl(raw: string): URL {
  if (!URL.canParse(raw) || !/^https?:\/\//i.test(raw)) throw new UsageError(`--url "${raw}" must be an http:// or https:// URL`);
  const url = new URL(raw);
  url.search = '';
  url.hash = '';
  return url;
}

const isLoopback = (host: string): boolean => host === 'localhost' || host === '[::1]' || /^127\./.test(host);

function readSecret(ctx: Pick<CliContext, 'cwd' | 'env'>, v: Options): string {
  if (v['secret-env'] !== undefined) {
    const secret = ctx.env[v['secret-env']];
    if (secret === undefined || secret === '') throw new UsageError(`environment variable ${v['secret-env']} is not set`);
    return secret.trim();
  }
  const secret = readTextFile(ctx.cwd, v['secret-file']!, 'secret').trim();
  if (secret === '') throw badRequest('file_invalid', `secret file ${v['secret-file']} is empty`);
  return secret;
}

function jtiOf(token: string): string {
  try {
    const { jti } = decodeJwt(token);
    return typeof jti === 'string' ? `, jti ${clean(jti)}` : '';
  } catch {
    return '';
  }
}
