/**
 * The UDF service: Flink (through udf-server/flink-bridge) -> gRPC -> Invoke handler ->
 * TypeScript feature functions. One process serves `UdfService` (Describe, Invoke), the standard
 * health service and, optionally, /metrics.
 *
 * Draining (SIGTERM in `featureflow udf-server`): health turns NOT_SERVING while calls are
 * still served for `drainGraceMs`, so balancers and probes move away first; then new calls
 * are refused and in-flight ones finish (cancelled after `drainTimeoutMs`).
 *
 * Invoke calls are bounded (./invoke-limits.ts): calls at once, bytes in flight, response size
 * and entity id length, each refused with RESOURCE_EXHAUSTED (or a row error) before computing.
 * Once a burst of calls is over, the server collects its garbage (./idle-collector.ts), so that
 * its memory comes back.
 *
 * Every listener binds loopback unless given an address: the gRPC port by `address`, /metrics
 * by `metricsAddress`.
 *
 * Creating a server also sets how V8 schedules garbage collection in this process
 * (./gc-settings.ts): the service is throughput-bound, and V8's default cost it 0.5 us a window.
 */
import { readFileSync } from 'node:fs';
import { Server, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { FeatureflowError } from '../core/errors.ts';
import { collectProcessMetrics, type MetricsServer, serveMetrics } from '../core/metrics.ts';
import { type DescribeResult, PROTOCOL, toDescribeMessage } from './describe-message.ts';
import { featureFunctions } from './feature-functions.ts';
import { FunctionRegistry } from './function-registry.ts';
import { scheduleGcForThroughput } from './gc-settings.ts';
import { HealthState } from './health-service.ts';
import { createIdleCollector } from './idle-collector.ts';
import { createInvokeHandler } from './invoke-handler.ts';
import { InvokeAdmission } from './invoke-limits.ts';
import { healthServiceDefinition, udfServiceDefinition } from './proto-services.ts';
import { type InvokeLimits, UDF_SERVER_DEFAULTS } from './server-config.ts';
import { type ServerTlsFiles, serverCredentials } from './tls-credentials.ts';
import type { WindowFunction } from './window-function.ts';

export interface UdfServerOptions {
  /** host:port; port 0 picks a free port (see `UdfServer.port`). */
  readonly address: string;
  /** Default: the feature functions of src/udf/feature-functions.ts. */
  readonly functions?: readonly WindowFunction[];
  readonly maxRequestBytes?: number;
  readonly tls?: ServerTlsFiles | undefined;
  /** Serve /metrics on this port (0: a free one); absent or null: no metrics endpoint. */
  readonly metricsPort?: number | null;
  /** The interface /metrics listens on; default 127.0.0.1. */
  readonly metricsAddress?: string;
  /** Default: UDF_SERVER_DEFAULTS.limits, each limit that is not given. */
  readonly limits?: Partial<InvokeLimits>;
  readonly drainGraceMs?: number;
  readonly drainTimeoutMs?: number;
}

export interface UdfServer {
  /** host:port actually bound. */
  readonly address: string;
  readonly port: number;
  readonly metricsUrl: string | undefined;
  readonly functions: readonly string[];
  readonly health: HealthState;
  /** Graceful: NOT_SERVING, grace period, refuse new calls, let in-flight calls finish. */
  drain(): Promise<void>;
  /** Immediate: cancels in-flight calls. */
  close(): Promise<void>;
}

const SERVER_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** After a burst of at least IDLE_COLLECT_AFTER_BYTES of requests, the quiet time after which
 * the server collects its garbage (./idle-collector.ts): long enough that calls of steady
 * traffic keep coming before it. */
const IDLE_COLLECT_MS = 1_000;
const IDLE_COLLECT_AFTER_BYTES = 64 * 1024 * 1024;

/** Streams per connection beyond the concurrent call limit (health, Watch, Describe). */
const STREAM_HEADROOM = 8;

export async function createUdfServer(options: UdfServerOptions): Promise<UdfServer> {
  scheduleGcForThroughput();
  const registry = new FunctionRegistry(options.functions ?? featureFunctions());
  const maxRequestBytes = options.maxRequestBytes ?? UDF_SERVER_DEFAULTS.maxRequestBytes;
  const limits: InvokeLimits = Object.freeze({
    ...UDF_SERVER_DEFAULTS.limits,
    ...definedOnly(options.limits ?? {}),
  });
  const health = new HealthState();
  const server = new Server({
    'grpc.max_receive_message_length': maxRequestBytes,
    // The Invoke handler refuses larger responses itself, with a message saying why; this is
    // the backstop. The client sets its own receive limit.
    'grpc.max_send_message_length': Number.isFinite(limits.maxResponseBytes)
      ? Math.min(limits.maxResponseBytes + 1024, 2 ** 31 - 1)
      : -1,
    // grpc-js reads a whole request into memory before the handler can refuse it: past this
    // many streams a connection's further calls wait in the client instead of in our memory.
    // The headroom is for health checks, Watch streams and Describe.
    ...(Number.isFinite(limits.maxConcurrentCalls)
      ? { 'grpc.max_concurrent_streams': limits.maxConcurrentCalls + STREAM_HEADROOM }
      : {}),
  });
  const describe: DescribeResult = {
    protocol: PROTOCOL,
    serverVersion: SERVER_VERSION,
    functions: registry.descriptors,
    maxRequestBytes,
  };
  const describeMessage = toDescribeMessage(describe);
  const admission = new InvokeAdmission(limits);
  const collector = createIdleCollector({
    idleMs: IDLE_COLLECT_MS,
    afterBytes: IDLE_COLLECT_AFTER_BYTES,
    busy: () => admission.callsInFlight > 0,
  });
  server.addService(udfServiceDefinition(), {
    Describe: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      callback(null, describeMessage),
    Invoke: createInvokeHandler(registry, admission, (bytes) => collector.activity(bytes)),
  });
  server.addService(healthServiceDefinition(), health.implementation());

  const credentials = serverCredentials(options.tls);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(options.address, credentials, (error, boundPort) =>
      error
        ? reject(
            new FeatureflowError(
              /in use/i.test(error.message) ? 'conflict' : 'io_failed',
              `the UDF server cannot listen on ${options.address}: ${error.message} (pick another --address)`,
              { cause: error, context: { address: options.address } },
            ),
          )
        : resolve(boundPort),
    ),
  );
  const host = options.address.slice(0, options.address.lastIndexOf(':'));
  let metrics: MetricsServer | undefined;
  if (options.metricsPort !== undefined && options.metricsPort !== null) {
    collectProcessMetrics();
    try {
      metrics = await serveMetrics({
        port: options.metricsPort,
        host: options.metricsAddress ?? UDF_SERVER_DEFAULTS.metricsAddress,
      });
    } catch (error) {
      server.forceShutdown();
      throw error;
    }
  }

  let drained: Promise<void> | undefined;
  const stopMetrics = async () => {
    collector.close();
    await metrics?.close();
    metrics = undefined;
  };
  return {
    address: `${host}:${port}`,
    port,
    metricsUrl: metrics?.url,
    functions: registry.names,
    health,
    drain() {
      drained ??= (async () => {
        health.setAll('NOT_SERVING');
        await sleep(options.drainGraceMs ?? 1_000);
        health.endWatches();
        const finished = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
        const timedOut = sleep(options.drainTimeoutMs ?? 30_000).then(() => 'timeout' as const);
        if ((await Promise.race([finished, timedOut])) === 'timeout') server.forceShutdown();
        await stopMetrics();
      })();
      return drained;
    },
    async close() {
      health.setAll('NOT_SERVING');
      health.endWatches();
      server.forceShutdown();
      await stopMetrics();
    },
  };
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
