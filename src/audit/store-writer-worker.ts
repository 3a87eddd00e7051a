import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/open-store.ts';
import type { AuditEntry } from '../core/types.ts';

// The background writer thread: its own connection to the same database, so hashing the audit
// chain, inserting, last-used updates and SQLite's WAL checkpoints (fsync) never block the request
// thread. (node:sqlite is synchronous: a write on the request thread that meets this thread's
// write lock would sleep in SQLite's busy handler with the whole event loop.)
const { url, baseDir, auditSealKey } = workerData as { url: string; baseDir: string; auditSealKey?: string };
const store = await openStore(url, { baseDir, ...(auditSealKey === undefined ? {} : { auditSealKey }) });

type Message =
  | { id: number; op: 'appendAudit'; entries: string } // JSON text of AuditEntry[]
  | { id: number; op: 'touchApiKeys'; updates: Array<{ id: string; lastUsedAt: number }> }
  | { close: true };

parentPort!.on('message', (msg: Message) => {
  if ('close' in msg) {
    void store.close().then(() => parentPort!.close());
    return;
  }
  const write = msg.op === 'appendAudit' ? store.appendAudit(JSON.parse(msg.entries) as AuditEntry[]) : store.touchApiKeys(msg.updates);
  write.then(
    () => parentPort!.postMessage({ id: msg.id, ok: true }),
    (err: unknown) => parentPort!.postMessage({ id: msg.id, ok: false, message: err instanceof Error ? err.message : String(err) }),
  );
});
parentPort!.postMessage({ ready: true });
