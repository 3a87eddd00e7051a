import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { runChild, startChild, waitForHttp } from '../lib/children.ts';
import { freePort } from '../lib/ports.ts';
import { BENCH_PATH } from '../lib/target.ts';
import type { BenchContext, Started } from '../lib/target.ts';
import { nginxConf } from './nginx-conf.ts';

// nginx with auth_basic, as in the article. The password hash scheme matters a lot for nginx's
// cost per request (it checks the hash on every request, uncached), so two variants run:
//   apr1  — what `htpasswd -c` writes by default (the article's command): 1000 MD5 rounds;
//   {SHA} — a single SHA-1, the cheapest scheme nginx accepts.

export type HashScheme = 'apr1' | 'sha';

const USER = 'admin';
const PASSWORD = 'bench-password';

/** Path of the nginx binary, if installed (PATH first, then the usual sbin directories). */
export function findNginx(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'];
  return dirs.filter((d) => d.startsWith('/')).map((d) => join(d, 'nginx')).find((p) => existsSync(p));
}

async function htpasswdLine(scheme: HashScheme): Promise<string> {
  if (scheme === 'sha') return `${USER}:{SHA}${createHash('sha1').update(PASSWORD).digest('base64')}`;
  const { stdout } = await runChild('openssl passwd', 'openssl', ['passwd', '-apr1', PASSWORD]);
  return `${USER}:${stdout.trim()}`;
}

/** Start nginx (one worker) in front of the upstream with auth_basic + limit_req. */
export async function startNginx(ctx: BenchContext, scheme: HashScheme): Promise<Started> {
  const name = `nginx auth_basic ${scheme === 'apr1' ? 'apr1' : '{SHA}'}`;
  const bin = findNginx();
  if (!bin) return { ok: false, name, reason: 'nginx not installed (apt-get install -y nginx to include it)' };

  const prefix = join(ctx.tmpDir, `nginx-${scheme}`);
  await mkdir(prefix, { recursive: true });
  const htpasswdFile = join(prefix, 'htpasswd');
  try {
    await writeFile(htpasswdFile, (await htpasswdLine(scheme)) + '\n');
  } catch (err) {
    return { ok: false, name, reason: `cannot create an ${scheme} hash: ${(err as Error).message.split('\n')[0]}` };
  }
  const port = await freePort();
  const runAsRoot = process.getuid?.() === 0;
  const upstreamPort = Number(new URL(ctx.upstreamUrl).port);
  await writeFile(join(prefix, 'nginx.conf'), nginxConf({ prefix, port, upstreamPort, htpasswdFile, runAsRoot }));

  const { stderr } = await runChild('nginx -v', bin, ['-v']);
  const child = startChild(name, bin, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')]);
  const url = `http://127.0.0.1:${port}${BENCH_PATH}`;
  const headers = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
  await waitForHttp(url, child, { status: 401 }); // proves auth_basic is on
  await waitForHttp(url, child, { headers });
  const version = stderr.trim().replace(/^nginx version: /, '');
  const hashNote = scheme === 'apr1' ? 'apr1 hash (htpasswd default, as in the article)' : '{SHA} hash (cheapest)';
  return {
    ok: true,
    target: { name, url, headers, notes: [`${version}, worker_processes 1`, hashNote, 'limit_req + upstream keepalive'], pid: child.pid, stop: () => child.stop() },
  };
}
