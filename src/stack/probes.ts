/**
 * Health probes, one per kind of service. Each answers within a few seconds and never throws:
 * `{ ok: false, reason }` says what the last attempt saw, which is what a timeout error and
 * `status` show the user.
 */
import { Redis } from 'ioredis';
import { describeError } from '../core/errors.ts';
import { parseRedisUrl } from '../core/sinks/redis-url.ts';
import { describeKafka } from './kafka-admin.ts';
import { PROBE_REDIS_OPTIONS, PROBE_TIMEOUT_MS } from './probe-client.ts';
import { redisClusterProbe } from './redis-cluster.ts';

export type ProbeResult = { ok: true; detail: string } | { ok: false; reason: string };
export type Probe = () => Promise<ProbeResult>;

/** PING for one Redis; for a `redis+cluster://` URL, every node's cluster_state. */
export function redisProbe(url: string): Probe {
  if (parseRedisUrl(url).mode === 'cluster') return redisClusterProbe(url);
  return async () => {
    const client = new Redis(url, { ...PROBE_REDIS_OPTIONS });
    // ioredis reports connection failures as events too; the awaited call below carries them.
    client.on('error', () => {});
    try {
      await client.connect();
      const pong = await client.ping();
      return pong === 'PONG'
        ? { ok: true, detail: 'PING answered' }
        : { ok: false, reason: `PING answered '${pong}'` };
    } catch (error) {
      return { ok: false, reason: describeError(error) };
    } finally {
      client.disconnect();
    }
  };
}

export function kafkaProbe(brokers: readonly string[]): Probe {
  return async () => {
    try {
      const cluster = await describeKafka(brokers, PROBE_TIMEOUT_MS);
      return { ok: true, detail: `${cluster.brokers} broker, controller ${cluster.controller}` };
    } catch (error) {
      return { ok: false, reason: describeError(error) };
    }
  };
}

async function getJson(
  url: string,
): Promise<{ ok: true; body: unknown } | { ok: false; reason: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    if (!response.ok) return { ok: false, reason: `GET ${url} answered HTTP ${response.status}` };
    return { ok: true, body: await response.json() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { ok: false, reason: `GET ${url} failed: ${cause?.code ?? describeError(error)}` };
  }
}

/** The JobManager's REST endpoint answers (the web UI is served from the same port). */
export function flinkJobManagerProbe(restPort: number): Probe {
  return async () => {
    const result = await getJson(`http://127.0.0.1:${restPort}/v1/overview`);
    if (!result.ok) return result;
    const overview = result.body as { 'flink-version'?: string };
    return { ok: true, detail: `Flink ${overview['flink-version'] ?? '?'}` };
  };
}

/**
 * The TaskManager started as `resourceId` has registered with the JobManager and offers slots;
 * without an id (stacks of older versions), any TaskManager.
 */
export function flinkTaskManagerProbe(restPort: number, resourceId?: string): Probe {
  return async () => {
    const result = await getJson(`http://127.0.0.1:${restPort}/v1/taskmanagers`);
    if (!result.ok) return result;
    const listed = (result.body as { taskmanagers?: { id: string; slotsNumber?: number }[] })
      .taskmanagers;
    const taskManagers = listed ?? [];
    const mine = taskManagers.filter((tm) => resourceId === undefined || tm.id === resourceId);
    if (mine.length === 0) {
      return {
        ok: false,
        reason: `${resourceId === undefined ? 'no TaskManager' : `TaskManager ${resourceId}`} has not registered with the JobManager yet`,
      };
    }
    // A TaskManager is listed a moment before its slots are: jobs need the slots.
    const slots = mine.reduce((sum, tm) => sum + (tm.slotsNumber ?? 0), 0);
    if (slots === 0) {
      return { ok: false, reason: 'the TaskManager has registered but offers no slots yet' };
    }
    return {
      ok: true,
      detail: `${slots} slots, ${taskManagers.length} TaskManager(s) registered`,
    };
  };
}

export function sqlGatewayProbe(port: number): Probe {
  return async () => {
    const result = await getJson(`http://127.0.0.1:${port}/v1/info`);
    if (!result.ok) return result;
    const info = result.body as { productName?: string; version?: string };
    return {
      ok: true,
      detail: `${info.productName ?? 'SQL Gateway'} ${info.version ?? ''}`.trim(),
    };
  };
}
