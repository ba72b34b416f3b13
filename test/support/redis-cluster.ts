/**
 * A throwaway 3-master Redis Cluster for tests: three `redis-server --cluster-enabled yes` on
 * free ports, each with a temp dir of its own, joined by `redis-cli --cluster create` (the same
 * code as `featureflow up --redis-cluster`, src/stack/redis-cluster.ts). A node can be restarted
 * in place: same port and dir, so it rejoins as the same node with its slots and its data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  formRedisCluster,
  REDIS_CLUSTER_MASTERS,
  redisClusterUrl,
} from '../../src/stack/redis-cluster.ts';
import { findFreePort, type RedisServer, startRedisServer } from './redis-server.ts';

export interface TestRedisCluster {
  /** redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3 */
  readonly url: string;
  readonly ports: readonly number[];
  /** Stops node `index` (SIGTERM), runs `between`, starts it again on its port, dir and bus
   * port, and waits until the cluster is whole again. */
  restartNode(index: number, between?: () => Promise<void>): Promise<void>;
  /** One plain connection per node, for DBSIZE, CLUSTER KEYSLOT and the like. */
  nodeClients(): Redis[];
  stop(): Promise<void>;
}

interface Node {
  readonly port: number;
  readonly busPort: number;
  readonly dir: string;
  server: RedisServer;
}

export async function startRedisCluster(): Promise<TestRedisCluster> {
  const nodes: Node[] = [];
  const startNode = (port: number, busPort: number, dir: string) =>
    startRedisServer({
      port,
      extraArgs: [
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        // A free port of its own: port + 10000, Redis's default, may be taken or above 65535.
        '--cluster-port',
        String(busPort),
        '--cluster-node-timeout',
        '3000',
        // Persistent, so a restarted node keeps what it acknowledged (a restart, not a loss).
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
    });
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.server.stop()));
    await Promise.all(nodes.map((node) => rm(node.dir, { recursive: true, force: true })));
  };
  try {
    for (let i = 0; i < REDIS_CLUSTER_MASTERS; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'featureflow-redis-cluster-'));
      const port = await findFreePort();
      const busPort = await findFreePort();
      nodes.push({ port, busPort, dir, server: await startNode(port, busPort, dir) });
    }
    await formRedisCluster(
      nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const ports = nodes.map((node) => node.port);
  const clients: Redis[] = [];
  return {
    url: redisClusterUrl(ports),
    ports,
    async restartNode(index, between) {
      const node = nodes[index]!;
      await node.server.stop();
      await between?.();
      node.server = await startNode(node.port, node.busPort, node.dir);
      // Back when the others have seen it rejoin: every node says cluster_state:ok again.
      await formRedisCluster(
        nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
        60_000,
      );
    },
    nodeClients() {
      for (const port of ports) {
        const client = new Redis({ host: '127.0.0.1', port });
        // A restarted node refuses connections for a moment; the next command reports it.
        client.on('error', () => {});
        clients.push(client);
      }
      return clients.slice(-ports.length);
    },
    async stop() {
      for (const client of clients) client.disconnect();
      await stop();
    },
  };
}
