/**
 * `up --redis-cluster`: the three masters of a local Redis Cluster (redis-cluster.ts) as stack
 * services, in place of the single Redis. Each node is a service of its own (a pid that `down`
 * stops and `status` pings); once the last one answers, its `afterReady` joins them into a
 * cluster, so that everything started after it finds the cluster formed.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { FeatureflowError } from '../core/errors.ts';
import { isPortFree } from './ports.ts';
import { redisProbe } from './probes.ts';
import {
  CLUSTER_BUS_OFFSET,
  formRedisCluster,
  REDIS_CLUSTER_MASTERS,
  writeClusterNodeFiles,
} from './redis-cluster.ts';
import type { RunLayout } from './run-folder.ts';
import type { ServicePlan } from './services.ts';

export function redisClusterPlans(
  ports: readonly number[],
  layout: RunLayout,
  readyTimeoutMs: number,
): ServicePlan[] {
  return ports.map((port, index): ServicePlan => {
    const dataDir = path.join(layout.redisDir, `cluster-${port}`);
    const outputFile = path.join(layout.logsDir, `redis-${port}.out`);
    const logFile = path.join(layout.logsDir, `redis-${port}.log`);
    const url = `redis://127.0.0.1:${port}`;
    const last = index === ports.length - 1;
    return {
      name: 'redis',
      title: `Redis Cluster node ${index + 1}/${REDIS_CLUSTER_MASTERS}`,
      port,
      // Not among the single services' ports: checked in `prepare` instead, with its bus port.
      ports: [],
      endpoint: url,
      logFiles: [logFile, outputFile],
      launch: {
        command: 'redis-server',
        args: [path.join(dataDir, 'redis.conf')],
        cwd: dataDir,
        outputFile,
      },
      probe: redisProbe(url),
      prepare: async () => {
        for (const needed of [port, port + CLUSTER_BUS_OFFSET]) {
          if (await isPortFree(needed)) continue;
          throw new FeatureflowError(
            'conflict',
            `port ${needed} for Redis Cluster node ${index + 1} is already in use (${needed === port ? 'its client port' : `its cluster bus: port + ${CLUSTER_BUS_OFFSET}`}; stop what listens there, or choose other ports with --redis-cluster-port or FEATUREFLOW_REDIS_CLUSTER_PORT)`,
            { context: { port: needed } },
          );
        }
        mkdirSync(dataDir, { recursive: true });
        writeClusterNodeFiles(dataDir, layout.logsDir, port);
      },
      ...(last
        ? {
            afterReady: () =>
              formRedisCluster(
                ports.map((p) => ({ host: '127.0.0.1', port: p })),
                readyTimeoutMs,
              ),
          }
        : {}),
    };
  });
}
