/**
 * A local Redis Cluster of three masters (Debian's redis-server in cluster mode), for
 * `featureflow up --redis-cluster` and the tests: each node a redis-server with
 * `cluster-enabled yes`, then `redis-cli --cluster create ... --cluster-replicas 0` hands each
 * a third of the 16384 slots. Three is the fewest masters redis-cli accepts; no replicas,
 * because a dev stack restarts a node rather than failing over.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { describeError, FeatureflowError } from '../core/errors.ts';
import { parseRedisUrl, type RedisNodeAddress } from '../core/sinks/redis-url.ts';
import { PROBE_REDIS_OPTIONS } from './probe-client.ts';
import type { Probe, ProbeResult } from './probes.ts';
import { renderRedisConfig } from './redis-config.ts';

const run = promisify(execFile);

export const REDIS_CLUSTER_MASTERS = 3;
/** The first node's port when none is given; the others take the next ones. */
export const REDIS_CLUSTER_FIRST_PORT = 7001;
/** Redis's own convention: the cluster bus listens on the client port + 10000. */
export const CLUSTER_BUS_OFFSET = 10_000;
// How long a node may not answer before the others mark it failing. Redis's default (15 s)
// suits networks; on one machine a restarted node is back sooner, and a short timeout makes
// the cluster notice, and recover, within seconds.
const NODE_TIMEOUT_MS = 3_000;

export function redisClusterPorts(firstPort: number): number[] {
  return Array.from({ length: REDIS_CLUSTER_MASTERS }, (_, i) => firstPort + i);
}

/** The URL every command takes (REDIS_URL / --redis) for a cluster on these local ports. */
export function redisClusterUrl(ports: readonly number[]): string {
  return `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`;
}

export interface ClusterNodeFiles {
  readonly config: string;
  readonly logFile: string;
}

/**
 * One node's redis.conf: loopback only, foreground, no snapshots (the online store is rebuilt
 * from Kafka), its cluster state in `dataDir`/nodes.conf so that a restarted node rejoins as
 * the same node with the same slots.
 */
export function renderClusterNodeConfig(port: number, dataDir: string, logFile: string): string {
  return renderRedisConfig(port, dataDir, logFile, [
    'cluster-enabled yes',
    'cluster-config-file nodes.conf',
    `cluster-port ${port + CLUSTER_BUS_OFFSET}`,
    `cluster-node-timeout ${NODE_TIMEOUT_MS}`,
  ]);
}

export function writeClusterNodeFiles(
  dataDir: string,
  logsDir: string,
  port: number,
): ClusterNodeFiles {
  const config = path.join(dataDir, 'redis.conf');
  const logFile = path.join(logsDir, `redis-${port}.log`);
  writeFileSync(config, renderClusterNodeConfig(port, dataDir, logFile));
  return Object.freeze({ config, logFile });
}

/**
 * Joins the started, empty nodes into one cluster and waits until every node reports
 * cluster_state:ok. A cluster formed already (a node's nodes.conf survived) is left as it is.
 */
export async function formRedisCluster(
  nodes: readonly RedisNodeAddress[],
  timeoutMs: number,
): Promise<string> {
  const addresses = nodes.map((node) => `${node.host}:${node.port}`);
  const before = await clusterStates(nodes);
  // Nodes restarted from their nodes.conf (an `up` after a `down` without --purge) hold their
  // slots already: they find each other again, and `create` would refuse them as not empty.
  const formed = before.some((state) => state.slotsAssigned > 0);
  if (!formed) await createCluster(addresses, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await clusterStates(nodes);
    if (states.every((state) => state.ok)) {
      return `cluster ${formed ? 'rejoined' : 'formed'} over ${addresses.join(', ')}: ${nodes.length} masters, 16384 slots`;
    }
    if (Date.now() >= deadline) {
      throw new FeatureflowError(
        'timeout',
        `the Redis Cluster over ${addresses.join(', ')} did not reach cluster_state:ok within ${Math.round(timeoutMs / 1000)} s (${states.map((s) => s.detail).join('; ')})`,
        { context: { nodes: addresses } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function createCluster(addresses: readonly string[], timeoutMs: number): Promise<void> {
  try {
    await run(
      process.env.REDIS_CLI_BIN ?? 'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: timeoutMs, maxBuffer: 1 << 22 },
    );
  } catch (error) {
    const { stdout, stderr, code } = error as { stdout?: string; stderr?: string; code?: string };
    throw new FeatureflowError(
      code === 'ENOENT' ? 'failed_precondition' : 'unavailable',
      code === 'ENOENT'
        ? `cannot form the Redis Cluster: redis-cli is not installed or not on PATH (install the apt package redis-tools, or set REDIS_CLI_BIN)`
        : `redis-cli --cluster create ${addresses.join(' ')} failed: ${lastLines(`${stdout ?? ''}${stderr ?? ''}`) || describeError(error)} (each node must be empty and run with cluster-enabled yes)`,
      { cause: error, context: { nodes: addresses } },
    );
  }
}

/** Healthy when every node named by the cluster URL answers and reports cluster_state:ok. */
export function redisClusterProbe(url: string): Probe {
  return async (): Promise<ProbeResult> => {
    const target = parseRedisUrl(url);
    if (target.mode !== 'cluster') return { ok: false, reason: `not a cluster URL: ${url}` };
    const states = await clusterStates(target.nodes, target.password, target.username);
    const failing = states.filter((state) => !state.ok);
    if (failing.length > 0) return { ok: false, reason: failing.map((s) => s.detail).join('; ') };
    return { ok: true, detail: `${states.length} nodes, cluster_state:ok` };
  };
}

interface NodeState {
  readonly ok: boolean;
  readonly slotsAssigned: number;
  readonly detail: string;
}

async function clusterStates(
  nodes: readonly RedisNodeAddress[],
  password?: string,
  username?: string,
): Promise<NodeState[]> {
  return Promise.all(nodes.map((node) => clusterStateOf(node, password, username)));
}

/** One node's CLUSTER INFO, on a connection of its own (not a cluster client, which would
 * need the cluster formed to connect at all). */
async function clusterStateOf(
  node: RedisNodeAddress,
  password: string | undefined,
  username: string | undefined,
): Promise<NodeState> {
  const name = `${node.host}:${node.port}`;
  const client = new Redis({
    host: node.host,
    port: node.port,
    ...(password === undefined ? {} : { password }),
    ...(username === undefined ? {} : { username }),
    ...PROBE_REDIS_OPTIONS,
  });
  // Connection failures arrive as events too; the awaited calls below carry them.
  client.on('error', () => {});
  try {
    await client.connect();
    const info = String(await client.call('CLUSTER', 'INFO'));
    const state = /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
    const assigned = Number(/cluster_slots_assigned:(\d+)/.exec(info)?.[1] ?? 0);
    return {
      ok: state === 'ok',
      slotsAssigned: assigned,
      detail: `${name} cluster_state:${state}, ${assigned} slots assigned`,
    };
  } catch (error) {
    return { ok: false, slotsAssigned: 0, detail: `${name}: ${describeError(error)}` };
  } finally {
    client.disconnect();
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-4).join(' / ');
}
