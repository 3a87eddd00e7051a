// Error text that only a SQL parser produces, per database. Used on answers to quote-breaking
// payloads, and only counted when the same text is absent from the unmodified request's answer.
// Not listed on purpose: PostgreSQL's "invalid input syntax for type integer" — a parameterized
// query raises it too when a quote reaches an integer column, so it proves nothing.

export type SqlDatabase = 'SQLite' | 'PostgreSQL' | 'MySQL' | 'SQL Server' | 'Oracle' | 'ODBC/generic';

const SIGNATURES: ReadonlyArray<readonly [SqlDatabase, RegExp]> = [
  ['SQLite', /SQLITE_ERROR|ERR_SQLITE_ERROR|unrecognized token: |near "[^"]{0,100}": syntax error|SQLite3?::|sqlite3\.OperationalError|SQLiteException|incomplete input/],
  ['PostgreSQL', /syntax error at or near|unterminated quoted (string|identifier) at or near|PG::SyntaxError|PSQLException|org\.postgresql\.util|psycopg2?\.(errors|ProgrammingError)|pg_query\(\)|pg_exec\(\)/],
  ['MySQL', /You have an error in your SQL syntax|check the manual that (corresponds to|fits) your (MySQL|MariaDB) server version|Warning: mysql_|mysql_fetch_\w+\(|mysql_num_rows\(|mysqli?_query\(|MySqlException|com\.mysql\.(cj\.)?jdbc|ER_PARSE_ERROR/],
  ['SQL Server', /Unclosed quotation mark after the character string|Incorrect syntax near|Microsoft OLE DB Provider for SQL Server|System\.Data\.SqlClient\.SqlException/],
  ['Oracle', /ORA-0(0933|0936|1756)|quoted string not properly terminated|oracle\.jdbc/],
  ['ODBC/generic', /\[ODBC[^\]]{0,60}\]|ODBC (SQL Server )?Driver|SQLSTATE\[(42000|42601|HY000)\]|SQL syntax error|syntax error in (the )?SQL/i],
];

/** The first SQL error signature in `body`, with ~160 characters around it for the evidence. */
export function matchSqlError(body: string): { db: SqlDatabase; excerpt: string } | undefined {
  for (const [db, re] of SIGNATURES) {
    const m = re.exec(body);
    if (!m) continue;
    const from = Math.max(0, m.index - 60);
    const to = Math.min(body.length, m.index + m[0].length + 100);
    return { db, excerpt: `${from > 0 ? '…' : ''}${body.slice(from, to)}${to < body.length ? '…' : ''}` };
  }
  return undefined;
}
