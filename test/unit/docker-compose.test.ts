// docker-compose.yml cannot run here (no Docker engine), so it is validated statically with
// Debian's docker-compose, and held to what the rest of the repository says once: the ports and
// topics of `featureflow up`, the Kafka and Flink versions of stack/pom.xml, the jobs the demo
// submits, the bridge jar's name.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCAL_STACK_DEFAULTS } from '../../src/config/environment.ts';
import { builtInJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import { DEMO_JOBS } from '../../src/demo/demo-jobs.ts';
import { BRIDGE_JAR } from '../../src/flink/bridge-jar.ts';
import { STACK_DEFAULTS } from '../../src/stack/stack-config.ts';
import { stackTopics } from '../../src/stack/topics.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE_FILE = `${ROOT}docker-compose.yml`;
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

function compose(...args: string[]): string {
  try {
    return execFileSync('docker-compose', ['-f', COMPOSE_FILE, ...args], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(
      `docker-compose ${args.join(' ')} failed: ${(error as Error).message} (install Debian's docker-compose: apt-get install docker-compose)`,
    );
  }
}

/** One service's block of the resolved file (`docker-compose config`). */
function service(resolved: string, name: string): string {
  const start = resolved.indexOf(`\n  ${name}:\n`);
  expect(start, `service ${name}`).toBeGreaterThanOrEqual(0);
  const rest = resolved.slice(start + 1);
  const end = rest.slice(1).search(/\n {2}\S|\n\S/);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

/** A `<name>.version` property of stack/pom.xml: the versions `featureflow up` runs. */
function pomVersion(property: string): string {
  const match = new RegExp(`<${property}>([^<]+)</${property}>`).exec(read('stack/pom.xml'));
  expect(match, property).not.toBeNull();
  return match![1]!;
}

describe('docker-compose.yml', () => {
  const resolved = compose('config');

  it('is a valid compose file with the stack, the UDF service, the sink and the jobs', () => {
    compose('config', '-q');
    expect(compose('config', '--services').trim().split('\n').sort()).toEqual(
      [
        'flink-jobs',
        'jobmanager',
        'kafka',
        'kafka-topics',
        'redis',
        'sink',
        'sql-gateway',
        'taskmanager',
        'udf-server',
      ].sort(),
    );
  });

  it('publishes the local stack ports', () => {
    const redisPort = new URL(LOCAL_STACK_DEFAULTS.redisUrl).port;
    const kafkaPort = LOCAL_STACK_DEFAULTS.kafkaBrokers[0]!.split(':')[1];
    const gatewayPort = new URL(LOCAL_STACK_DEFAULTS.flinkSqlGateway).port;
    const udfPort = LOCAL_STACK_DEFAULTS.udfAddress.split(':')[1];
    for (const port of [redisPort, kafkaPort, '8081', gatewayPort, udfPort]) {
      expect(resolved, `port ${port}`).toMatch(new RegExp(`published: ["']?${port}["']?`));
    }
  });

  it("creates `featureflow up`'s topics: each job's, with their .late and .dlq topics", () => {
    const jobTopics = stackTopics(builtInJobRegistry())
      .map((topic) => topic.name)
      .filter((name) => !name.endsWith('.late') && !name.endsWith('.dlq'));
    const text = read('docker-compose.yml');
    expect(text).toContain(`for t in ${jobTopics.join(' ')}; do`);
    expect(text).toContain('for topic in "$$t" "$$t.late" "$$t.dlq"');
    expect(text).toContain(`--partitions ${STACK_DEFAULTS.partitions}`);
  });

  it('runs the Kafka and Flink versions of stack/pom.xml, as `featureflow up` does', () => {
    for (const name of ['kafka', 'kafka-topics']) {
      expect(service(resolved, name)).toContain(
        `image: apache/kafka:${pomVersion('kafka.version')}`,
      );
    }
    const flinkDockerfile = read('docker/flink.Dockerfile');
    expect(flinkDockerfile).toMatch(new RegExp(`^FROM flink:${pomVersion('flink.version')}-`, 'm'));
    // The connector jars come from the same POM, not from versions of their own.
    expect(flinkDockerfile).toContain('-f stack/pom.xml -P flink dependency:copy-dependencies');
    for (const name of ['jobmanager', 'taskmanager', 'sql-gateway']) {
      expect(service(resolved, name)).toContain('dockerfile: docker/flink.Dockerfile');
    }
  });

  it('runs the UDF service and the sink from the compiled package of the Dockerfile', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:20\b/m);
    expect(dockerfile).toContain('npm install --omit=dev');
    expect(dockerfile).toContain('ENTRYPOINT ["featureflow"]');
    for (const name of ['udf-server', 'sink', 'flink-jobs']) {
      expect(service(resolved, name)).toContain('dockerfile: Dockerfile');
    }
    expect(service(resolved, 'udf-server')).toMatch(/- udf-server\n/);
    expect(service(resolved, 'sink')).toMatch(/- sink\n/);
  });

  it("submits the demo's jobs, with the bridge jar the Flink image holds", () => {
    const jobs = service(resolved, 'flink-jobs');
    const files = DEMO_JOBS.map((job) => relative(ROOT, job.sqlFile));
    expect(read('docker-compose.yml')).toContain(`for sql in ${files.join(' ')}; do`);
    const jar = /FEATUREFLOW_BRIDGE_JAR: (\S+)/.exec(jobs)?.[1];
    expect(jar && basename(jar)).toBe(basename(BRIDGE_JAR));
    expect(read('docker/flink.Dockerfile')).toContain(
      `COPY --from=jars /bridge/ ${jar!.replace(basename(jar!), '')}`,
    );
    // The package ships the files the service submits.
    const shipped = (JSON.parse(read('package.json')) as { files: string[] }).files;
    expect(shipped).toContain('flink-sql');
  });
});
