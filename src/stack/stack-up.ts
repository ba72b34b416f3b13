/**
 * `featureflow up`: artifacts -> configs -> Redis (or a Redis Cluster's nodes, then the cluster
 * formed) -> Kafka (+ topics) -> JobManager -> TaskManager -> SQL Gateway, each started only
 * once the one before it answers.
 *
 * stack.json is rewritten after every start, so whatever happens (a service that fails, a
 * Ctrl-C), `down` knows every pid; on a failure `up` itself stops what it started.
 */

import { describeError, FeatureflowError } from '../core/errors.ts';
import { builtInJobRegistry } from '../core/jobs/load-definitions.ts';
import { redactSecrets } from '../core/redaction.ts';
import { resolveArtifacts } from './artifacts.ts';
import { writeFlinkFiles } from './flink-config.ts';
import { assertJavaVersion, javaCommand } from './java.ts';
import type { TopicSpec } from './kafka-admin.ts';
import { ensureTopics, waitForGroupCoordinator } from './kafka-admin.ts';
import { writeKafkaFiles } from './kafka-config.ts';
import { assertPortsFree } from './ports.ts';
import { redisProbe } from './probes.ts';
import { isOurProcess, launchDetached } from './processes.ts';
import { waitUntilReady } from './readiness.ts';
import { redisClusterUrl } from './redis-cluster.ts';
import { writeRedisFiles } from './redis-config.ts';
import { createRunFolders, runLayout } from './run-folder.ts';
import { planServices } from './services.ts';
import { type PortName, redisPortOf, type StackConfig } from './stack-config.ts';
import { stopRecordedServices } from './stack-down.ts';
import {
  readStackState,
  removeStackState,
  type ServiceRecord,
  type StackState,
  writeStackState,
} from './stack-state.ts';
import { stackTopics } from './topics.ts';

export interface UpOptions {
  /** The topics to create; default: those of the built-in jobs. */
  topics?: readonly TopicSpec[];
  /** One human-readable line per step. */
  report: (line: string) => void;
  /** Aborting (Ctrl-C) stops the services started so far. */
  signal?: AbortSignal;
}

export interface UpResult {
  readonly state: StackState;
  /** Seconds Maven spent resolving jars in this call (0 when the cache was current). */
  readonly artifactSeconds: number;
  readonly totalMs: number;
  readonly topicsCreated: readonly string[];
}

export async function stackUp(config: StackConfig, options: UpOptions): Promise<UpResult> {
  const startedAt = performance.now();
  const layout = runLayout(config.runDir);
  assertNotAlreadyUp(layout);

  const java = javaCommand();
  await assertJavaVersion(java);
  const { artifacts, resolved } = await resolveArtifacts({
    homeDir: config.homeDir,
    onProgress: options.report,
  });

  createRunFolders(layout);
  const kafka = writeKafkaFiles(layout, config.ports);
  const flink = writeFlinkFiles({ ports: config.ports, taskSlots: config.taskSlots, layout });
  const redis =
    config.externalRedisUrl || config.redisClusterPorts
      ? undefined
      : writeRedisFiles(layout, config.ports.redis);
  const plans = planServices({ config, layout, artifacts, java, kafka, flink, redis });
  await assertPortsFree(
    plans.flatMap((plan) =>
      plan.ports.map((name: PortName) => ({ name, port: config.ports[name] })),
    ),
  );

  const state: StackState = {
    version: 1,
    runDir: layout.root,
    homeDir: config.homeDir,
    startedAt: new Date().toISOString(),
    complete: false,
    upMs: null,
    endpoints: {
      redisUrl:
        config.externalRedisUrl ??
        (config.redisClusterPorts
          ? redisClusterUrl(config.redisClusterPorts)
          : `redis://127.0.0.1:${config.ports.redis}`),
      kafkaBrokers: `127.0.0.1:${config.ports.kafka}`,
      flinkSqlGateway: `http://127.0.0.1:${config.ports.sqlGateway}`,
      flinkWebUi: `http://127.0.0.1:${config.ports.flinkRest}`,
    },
    services: [],
  };
  writeStackState(layout, state);

  let topicsCreated: string[] = [];
  try {
    if (config.externalRedisUrl) await checkExternalRedis(config.externalRedisUrl, state);

    for (const plan of plans) {
      throwIfAborted(options.signal);
      const serviceStart = performance.now();
      await plan.prepare?.();
      const launched = await launchDetached(plan.launch);
      const record: ServiceRecord = {
        name: plan.name,
        title: plan.title,
        pid: launched.pid,
        startTicks: launched.startTicks,
        port: plan.port,
        endpoint: plan.endpoint,
        logFiles: [...plan.logFiles],
        startedAt: new Date().toISOString(),
        readyMs: null,
      };
      state.services.push(record);
      writeStackState(layout, state);

      const ready = await waitUntilReady({
        service: plan.title,
        probe: plan.probe,
        timeoutMs: config.readyTimeoutMs,
        logFiles: plan.logFiles,
        exited: launched.exit,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      record.readyMs = Math.round(performance.now() - serviceStart);
      writeStackState(layout, state);
      options.report(
        `${plan.title} ready in ${seconds(record.readyMs)}: ${plan.endpoint} (${ready.detail}; pid ${launched.pid})`,
      );
      if (plan.afterReady) options.report(await plan.afterReady());

      if (plan.name === 'kafka') {
        const topicsStart = performance.now();
        const brokers = [state.endpoints.kafkaBrokers];
        await waitForGroupCoordinator(brokers, config.readyTimeoutMs);
        const wanted = options.topics ?? stackTopics(builtInJobRegistry());
        const topics = await ensureTopics(brokers, wanted, 30_000);
        topicsCreated = topics.created;
        options.report(
          `topics ready in ${seconds(performance.now() - topicsStart)}: ${topics.created.length} created, ${topics.existing.length} already there (${wanted.map((t) => t.name).join(', ')}; group coordinator up)`,
        );
      }
    }
  } catch (error) {
    options.report(`stopping what was started, because: ${firstLine(describeError(error))}`);
    await stopRecordedServices(state, config.stopTimeoutMs, options.report).catch(
      (stopError: unknown) =>
        options.report(
          `could not stop everything: ${describeError(stopError)} (see ${layout.stateFile})`,
        ),
    );
    removeStackState(layout);
    throw error;
  }

  state.complete = true;
  state.upMs = Math.round(performance.now() - startedAt);
  writeStackState(layout, state);
  return {
    state,
    artifactSeconds: resolved.reduce((sum, r) => sum + r.seconds, 0),
    totalMs: state.upMs,
    topicsCreated,
  };
}

function assertNotAlreadyUp(layout: ReturnType<typeof runLayout>): void {
  const existing = readStackState(layout);
  if (!existing) return;
  const running = existing.services.filter(
    (service) => service.pid !== null && isOurProcess(service.pid, service.startTicks),
  );
  if (running.length === 0) {
    // Left by a stack whose processes are gone (a reboot, a kill -9): nothing to protect.
    removeStackState(layout);
    return;
  }
  throw new FeatureflowError(
    'conflict',
    `a stack is already up in ${layout.root} (${running.map((s) => `${s.name} pid ${s.pid}`).join(', ')}): 'featureflow status' shows it, 'featureflow down' stops it, or give another --run-dir`,
    { context: { runDir: layout.root } },
  );
}

async function checkExternalRedis(url: string, state: StackState): Promise<void> {
  const result = await redisProbe(url)();
  if (!result.ok) {
    throw new FeatureflowError(
      'unavailable',
      `the Redis named by REDIS_URL / --redis does not answer: ${redactSecrets(url)} (${result.reason}); start it, or unset REDIS_URL to let 'up' start one`,
      { context: { redisUrl: redactSecrets(url) } },
    );
  }
  state.services.push({
    name: 'redis',
    title: 'Redis (external)',
    pid: null,
    startTicks: null,
    port: redisPortOf(url),
    endpoint: url,
    logFiles: [],
    startedAt: new Date().toISOString(),
    readyMs: 0,
  });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new FeatureflowError('failed_precondition', 'interrupted');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
