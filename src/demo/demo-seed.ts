// Seed rows for the demo agent-management platform (modelled on the article's deployment).

export const DEMO_AGENTS = [
  { name: 'billing-bot', status: 'running', model: 'gpt-4o-mini', description: 'Reconciles invoices and flags anomalies' },
  { name: 'research-agent', status: 'running', model: 'claude-sonnet', description: 'Summarises papers and web sources' },
  { name: 'support-triage', status: 'stopped', model: 'llama-3-8b', description: 'Routes customer tickets to the right queue' },
] as const;

export const DEMO_TASKS = [
  { agent: 'billing-bot', title: 'Reconcile March invoices', status: 'done' },
  { agent: 'billing-bot', title: 'Flag duplicate payments', status: 'running' },
  { agent: 'research-agent', title: 'Summarise RFC 9700', status: 'queued' },
  { agent: 'research-agent', title: 'Compare vector databases', status: 'done' },
  { agent: 'support-triage', title: 'Escalate tickets at 100% SLA usage', status: 'queued' },
] as const;

export const DEMO_FILES = [
  { name: 'prompts.md', contentType: 'text/markdown', content: '# System prompts\n\nYou are a careful billing assistant.\n' },
  { name: 'agent-config.json', contentType: 'application/json', content: '{"temperature":0.2,"maxTokens":2048}\n' },
  { name: 'report-2024-q1.csv', contentType: 'text/csv', content: 'month,invoices\njan,120\nfeb,98\nmar,143\n' },
] as const;

// Fake values: what an attacker dumping the database would be after. Tests assert they never leak.
export const DEMO_CREDENTIALS = [
  { service: 'openai', secret: 'sk-demo-NOT-A-REAL-KEY-0001' },
  { service: 'stripe', secret: 'rk_demo_NOT_A_REAL_KEY_0002' },
] as const;
