import { createServer } from 'node:http';

// The benchmark's upstream: as cheap as an HTTP server gets, so the numbers measure what sits in
// front of it. Usage: node bench/plain-upstream.ts <port>

const port = Number(process.argv[2]);
const body = JSON.stringify([
  { id: 'agent-1', name: 'billing-bot', status: 'running', model: 'gpt-4o-mini', tasks: 12 },
  { id: 'agent-2', name: 'research-agent', status: 'running', model: 'claude-sonnet', tasks: 7 },
]);
const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/api/agents') {
    res.writeHead(200, headers);
    res.end(body);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json', 'content-length': '21' });
  res.end('{"error":"not_found"}');
});
// Longer than any proxy's idle pool timeout, so the upstream never closes a pooled connection first.
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
