/**
 * `featureflow up`: artifacts -> configs -> Redis (or a Redis Cluster's nodes, then the cluster
 * formed) -> Kafka (+ topics) -> JobManager -> TaskManager(s) -> SQL Gateway, each started only
 * once the one before it answers.
 *
 * On a run folder whose stack is up, `up` starts only what is missing (a TaskManager killed,
 * a broker that crashed), with the settings the stack was started with, and leaves the rest
 * running: recovering from a lost service is the same command as starting.
 *
 * stack.json is rewritten after every start, so whatever happens (a service that fails, a
 * Ctrl-C), `down` knows every pid; on a failure `up` itself stops what it started.
 */

import { describeError, FeatureflowError } from '../core/errors.ts';
import type { JobRegistry } from '../core/jobs/job-registry.ts';
import { builtInJobRegistry } from '../core/jobs/load-definitions.ts';
import { redactSecrets } from '../core/redaction.ts';
import { resolveArtifacts } from './artifacts.ts';
import { writeFlinkFiles } from './flink-config.ts';
import { assertJavaVersion, javaCommand } from './java.ts';
import { ensureTopics, waitForGroupCoordinator } from './kafka-admin.ts';
import { writeKafkaFiles } from './kafka-config.ts';
import { assertSaslPortFree, describeSaslListener } from './kafka-sasl-listener.ts';
import { assertPortsFree } from './ports.ts';
import { redisProbe } from './probes.ts';
import { isOurProcess, launchDetached } from './processes.ts';
import { waitUntilReady } from './readiness.ts';
import { redisClusterUrl } from './redis-cluster.ts';
import { writeRedisFiles } from './redis-config.ts';
import { createRunFolders, runLayout } from './run-folder.ts';
import { planServices } from './services.ts';
import { PORT_NAMES, type PortName, redisPortOf, type StackConfig } from './stack-config.ts';
import { stopRecordedServices } from './stack-down.ts';
import {
  readStackState,
  removeStackState,
  type ServiceRecord,
  type StackSettings,
  type StackState,
  writeStackState,
} from './stack-state.ts';
import { stackTopics } from './topics.ts';

export interface UpOptions {
  /** The jobs whose topics to create; default: the built-in jobs. */
  jobs?: JobRegistry;
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
  /** The services this call started: all of them, or what was missing from a running stack. */
  readonly started: readonly string[];
}

export async function stackUp(requested: StackConfig, options: UpOptions): Promise<UpResult> {
  const startedAt = performance.now();
  const layout = runLayout(requested.runDir);
  const running = runningStack(layout);
  const config = running ? settingsOf(running, requested, options.report) : requested;

  const java = javaCommand();
  await assertJavaVersion(java);
  const { artifacts, resolved } = await resolveArtifacts({
    homeDir: config.homeDir,
    onProgress: options.report,
  });

  createRunFolders(layout);
  const kafka = writeKafkaFiles(layout, config.ports, config.partitions, config.kafkaSaslPort);
  const flink = writeFlinkFiles({ ports: config.ports, taskSlots: config.taskSlots, layout });
  const redis =
    config.externalRedisUrl || config.redisClusterPorts
      ? undefined
      : writeRedisFiles(layout, config.ports.redis);
  const allPlans = planServices({ config, layout, artifacts, java, kafka, flink, redis });
  const plans = running ? allPlans.filter((plan) => !isRunning(running, plan.name)) : allPlans;
  if (running && plans.length === 0) {
    options.report(`every service of the stack in ${layout.root} runs: nothing to start`);
  }
  await assertPortsFree(
    plans.flatMap((plan) =>
      plan.ports.map((name: PortName) => ({ name, port: config.ports[name] })),
    ),
  );
  if (kafka.saslListener) await assertSaslPortFree(kafka.saslListener.port);

  const state: StackState = running ?? {
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
  state.settings = settingsToRecord(config);
  writeStackState(layout, state);

  let topicsCreated: string[] = [];
  const startedNow: ServiceRecord[] = [];
  try {
    if (config.externalRedisUrl && !running)
      await checkExternalRedis(config.externalRedisUrl, state);

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
        ...(plan.resourceId ? { resourceId: plan.resourceId } : {}),
      };
      replaceRecord(
        state,
        record,
        allPlans.map((p) => p.name),
      );
      startedNow.push(record);
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
        const wanted = stackTopics(options.jobs ?? builtInJobRegistry(), config.partitions);
        const topics = await ensureTopics(brokers, wanted, 30_000);
        topicsCreated = topics.created;
        options.report(
          `topics ready in ${seconds(performance.now() - topicsStart)}: ${topics.created.length} created, ${topics.existing.length} already there (${wanted.map((t) => t.name).join(', ')}; group coordinator up)`,
        );
        if (kafka.saslListener) options.report(describeSaslListener(kafka.saslListener));
      }
    }
  } catch (error) {
    options.report(`stopping what was started, because: ${firstLine(describeError(error))}`);
    // A running stack keeps what ran before this call; a new one is stopped whole.
    const toStop = running ? { ...state, services: startedNow } : state;
    await stopRecordedServices(toStop, config.stopTimeoutMs, options.report).catch(
      (stopError: unknown) =>
        options.report(
          `could not stop everything: ${describeError(stopError)} (see ${layout.stateFile})`,
        ),
    );
    if (running) {
      state.services = state.services.filter((service) => !startedNow.includes(service));
      writeStackState(layout, state);
    } else {
      removeStackState(layout);
    }
    throw error;
  }

  state.complete = true;
  state.upMs ??= Math.round(performance.now() - startedAt);
  writeStackState(layout, state);
  return {
    state,
    artifactSeconds: resolved.reduce((sum, r) => sum + r.seconds, 0),
    totalMs: Math.round(performance.now() - startedAt),
    topicsCreated,
    started: startedNow.map((record) => record.name),
  };
}

/**
 * The stack already up in this run folder (at least one of its processes runs), or undefined
 * when there is none; a state whose processes are all gone (a reboot) is forgotten.
 */
function runningStack(layout: ReturnType<typeof runLayout>): StackState | undefined {
  const existing = readStackState(layout);
  if (!existing) return undefined;
  const running = existing.services.filter(
    (service) => service.pid !== null && isOurProcess(service.pid, service.startTicks),
  );
  if (running.length === 0) {
    // Left by a stack whose processes are gone (a reboot, a kill -9): nothing to protect.
    removeStackState(layout);
    return undefined;
  }
  if (!existing.settings) {
    throw new FeatureflowError(
      'conflict',
      `a stack is already up in ${layout.root} (${running.map((s) => `${s.name} pid ${s.pid}`).join(', ')}), started by an older featureflow that did not record its settings: 'featureflow down' stops it, or give another --run-dir`,
      { context: { runDir: layout.root } },
    );
  }
  return existing;
}

function isRunning(state: StackState, name: string): boolean {
  const record = state.services.find((service) => service.name === name);
  if (!record) return false;
  // An external Redis is not ours to start: it counts as there.
  return record.pid === null || isOurProcess(record.pid, record.startTicks);
}

/**
 * The settings to complete a running stack with: the recorded ones (its services listen
 * there), except that a larger --taskmanagers adds TaskManagers. A setting given otherwise
 * is reported, not applied: changing it needs `down` first.
 */
function settingsOf(
  state: StackState,
  requested: StackConfig,
  report: (line: string) => void,
): StackConfig {
  const recorded = state.settings!;
  const ports = Object.fromEntries(
    PORT_NAMES.map((name) => [name, recorded.ports[name] ?? requested.ports[name]]),
  ) as Record<PortName, number>;
  const differing = [
    ...PORT_NAMES.filter((name) => ports[name] !== requested.ports[name]).map(
      (name) => `${name} port ${ports[name]}`,
    ),
    ...(recorded.taskSlots !== requested.taskSlots ? [`${recorded.taskSlots} task slots`] : []),
    ...(recorded.partitions !== requested.partitions ? [`${recorded.partitions} partitions`] : []),
  ];
  if (differing.length > 0) {
    report(
      `the stack in ${state.runDir} keeps the settings it was started with (${differing.join(', ')}); 'featureflow down' first to change them`,
    );
  }
  const taskManagers = Math.max(recorded.taskManagers, requested.taskManagers);
  return Object.freeze({
    ...requested,
    ports: Object.freeze(ports),
    externalRedisUrl: recorded.externalRedisUrl,
    taskManagers,
    taskSlots: recorded.taskSlots,
    partitions: recorded.partitions,
  });
}

function settingsToRecord(config: StackConfig): StackSettings {
  return {
    ports: { ...config.ports },
    ...(config.externalRedisUrl ? { externalRedisUrl: config.externalRedisUrl } : {}),
    taskManagers: config.taskManagers,
    taskSlots: config.taskSlots,
    partitions: config.partitions,
  };
}

/** Puts a (re)started service's record where the start order has it. */
function replaceRecord(state: StackState, record: ServiceRecord, order: readonly string[]): void {
  const others = state.services.filter((service) => service.name !== record.name);
  others.push(record);
  const rank = (name: string) => {
    const at = order.indexOf(name);
    return at === -1 ? -1 : at;
  };
  state.services = others.sort((a, b) => rank(a.name) - rank(b.name));
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
