import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics for one Gatehouse process (served on the admin listener at /metrics). */
export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'decision' | 'route' | 'agent'>;
  readonly latency: Histogram<'decision' | 'route'>;
  readonly rateLimited: Counter<'scope'>;
  readonly auditQueueDepth: Gauge;
  readonly auditDropped: Counter;
  readonly authFailures: Counter<'reason'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'gatehouse_requests_total', help: 'Requests by decision, route and agent', labelNames: ['decision', 'route', 'agent'], registers });
    this.latency = new Histogram({
      name: 'gatehouse_request_duration_seconds', help: 'Request latency through the gateway', labelNames: ['decision', 'route'], registers,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.rateLimited = new Counter({ name: 'gatehouse_rate_limited_total', help: 'Requests rejected by rate limits', labelNames: ['scope'], registers });
    this.auditQueueDepth = new Gauge({ name: 'gatehouse_audit_queue_depth', help: 'Audit records waiting to be written', registers });
    this.auditDropped = new Counter({ name: 'gatehouse_audit_dropped_total', help: 'Audit records dropped because the queue overflowed its hard cap', registers });
    this.authFailures = new Counter({ name: 'gatehouse_auth_failures_total', help: 'Failed authentications by reason', labelNames: ['reason'], registers });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
  }

  readonly #children = new Map<string, { count: { inc(): void }; latency: { observe(v: number): void } }>();

  /** One finished request. Label children are looked up once per label set (this runs per request). */
  observeRequest(decision: string, route: string, agent: string, seconds: number): void {
    const key = `${decision}\u0000${route}\u0000${agent}`;
    let child = this.#children.get(key);
    if (!child) {
      // Bounded by agents × routes × 3 decisions; cleared if it ever grows past that scale.
      if (this.#children.size > 100_000) this.#children.clear();
      child = { count: this.requests.labels(decision, route, agent), latency: this.latency.labels(decision, route) };
      this.#children.set(key, child);
    }
    child.count.inc();
    child.latency.observe(seconds);
  }
}
