/**
 * The standard gRPC health service (grpc.health.v1) for the UDF server: `Check` answers now,
 * `Watch` streams every change. The overall status ("") and the UDF service's own name are
 * known; any other name is NOT_FOUND (Check) or SERVICE_UNKNOWN (Watch), as the spec says.
 * Draining flips everything to NOT_SERVING first, so load balancers and probes stop sending
 * before the server stops accepting calls.
 */
import {
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { UDF_SERVICE_NAME } from './proto-files.ts';

export type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN' | 'UNKNOWN';

interface HealthRequest {
  service: string;
}
interface HealthResponse {
  status: ServingStatus;
}

export class HealthState {
  private readonly statuses = new Map<string, ServingStatus>([
    ['', 'SERVING'],
    [UDF_SERVICE_NAME, 'SERVING'],
  ]);
  private readonly watchers = new Set<ServerWritableStream<HealthRequest, HealthResponse>>();

  statusOf(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Sets every known service's status and tells every watcher. */
  setAll(next: 'SERVING' | 'NOT_SERVING'): void {
    for (const service of this.statuses.keys()) this.statuses.set(service, next);
    for (const watcher of this.watchers) {
      const service = watcher.request.service;
      watcher.write({ status: this.statuses.get(service) ?? 'SERVICE_UNKNOWN' });
    }
  }

  /** Ends every Watch stream: open streams would otherwise keep a graceful shutdown waiting. */
  endWatches(): void {
    for (const watcher of this.watchers) watcher.end();
    this.watchers.clear();
  }

  implementation(): UntypedServiceImplementation {
    return {
      Check: (
        call: ServerUnaryCall<HealthRequest, HealthResponse>,
        callback: sendUnaryData<HealthResponse>,
      ) => {
        const current = this.statuses.get(call.request.service);
        if (current === undefined) {
          callback({
            code: status.NOT_FOUND,
            details: `unknown service '${call.request.service}' (this server reports '' and '${UDF_SERVICE_NAME}')`,
          });
          return;
        }
        callback(null, { status: current });
      },
      Watch: (call: ServerWritableStream<HealthRequest, HealthResponse>) => {
        call.write({ status: this.statuses.get(call.request.service) ?? 'SERVICE_UNKNOWN' });
        this.watchers.add(call);
        call.on('cancelled', () => this.watchers.delete(call));
      },
    };
  }
}
