import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { Agent, ApiKeyRecord, AuditRecord, ClientSecretRecord, SigningKeyRecord } from '../core/types.ts';
import { pageSize } from '../store/audit-query-sql.ts';
import { agentFromRow, apiKeyFromRow, auditFromRow, clientSecretFromRow, signingKeyFromRow } from '../store/row-mapping.ts';
import { SQL } from '../store/sql.ts';
import type { AuditHead } from '../store/store.ts';
import type { DoctorStore } from './types.ts';

type Row = Record<string, unknown>;

/**
 * A strictly read-only view of a SQLite store, for the doctor. The store's own adapter cannot be
 * used: opening it chmods the files (hiding the very mode problem the doctor reports) and runs
 * migrations. Same statements and row mapping as the adapter, so rows read the same.
 */
export class SqliteReader implements DoctorStore {
  readonly kind = 'sqlite' as const;
  readonly #db: DatabaseSync;

  constructor(path: string) {
    this.#db = openReadOnly(path);
  }

  async listAgents(): Promise<Agent[]> {
    return this.#all(SQL.listAgents).map(agentFromRow);
  }

  async listApiKeys(agentId?: string): Promise<ApiKeyRecord[]> {
    return (agentId === undefined ? this.#all(SQL.listApiKeys) : this.#all(SQL.listApiKeysByAgent, agentId)).map(apiKeyFromRow);
  }

  async listClientSecrets(agentId: string): Promise<ClientSecretRecord[]> {
    return this.#all(SQL.listClientSecretsByAgent, agentId).map(clientSecretFromRow);
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    return this.#all(SQL.listSigningKeys).map(signingKeyFromRow);
  }

  async scanAudit(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.#all(SQL.scanAudit, afterSeq, pageSize(limit)).map(auditFromRow);
  }

  async getAuditHead(): Promise<AuditHead | undefined> {
    const r = this.#all(SQL.auditHead)[0];
    return r === undefined ? undefined : { seq: Number(r.seq), hash: String(r.hash), seal: r.seal === null || r.seal === undefined ? null : String(r.seal) };
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  #all(sql: string, ...params: SQLInputValue[]): Row[] {
    // `$n` is SQLite's `?n` (the adapter does the same rewrite).
    return this.#db.prepare(sql.replace(/\$(\d+)/g, '?$1')).all(...params);
  }
}

/**
 * Opens without creating anything. While the gateway runs (or after a crash) the -wal and -shm
 * files exist and a read-only connection reads through them. After a clean shutdown they are gone
 * and everything is in the main file; a read-only connection would create them (and leave them
 * behind), so the file is opened `immutable` instead.
 */
function openReadOnly(path: string): DatabaseSync {
  if (existsSync(`${path}-wal`) || existsSync(`${path}-shm`)) return new DatabaseSync(path, { readOnly: true });
  const url = pathToFileURL(path);
  url.search = 'mode=ro&immutable=1';
  return new DatabaseSync(url, { readOnly: true });
}
