/**
 * `featureflow status`: for each service stack.json lists, whether its process still runs and
 * whether it answers its health probe right now.
 */
import {
  flinkJobManagerProbe,
  flinkTaskManagerProbe,
  kafkaProbe,
  type Probe,
  type ProbeResult,
  redisProbe,
  sqlGatewayProbe,
} from './probes.ts';
import { isOurProcess } from './processes.ts';
import { runLayout } from './run-folder.ts';
import { readStackState, type ServiceRecord, type StackState } from './stack-state.ts';

export interface ServiceStatus {
  readonly name: string;
  readonly title: string;
  readonly pid: number | null;
  readonly port: number;
  readonly endpoint: string;
  /** null for an external service, whose process is not ours to watch. */
  readonly running: boolean | null;
  readonly health: ProbeResult;
  readonly logFiles: readonly string[];
}

export interface StackStatus {
  readonly runDir: string;
  readonly state: StackState | undefined;
  readonly services: readonly ServiceStatus[];
  /** Up completed, every process runs, every probe passes. */
  readonly healthy: boolean;
}

export async function stackStatus(runDir: string): Promise<StackStatus> {
  const layout = runLayout(runDir);
  const state = readStackState(layout);
  if (!state) return { runDir: layout.root, state, services: [], healthy: false };
  const services = await Promise.all(
    state.services.map(async (service): Promise<ServiceStatus> => {
      const running = service.pid === null ? null : isOurProcess(service.pid, service.startTicks);
      const health: ProbeResult =
        running === false
          ? {
              ok: false,
              reason: `process ${service.pid} is gone (see ${service.logFiles[0] ?? 'its log'})`,
            }
          : await probeOf(service)();
      return {
        name: service.name,
        title: service.title,
        pid: service.pid,
        port: service.port,
        endpoint: service.endpoint,
        running,
        health,
        logFiles: service.logFiles,
      };
    }),
  );
  return {
    runDir: layout.root,
    state,
    services,
    healthy: state.complete && services.every((s) => s.health.ok && s.running !== false),
  };
}

function probeOf(service: ServiceRecord): Probe {
  switch (service.name) {
    case 'redis':
      return redisProbe(service.endpoint);
    case 'kafka':
      return kafkaProbe([service.endpoint]);
    case 'flink-jobmanager':
      return flinkJobManagerProbe(service.port);
    case 'sql-gateway':
      return sqlGatewayProbe(service.port);
    default:
      // Every TaskManager: `flink-taskmanager`, `flink-taskmanager-2`...
      return flinkTaskManagerProbe(service.port, service.resourceId);
  }
}
