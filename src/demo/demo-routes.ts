import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { DemoDb } from './demo-db.ts';
import { DemoHttpError, readJsonBody, sendJson } from './demo-http.ts';
import { handleEvents } from './demo-events.ts';

// The demo platform's REST surface: one table of method + path pattern → handler, like the
// article's Flask app (minus its holes: parameterized SQL, validated bodies, no filesystem).

export interface DemoContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
  db: DemoDb;
  sseIntervalMs: number;
}

export interface DemoRoute {
  method: string; // '*' = any method
  pattern: RegExp;
  handler: (ctx: DemoContext) => void | Promise<void>;
}

export const MAX_BODY_BYTES = 16 * 1024;
export const MAX_SEARCH_LENGTH = 100;
const SEARCH_LIMIT = 50;

const newTaskSchema = z.strictObject({
  agent: z.string().min(1).max(63),
  title: z.string().trim().min(1).max(200),
});

function agentOr404(db: DemoDb, name: string) {
  const agent = db.getAgent(name);
  if (!agent) throw new DemoHttpError(404, 'not_found', `no agent named "${name}"`);
  return agent;
}

function taskId(raw: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) throw new DemoHttpError(400, 'invalid_id', 'task id must be a positive integer');
  return Number(raw);
}

function taskOr404(db: DemoDb, raw: string) {
  const task = db.getTask(taskId(raw));
  if (!task) throw new DemoHttpError(404, 'not_found', `no task with id ${raw}`);
  return task;
}

async function createTask({ req, res, db }: DemoContext): Promise<void> {
  const parsed = newTaskSchema.safeParse(await readJsonBody(req, MAX_BODY_BYTES));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'body';
    throw new DemoHttpError(400, 'invalid_request', `${where}: ${issue?.message ?? 'invalid'} (expected {"agent": string, "title": string})`);
  }
  agentOr404(db, parsed.data.agent);
  sendJson(res, 201, db.createTask(parsed.data.agent, parsed.data.title));
}

function search({ res, query, db }: DemoContext): void {
  const text = query.get('query');
  if (text === null || text === '') throw new DemoHttpError(400, 'invalid_request', 'query parameter "query" is required');
  if (text.length > MAX_SEARCH_LENGTH) {
    throw new DemoHttpError(400, 'invalid_request', `query must be at most ${MAX_SEARCH_LENGTH} characters`);
  }
  sendJson(res, 200, { query: text, results: db.search(text, SEARCH_LIMIT) });
}

/** Echo what the gateway forwarded: its own and forwarding headers, never credential values. */
function whoami({ req, res }: DemoContext): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && (name.startsWith('x-gatehouse-') || name.startsWith('x-forwarded-'))) headers[name] = value;
  }
  sendJson(res, 200, {
    method: req.method,
    url: req.url,
    host: req.headers.host ?? null,
    authorizationPresent: req.headers.authorization !== undefined,
    headers,
  });
}

export const DEMO_ROUTES: readonly DemoRoute[] = [
  { method: 'GET', pattern: /^\/api\/agents$/, handler: ({ res, db }) => sendJson(res, 200, db.listAgents()) },
  { method: 'GET', pattern: /^\/api\/agents\/([^/]+)$/, handler: ({ res, db, params }) => sendJson(res, 200, agentOr404(db, params[0]!)) },
  {
    method: 'POST',
    pattern: /^\/api\/agents\/([^/]+)\/restart$/,
    handler: ({ res, db, params }) => sendJson(res, 200, db.restartAgent(agentOr404(db, params[0]!).name)),
  },
  {
    method: 'GET',
    pattern: /^\/api\/agents\/([^/]+)\/tasks$/,
    handler: ({ res, db, params }) => sendJson(res, 200, db.listTasks(agentOr404(db, params[0]!).name)),
  },
  { method: 'GET', pattern: /^\/api\/tasks$/, handler: ({ res, db }) => sendJson(res, 200, db.listTasks()) },
  { method: 'POST', pattern: /^\/api\/tasks$/, handler: createTask },
  { method: 'GET', pattern: /^\/api\/tasks\/([^/]+)$/, handler: ({ res, db, params }) => sendJson(res, 200, taskOr404(db, params[0]!)) },
  {
    method: 'DELETE',
    pattern: /^\/api\/tasks\/([^/]+)$/,
    handler: ({ res, db, params }) => {
      const task = taskOr404(db, params[0]!);
      db.deleteTask(task.id);
      sendJson(res, 200, { deleted: true, id: task.id });
    },
  },
  { method: 'GET', pattern: /^\/api\/files$/, handler: ({ res, db }) => sendJson(res, 200, db.listFiles()) },
  {
    method: 'GET',
    pattern: /^\/api\/files\/([^/]+)$/,
    handler: ({ res, db, params }) => {
      // Looked up by exact name in the table: there is no path on disk to traverse.
      const file = db.getFile(params[0]!);
      if (!file) throw new DemoHttpError(404, 'not_found', 'no such file');
      sendJson(res, 200, file);
    },
  },
  { method: 'GET', pattern: /^\/api\/search$/, handler: search },
  { method: 'GET', pattern: /^\/api\/events$/, handler: ({ req, res, sseIntervalMs }) => handleEvents(req, res, sseIntervalMs) },
  { method: '*', pattern: /^\/api\/whoami$/, handler: whoami },
];
