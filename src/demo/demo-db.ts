import { DatabaseSync } from 'node:sqlite';
import { DEMO_AGENTS, DEMO_CREDENTIALS, DEMO_FILES, DEMO_TASKS } from './demo-seed.ts';

// The demo platform's data, behind a small typed facade. Every statement is prepared once with
// `?` placeholders: user text only ever reaches SQLite as a bound value, never as SQL text
// (the article's /api/search was injectable because it concatenated).

export interface Agent {
  name: string;
  status: string;
  model: string;
  description: string;
  restarts: number;
}

export interface Task {
  id: number;
  agent: string;
  title: string;
  status: string;
}

export interface FileInfo {
  name: string;
  contentType: string;
  size: number;
}

export interface FileWithContent extends FileInfo {
  content: string;
}

export type SearchHit = ({ type: 'agent' } & Agent) | ({ type: 'task' } & Task);

export interface DemoDb {
  listAgents(): Agent[];
  getAgent(name: string): Agent | undefined;
  restartAgent(name: string): Agent | undefined;
  listTasks(agent?: string): Task[];
  getTask(id: number): Task | undefined;
  createTask(agent: string, title: string): Task;
  deleteTask(id: number): boolean;
  listFiles(): FileInfo[];
  getFile(name: string): FileWithContent | undefined;
  search(text: string, limit: number): SearchHit[];
  close(): void;
}

const SCHEMA = `
  CREATE TABLE agents (name TEXT PRIMARY KEY, status TEXT NOT NULL, model TEXT NOT NULL,
    description TEXT NOT NULL, restarts INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, agent TEXT NOT NULL REFERENCES agents(name),
    title TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'queued');
  CREATE TABLE files (name TEXT PRIMARY KEY, content_type TEXT NOT NULL, content TEXT NOT NULL);
  -- The prize an injection would reach for (article: "API keys exposed"). No endpoint reads it.
  CREATE TABLE integration_credentials (service TEXT PRIMARY KEY, secret TEXT NOT NULL);
`;

/** Escape `\`, `%` and `_` so user text matches literally inside `LIKE ? ESCAPE '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

type Row = Record<string, unknown>;
const toAgent = (r: Row): Agent => ({
  name: String(r.name), status: String(r.status), model: String(r.model),
  description: String(r.description), restarts: Number(r.restarts),
});
const toTask = (r: Row): Task => ({ id: Number(r.id), agent: String(r.agent), title: String(r.title), status: String(r.status) });
const toFileInfo = (r: Row): FileInfo => ({ name: String(r.name), contentType: String(r.content_type), size: Number(r.size) });

/** Open (and seed, when empty) the demo database. `':memory:'` gives a fresh one each time. */
export function openDemoDb(path = ':memory:'): DemoDb {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA foreign_keys = ON');
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'agents'").get();
  if (!exists) seed(db);

  const agentCols = 'name, status, model, description, restarts';
  const taskCols = 'id, agent, title, status';
  const q = {
    agents: db.prepare(`SELECT ${agentCols} FROM agents ORDER BY name`),
    agent: db.prepare(`SELECT ${agentCols} FROM agents WHERE name = ?`),
    restart: db.prepare("UPDATE agents SET status = 'running', restarts = restarts + 1 WHERE name = ?"),
    tasks: db.prepare(`SELECT ${taskCols} FROM tasks ORDER BY id`),
    agentTasks: db.prepare(`SELECT ${taskCols} FROM tasks WHERE agent = ? ORDER BY id`),
    task: db.prepare(`SELECT ${taskCols} FROM tasks WHERE id = ?`),
    insertTask: db.prepare('INSERT INTO tasks (agent, title) VALUES (?, ?)'),
    deleteTask: db.prepare('DELETE FROM tasks WHERE id = ?'),
    files: db.prepare('SELECT name, content_type, length(content) AS size FROM files ORDER BY name'),
    file: db.prepare('SELECT name, content_type, length(content) AS size, content FROM files WHERE name = ?'),
    searchAgents: db.prepare(
      `SELECT ${agentCols} FROM agents WHERE name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?`,
    ),
    searchTasks: db.prepare(`SELECT ${taskCols} FROM tasks WHERE title LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?`),
  };

  return {
    listAgents: () => q.agents.all().map(toAgent),
    getAgent: (name) => {
      const row = q.agent.get(name);
      return row ? toAgent(row) : undefined;
    },
    restartAgent(name) {
      q.restart.run(name);
      return this.getAgent(name);
    },
    listTasks: (agent) => (agent === undefined ? q.tasks.all() : q.agentTasks.all(agent)).map(toTask),
    getTask: (id) => {
      const row = q.task.get(id);
      return row ? toTask(row) : undefined;
    },
    createTask(agent, title) {
      const { lastInsertRowid } = q.insertTask.run(agent, title);
      return toTask(q.task.get(lastInsertRowid) as Row);
    },
    deleteTask: (id) => Number(q.deleteTask.run(id).changes) > 0,
    listFiles: () => q.files.all().map(toFileInfo),
    getFile: (name) => {
      const row = q.file.get(name);
      return row ? { ...toFileInfo(row), content: String(row.content) } : undefined;
    },
    search(text, limit) {
      const pattern = `%${escapeLike(text)}%`;
      const agents = q.searchAgents.all(pattern, pattern, limit).map((r) => ({ type: 'agent' as const, ...toAgent(r) }));
      const tasks = q.searchTasks.all(pattern, limit).map((r) => ({ type: 'task' as const, ...toTask(r) }));
      return [...agents, ...tasks].slice(0, limit);
    },
    close: () => db.close(),
  };
}

function seed(db: DatabaseSync): void {
  db.exec(SCHEMA);
  const agent = db.prepare('INSERT INTO agents (name, status, model, description) VALUES (?, ?, ?, ?)');
  for (const a of DEMO_AGENTS) agent.run(a.name, a.status, a.model, a.description);
  const task = db.prepare('INSERT INTO tasks (agent, title, status) VALUES (?, ?, ?)');
  for (const t of DEMO_TASKS) task.run(t.agent, t.title, t.status);
  const file = db.prepare('INSERT INTO files (name, content_type, content) VALUES (?, ?, ?)');
  for (const f of DEMO_FILES) file.run(f.name, f.contentType, f.content);
  const cred = db.prepare('INSERT INTO integration_credentials (service, secret) VALUES (?, ?)');
  for (const c of DEMO_CREDENTIALS) cred.run(c.service, c.secret);
}
