import { findSecrets } from './secret-patterns.ts';

/** What an error response gave away. */
export interface ErrorLeak {
  kind: 'sql' | 'secret' | 'stack' | 'debug-page' | 'internal-path';
  /** e.g. "Node.js stack trace", "SQL error text (SQLite)". */
  label: string;
  /** Offset of the first match in the body (for the evidence excerpt). */
  at: number;
}

type Signature = [ErrorLeak['kind'], string, RegExp];

// Bodies are often JSON, so a stack's newlines arrive as the two characters `\n`: no pattern
// relies on a real line break. Each signature is specific enough that our own payloads
// (quotes, %00, garbage ids), echoed back, cannot match it. Every repetition is bounded: bodies
// are hostile (up to 64 KiB) and must not make a pattern backtrack for long.
const SIGNATURES: Signature[] = [
  ['sql', 'SQL error text (SQLite)', /SQLITE_[A-Z]+|sqlite3?\.\w*Error|unrecognized token: |near "[^"]{0,200}": syntax error|no such (?:table|column): /],
  ['sql', 'SQL error text (PostgreSQL)', /syntax error at or near|unterminated quoted string at or near|PSQLException|pg_query\(\)|(?:relation|column) "[^"]{1,200}" does not exist|invalid input syntax for (?:type|integer)/],
  ['sql', 'SQL error text (MySQL)', /You have an error in your SQL syntax|SQLSTATE\[|ER_PARSE_ERROR|mysqli?_\w+\(\)|MySqlException/],
  ['sql', 'SQL error text (SQL Server / Oracle)', /Unclosed quotation mark after the character string|SqlException|\bORA-\d{5}\b/],
  ['sql', 'SQL query text', /\b(?:SELECT\s[^;]{1,200}?\sFROM|INSERT\s+INTO|UPDATE\s+[\w"`[\].]+\s+SET|DELETE\s+FROM)\s/],
  ['stack', 'Node.js stack trace', /\bat (?:async )?(?:[\w$.<>[\] ]{1,200} )?\(?(?:file:\/\/\/?|\/|[A-Za-z]:\\{1,2}|node:)[^\s()"']{0,300}:\d+:\d+\)?/],
  ['stack', 'Python traceback', /Traceback \(most recent call last\)|File \\?"[^"\\]{1,300}\\?", line \d+, in /],
  ['stack', 'Java stack trace', /\bat (?:[a-zA-Z_$][\w$]{0,100}\.){1,30}[\w$<>]{1,100}\([\w$]{1,100}\.(?:java|kt|scala|groovy):\d+\)|\b(?:java|javax|jakarta)\.(?:\w{1,60}\.){1,10}\w{0,60}(?:Exception|Error)\b/],
  ['stack', '.NET stack trace', /\bat [\w.`<>]{1,200}\([^)]{0,300}\) in [^\n"]{1,300}:line \d+|\bSystem\.(?:\w{1,60}\.){0,10}\w{0,60}Exception\b|Server Error in '[^']*' Application/],
  ['stack', 'PHP error', /(?:PHP )?(?:Fatal|Parse) error:|Uncaught \w*(?:Exception|Error)|Stack trace:(?:\s|\\n)*#0 /],
  ['stack', 'Ruby backtrace', /\.rb:\d+:in [`']/],
  ['stack', 'Go panic', /goroutine \d+ \[running\]|panic: runtime error/],
  ['debug-page', 'framework debug page', /DEBUG = True|Werkzeug Debugger|The debugger caught an exception|Whoops, looks like something went wrong|Action Controller: Exception caught|Whitelabel Error Page[\s\S]{0,2000}Exception/],
  ['internal-path', 'internal file path', /(?:^|[\s"'(=:>])(?:\/(?:home|Users)\/[\w.-]+\/|\/usr\/src\/app\b|\/var\/www\/|\/srv\/[\w.-]+\/|\/opt\/[\w.-]+\/|\/app\/(?:src|lib|dist|node_modules)\/|[A-Za-z]:\\{1,2}(?:Users|inetpub|Program Files|app|src|www|projects?)\\)/],
];

/**
 * What an error response leaks. Stack traces, debug pages and SQL error text count in any status
 * (some apps answer errors with 200); query text, internal paths and secrets only in error
 * statuses — a 200 may return saved queries, file names or (the secrets check's business) keys.
 */
export function detectErrorLeaks(status: number, body: string): ErrorLeak[] {
  const leaks: ErrorLeak[] = [];
  for (const [kind, label, re] of SIGNATURES) {
    if (status < 400 && (kind === 'internal-path' || label === 'SQL query text')) continue;
    if (leaks.some((l) => l.label === label)) continue;
    const m = re.exec(body);
    if (m) leaks.push({ kind, label, at: m.index });
  }
  const secrets = status >= 400 ? findSecrets(body, 5) : [];
  if (secrets.length) leaks.push({ kind: 'secret', label: `secrets (${[...new Set(secrets.map((s) => s.kind))].join(', ')})`, at: 0 });
  return leaks;
}

/** SQL text or secrets → high; a stack trace or debug page → medium; only an internal path → low. */
export function leakSeverity(leaks: readonly ErrorLeak[]): 'high' | 'medium' | 'low' | undefined {
  if (leaks.length === 0) return undefined;
  if (leaks.some((l) => l.kind === 'sql' || l.kind === 'secret')) return 'high';
  if (leaks.some((l) => l.kind === 'stack' || l.kind === 'debug-page')) return 'medium';
  return 'low';
}
