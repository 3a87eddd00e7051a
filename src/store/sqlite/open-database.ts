import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export const MEMORY_PATH = ':memory:';

/**
 * Opens (creating if needed) a SQLite database that only its owner can read: the directory is
 * created 0700 and the file 0600 *before* SQLite opens it, so there is no window in which the
 * agents, key hashes and audit log are world-readable. SQLite gives -wal/-shm the database
 * file's mode; we chmod them as well in case they pre-date us.
 */
export function openDatabase(path: string, busyTimeoutMs: number): DatabaseSync {
  const inMemory = path === MEMORY_PATH;
  if (!inMemory) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Create the file only when it is missing. Never open and close an existing database file
    // ourselves: closing any descriptor of a file drops every POSIX lock this process holds on it,
    // including the locks of SQLite connections already open here (e.g. the audit writer thread's
    // sibling). Another process would then believe it is the last connection, checkpoint and
    // delete the WAL, and this process would go on committing into an unlinked file.
    if (!existsSync(path)) {
      try {
        closeSync(openSync(path, 'wx', 0o600));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // created meanwhile: fine
      }
    }
    chmodSync(path, 0o600);
  }
  const db = new DatabaseSync(path);
  try {
    // busy_timeout first: the WAL switch itself needs a lock another process may hold.
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    if (!inMemory) db.exec('PRAGMA journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a process crash; only an OS crash
    // or power loss can lose the last commits, never corrupt the file.
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    if (!inMemory) restrictFiles(path);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** chmod 0600 the database and whichever of its WAL companions exist. */
export function restrictFiles(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}
