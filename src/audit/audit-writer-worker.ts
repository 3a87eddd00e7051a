import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/open-store.ts';
import type { AuditEntry } from '../core/types.ts';

// The audit writer thread: its own connection to the same database, so hashing the chain,
// inserting and SQLite's WAL checkpoints (fsync) never block the request thread.
const { url, baseDir } = workerData as { url: string; baseDir: string };
const store = await openStore(url, { baseDir });

parentPort!.on('message', (msg: { id: number; entries: AuditEntry[] } | { close: true }) => {
  if ('close' in msg) {
    void store.close().then(() => parentPort!.close());
    return;
  }
  store.appendAudit(msg.entries).then(
    () => parentPort!.postMessage({ id: msg.id, ok: true }),
    (err: unknown) => parentPort!.postMessage({ id: msg.id, ok: false, message: err instanceof Error ? err.message : String(err) }),
  );
});
parentPort!.postMessage({ ready: true });
