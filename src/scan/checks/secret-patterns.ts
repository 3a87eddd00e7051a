import { decodeJwt } from 'jose';
import { API_KEY_PATTERN, CLIENT_SECRET_PATTERN } from '../../core/api-key-format.ts';

/** A secret found in a response. Only the redacted form ever leaves this module. */
export interface SecretHit {
  /** What it is, e.g. "AWS access key id". */
  kind: string;
  severity: 'critical' | 'high';
  /** A short prefix and `…` (never more than a quarter of the value). */
  redacted: string;
}

interface Pattern {
  kind: string;
  severity: SecretHit['severity'];
  re: RegExp;
  /** Index of the capture group holding the secret value (0 = the whole match). */
  group?: number;
  keep: number;
  /** Extra confirmation that the match really is one (cuts false positives). */
  confirm?: (value: string) => boolean;
  /** A custom redacted rendering of the whole match. */
  show?: (m: RegExpExecArray) => string;
  /** A PEM header: the key material follows it up to `-----END`. */
  pem?: boolean;
  /** A `name: value` pair: m[1] is the field name, which must name a credential. */
  field?: boolean;
}

const isJwt = (v: string): boolean => {
  try {
    decodeJwt(v);
    return true;
  } catch {
    return false;
  }
};

// Placeholders and documentation values are not leaks: `"password": "string"` in an OpenAPI example,
// `"secret": "[REDACTED]"`, `API_KEY=${API_KEY}`, `"token": "<your token>"`, or our own `hu…`.
const PLACEHOLDER = /^(?:[*x•.#-]+|\[?redacted\]?|<[^>]*>|\$\{.*\}|\{\{.*\}\}|null|none|undefined|true|false|string|example|your[_-].*|\.\.\.|.{0,8}…)$/i;

// Field names whose value is a credential: the name must END in one of these words (`db_password`,
// `client_secret`, `openaiApiKey`), so `forgot_password_url` or `password_policy` do not count.
const SECRET_NAME = /(?:^|_)(?:password|passwd|pwd|password_hash|secret|client_secret|secret_key|api_?key|api_token|access_token|refresh_token|auth_token|id_token|bearer_token|session_token|private_key)$/;
const snake = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[-.]/g, '_').toLowerCase();
const secretField = (name: string, value: string): boolean => SECRET_NAME.test(snake(name)) && !PLACEHOLDER.test(value.trim());

const global = (re: RegExp): RegExp => new RegExp(re.source, 'g');

const PATTERNS: Pattern[] = [
  { kind: 'private key (PEM)', severity: 'critical', re: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----/g, keep: 0, pem: true, show: (m) => `-----BEGIN ${m[1] ?? ''}PRIVATE KEY-----…` },
  { kind: 'AWS access key id', severity: 'critical', re: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, keep: 4 },
  { kind: 'AWS secret access key', severity: 'critical', re: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi, group: 1, keep: 4 },
  { kind: 'Gatehouse API key (gth_…)', severity: 'high', re: global(API_KEY_PATTERN), keep: 6 },
  { kind: 'Gatehouse client secret (gcs_…)', severity: 'high', re: global(CLIENT_SECRET_PATTERN), keep: 6 },
  { kind: 'API key (sk-…)', severity: 'high', re: /\b(?:sk|rk)[-_](?:live_|test_)?[A-Za-z0-9_-]{16,}/g, keep: 6 },
  { kind: 'GitHub token', severity: 'high', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g, keep: 6 },
  { kind: 'Slack token', severity: 'high', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, keep: 6 },
  { kind: 'Google API key', severity: 'high', re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, keep: 6 },
  { kind: 'JWT', severity: 'high', re: /\beyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{16,}/g, keep: 8, confirm: isJwt },
  {
    kind: 'connection string with password', severity: 'high', re: /\b([a-z][a-z0-9+.-]{1,20}):\/\/([^\s:@/"'<>]{1,64}):([^\s@/"'<>]{1,128})@([^\s"'<>/]+)/gi, group: 3, keep: 0,
    confirm: (pw) => !PLACEHOLDER.test(pw), show: (m) => `${m[1]}://${m[2]}:…@${m[4]}`,
  },
  // `"db_password": "…"` in JSON, then `DB_PASSWORD=…` / `password: …` in text; m[1] is the name.
  { kind: 'password or secret field', severity: 'high', field: true, re: /"([A-Za-z0-9_.-]{1,64})"\s*:\s*"((?:[^"\\]|\\.){1,512})"/g, group: 2, keep: 2 },
  { kind: 'password or secret field', severity: 'high', field: true, re: /(?:^|[\s,;{(&?])([A-Za-z][A-Za-z0-9_.-]{0,63})\s*[=:]\s*["']?([^\s"',;&]{1,256})/gm, group: 2, keep: 2 },
];

/** `sk-test-abcdef…` → `sk-tes…`: at most `keep` characters and never more than a quarter of the value. */
export function redactValue(value: string, keep: number): string {
  return `${value.slice(0, Math.min(keep, Math.floor(value.length / 4)))}…`;
}

interface Located {
  hit: SecretHit;
  start: number;
  end: number;
  /** What replaces text[start, end) in a redacted copy. */
  replacement: string;
}

function locate(text: string, max: number): Located[] {
  const found: Located[] = [];
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(text); m && found.length < max; m = p.re.exec(text)) {
      const value = m[p.group ?? 0] ?? '';
      const start = m.index + m[0].lastIndexOf(value);
      const end = start + value.length;
      if (found.some((f) => start < f.end && end > f.start)) continue;
      if (p.field ? !secretField(m[1] ?? '', value) : p.confirm && !p.confirm(value)) continue;
      const hit = { kind: p.field ? `${p.kind} "${m[1]}"` : p.kind, severity: p.severity, redacted: p.show ? p.show(m) : redactValue(value, p.keep) };
      // A PEM header is followed by the key material itself: the redacted copy drops it up to END.
      const pemEnd = p.pem ? text.indexOf('-----END', end) : -1;
      found.push({ hit, start, end: pemEnd < 0 ? end : pemEnd, replacement: p.pem ? '[PRIVATE KEY redacted]' : redactValue(value, p.keep) });
    }
  }
  return found;
}

/**
 * Every distinct secret in `text` (at most `max`), most specific pattern first: a value already
 * recognised (an `sk-…` key) is not reported again as the secret field that holds it.
 */
export function findSecrets(text: string, max = 20): SecretHit[] {
  const seen = new Set<string>();
  return locate(text, max)
    .filter((l) => {
      const key = text.slice(l.start, l.end);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((l) => l.hit);
}

/** `text` with every secret `findSecrets` would report cut down to its redacted prefix. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const l of locate(text, 200).sort((a, b) => b.start - a.start)) out = out.slice(0, l.start) + l.replacement + out.slice(l.end);
  return out;
}
