/**
 * The process's Prometheus metrics (`GET /metrics`, docs/operations.md), with prom-client: one
 * registry per server, so several servers in one process (tests) never mix. Labels carry Action
 * names, job names and outcomes only, never parameters, users or secrets.
 *
 * Counted where things happen (RPC dispatch, job handlers, export and data-change runners);
 * gauges read at scrape time from their source (the job queue, the store's pool).
 */
import client from 'prom-client';

export interface GaugeSources {
  /** Waiting and running jobs per name. */
  queue(): Promise<{ name: string; queued: number; active: number; oldestDueSeconds: number }[]>;
  /** PostgreSQL store pool: connections in use, idle, and requests waiting for one; null on SQLite. */
  storePool(): { total: number; idle: number; waiting: number } | null;
}

export class Metrics {
  readonly registry = new client.Registry();
  readonly rpcRequests = new client.Counter({ name: 'opendms_rpc_requests_total', help: 'RPC requests by Action and outcome (success, business_error, gateway_error, internal_error) and channel (api: signed, console: session).', labelNames: ['action', 'outcome', 'channel'] as const, registers: [this.registry] });
  readonly rpcSeconds = new client.Histogram({ name: 'opendms_rpc_request_duration_seconds', help: 'RPC request latency by Action.', labelNames: ['action'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly jobOutcomes = new client.Counter({ name: 'opendms_jobs_total', help: 'Background job attempts by job name and outcome (completed, failed).', labelNames: ['job', 'outcome'] as const, registers: [this.registry] });
  readonly jobSeconds = new client.Histogram({ name: 'opendms_job_duration_seconds', help: 'Background job attempt duration by job name.', labelNames: ['job'] as const, buckets: [0.01, 0.1, 0.5, 1, 5, 30, 120, 600, 3600], registers: [this.registry] });
  readonly exportRows = new client.Counter({ name: 'opendms_export_rows_total', help: 'Rows written by successful exports.', registers: [this.registry] });
  readonly exportBytes = new client.Counter({ name: 'opendms_export_bytes_total', help: 'Bytes of the result files of successful exports.', registers: [this.registry] });
  readonly dataChangeRows = new client.Counter({ name: 'opendms_data_change_rows_total', help: 'Rows changed by data-change jobs that succeeded (each job once, with all its statements), by ticket type.', labelNames: ['type'] as const, registers: [this.registry] });
  readonly targetConnectors = new client.Gauge({ name: 'opendms_target_connectors_open', help: 'Connectors to target databases open now (each holds a small pool).', registers: [this.registry] });

  constructor(sources: GaugeSources) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'opendms_' });
    const queued = new client.Gauge({ name: 'opendms_job_queue_depth', help: 'Jobs waiting (queued) or running (active), by job name.', labelNames: ['job', 'state'] as const, registers: [this.registry] });
    const age = new client.Gauge({ name: 'opendms_job_queue_oldest_seconds', help: 'How long the oldest due waiting job of each name has waited.', labelNames: ['job'] as const, registers: [this.registry] });
    const pool = new client.Gauge({ name: 'opendms_store_pool_connections', help: 'PostgreSQL store pool: connections by state (in_use, idle) and requests waiting for one.', labelNames: ['state'] as const, registers: [this.registry] });
    const collectQueue = async (): Promise<void> => {
      queued.reset();
      age.reset();
      for (const q of await sources.queue()) {
        queued.set({ job: q.name, state: 'queued' }, q.queued);
        queued.set({ job: q.name, state: 'active' }, q.active);
        age.set({ job: q.name }, q.oldestDueSeconds);
      }
    };
    this.#beforeScrape.push(collectQueue, async () => {
      pool.reset();
      const p = sources.storePool();
      if (!p) return;
      pool.set({ state: 'in_use' }, p.total - p.idle);
      pool.set({ state: 'idle' }, p.idle);
      pool.set({ state: 'waiting' }, p.waiting);
    });
  }

  readonly #beforeScrape: (() => Promise<void>)[] = [];

  /** The text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    for (const f of this.#beforeScrape) await f().catch(() => undefined);
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
