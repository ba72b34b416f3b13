/**
 * The metrics of docs/metrics.md, on one prom-client registry that every process shares, and
 * the tiny `/metrics` server long-running processes expose. FEATURES_COMPUTED, REDIS_WRITES and
 * WINDOW_SIZE are the public API's names for the first three.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { FeatureflowError } from './errors.ts';

/** Our own registry (not prom-client's global one), so a library user's metrics never mix in. */
export const METRICS_REGISTRY = new Registry();

const registers = [METRICS_REGISTRY];

export const FEATURES_COMPUTED = new Counter({
  name: 'featureflow_features_computed_total',
  help: "Feature rows computed (one per fired window), by feature_type (the job's name)",
  labelNames: ['feature_type'] as const,
  registers,
});

export const REDIS_WRITES = new Counter({
  name: 'featureflow_redis_writes_total',
  help: 'Windows handed to the Redis sink, by outcome: written, stale (a newer window was already stored), failed (refused for good, dead-lettered), retried (Redis could not take it yet: sent again)',
  labelNames: ['status'] as const,
  registers,
});

export type RedisWriteStatus = 'written' | 'stale' | 'failed';

export const WINDOW_SIZE = new Histogram({
  name: 'featureflow_window_size',
  help: "Events per fired window, by window_type (the job's name)",
  labelNames: ['window_type'] as const,
  buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 5_000, 10_000],
  registers,
});

export const LATE_EVENTS = new Counter({
  name: 'featureflow_late_events_total',
  help: 'Events that arrived after every window they belong to had fired (docs/windows.md), by job',
  labelNames: ['job'] as const,
  registers,
});

export const DEAD_LETTERS = new Counter({
  name: 'featureflow_dead_letters_total',
  help: 'Invalid messages sent to the dead-letter output, by job and reason',
  labelNames: ['job', 'reason'] as const,
  registers,
});

export const UDF_CALLS = new Counter({
  name: 'featureflow_udf_calls_total',
  help: 'Calls to the UDF service, by function and status (ok, error)',
  labelNames: ['function', 'status'] as const,
  registers,
});

export const UDF_BATCH_ROWS = new Histogram({
  name: 'featureflow_udf_batch_rows',
  help: 'Rows (windows) per UDF service call',
  buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 5_000],
  registers,
});

export const UDF_LATENCY = new Histogram({
  name: 'featureflow_udf_latency_seconds',
  help: 'Time the UDF service takes per call, in seconds',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers,
});

export const EVENT_TO_REDIS = new Histogram({
  name: 'featureflow_event_to_redis_seconds',
  help: 'From the end of a window (event time) to its features acknowledged by Redis, in seconds: end-to-end freshness when event time follows the wall clock',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
  registers,
});

let processMetricsOn = false;

/** Adds prom-client's process metrics (CPU, memory, event loop lag). Long-running processes
 * call it once; replay and the CLI do not, so importing this module starts nothing. */
export function collectProcessMetrics(): void {
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics({ register: METRICS_REGISTRY, prefix: 'featureflow_' });
}

export interface MetricsServerOptions {
  /** 0 picks a free port (tests); the chosen one is on the returned server. */
  port: number;
  /** The interface to listen on; default loopback only (give 0.0.0.0 to be scraped from other hosts). */
  host?: string;
}

export interface MetricsServer {
  readonly port: number;
  /** The interface address bound, e.g. 127.0.0.1 or 0.0.0.0. */
  readonly address: string;
  readonly url: string;
  close(): Promise<void>;
}

/** Serves GET /metrics (Prometheus text format) from METRICS_REGISTRY; everything else is 404. */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  // Loopback unless told otherwise: metrics show the job's volumes and names to anyone who can
  // reach the port.
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try GET /metrics\n');
      return;
    }
    METRICS_REGISTRY.metrics().then(
      (text) => response.writeHead(200, { 'content-type': METRICS_REGISTRY.contentType }).end(text),
      (error: unknown) =>
        response
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`metrics failed: ${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new FeatureflowError(
          error.code === 'EADDRINUSE' ? 'conflict' : 'io_failed',
          `cannot serve /metrics on ${host}:${options.port}: ${error.message} (pick another port)`,
          { cause: error, context: { port: options.port } },
        ),
      ),
    );
    server.listen(options.port, host, resolve);
  });
  const bound = server.address() as AddressInfo;
  const port = bound.port;
  return {
    port,
    address: bound.address,
    // The address really bound, as logs should say it (a wildcard stays a wildcard).
    url: `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  };
}
