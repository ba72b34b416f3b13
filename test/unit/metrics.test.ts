// The metrics of docs/metrics.md on our registry, and the /metrics endpoint.
import { afterEach, describe, expect, it } from 'vitest';
import {
  FEATURES_COMPUTED,
  METRICS_REGISTRY,
  type MetricsServer,
  REDIS_WRITES,
  serveMetrics,
  WINDOW_SIZE,
} from '../../src/core/metrics.ts';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('metrics', () => {
  it('registers every metric of docs/metrics.md with its labels', async () => {
    const metrics = await METRICS_REGISTRY.getMetricsAsJSON();
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m.type]));
    expect(byName).toEqual({
      featureflow_features_computed_total: 'counter',
      featureflow_redis_writes_total: 'counter',
      featureflow_window_size: 'histogram',
      featureflow_late_events_total: 'counter',
      featureflow_dead_letters_total: 'counter',
      featureflow_udf_calls_total: 'counter',
      featureflow_udf_batch_rows: 'histogram',
      featureflow_udf_latency_seconds: 'histogram',
      featureflow_event_to_redis_seconds: 'histogram',
    });
  });

  it('serves /metrics in the Prometheus text format, 404 elsewhere', async () => {
    FEATURES_COMPUTED.inc({ feature_type: 'transactions' }, 3);
    REDIS_WRITES.inc({ status: 'stale' });
    WINDOW_SIZE.observe({ window_type: 'transactions' }, 4);
    server = await serveMetrics({ port: 0, host: '127.0.0.1' });
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('featureflow_features_computed_total{feature_type="transactions"} 3');
    expect(text).toContain('featureflow_redis_writes_total{status="stale"} 1');
    expect(text).toContain('featureflow_window_size_bucket{le="5",window_type="transactions"} 1');
    const missing = await fetch(server.url.replace('/metrics', '/nope'));
    expect(missing.status).toBe(404);
  });

  it('says which port is taken', async () => {
    server = await serveMetrics({ port: 0, host: '127.0.0.1' });
    await expect(serveMetrics({ port: server.port, host: '127.0.0.1' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(
        new RegExp(
          `^cannot serve /metrics on 127\\.0\\.0\\.1:${server.port}: .*EADDRINUSE.* \\(pick another port\\)$`,
        ),
      ),
    });
  });
});
