/**
 * A TypeScript client of the UDF service: `featureflow functions` (Describe), health checks,
 * and Invoke for tests and benchmarks. Flink's client is the Java bridge; both speak udf.proto.
 */
import {
  type Client,
  type ClientReadableStream,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { FeatureflowError } from '../core/errors.ts';
import { columnKindOf } from './codec/columns.ts';
import { encodeInvokeRequest } from './codec/invoke-request.ts';
import { decodeInvokeResponse } from './codec/invoke-response.ts';
import type { ScalarKind } from './data-types.ts';
import {
  type DescribeResult,
  fromDescribeMessage,
  type ProtoDescribeResponse,
} from './describe-message.ts';
import type { ServingStatus } from './health-service.ts';
import { healthServiceDefinition, udfServiceDefinition } from './proto-services.ts';
import { type ClientTlsFiles, clientCredentials } from './tls-credentials.ts';
import {
  fromInvokeResponse,
  type NamedColumn,
  toInvokeRequest,
  type WindowInput,
  type WindowOutput,
} from './window-batch.ts';

export interface UdfClientOptions {
  /** host:port */
  readonly address: string;
  readonly tls?: ClientTlsFiles | undefined;
  /** The largest response accepted (default 64 MiB). */
  readonly maxResponseBytes?: number;
}

export interface CallOptions {
  /** Per call; default 10 s. */
  readonly timeoutMs?: number;
}

type Unary = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;

export class UdfClient {
  private readonly udf: Client & Record<string, Unary>;
  private readonly health: Client &
    Record<string, Unary> & {
      Watch(request: unknown): ClientReadableStream<{ status: ServingStatus }>;
    };
  private described: Promise<DescribeResult> | undefined;

  constructor(readonly options: UdfClientOptions) {
    const credentials = clientCredentials(options.tls);
    const channelOptions = {
      'grpc.max_receive_message_length': options.maxResponseBytes ?? 64 * 1024 * 1024,
      'grpc.max_send_message_length': -1,
    };
    const Udf = makeGenericClientConstructor(udfServiceDefinition(), 'UdfService');
    const Health = makeGenericClientConstructor(healthServiceDefinition(), 'Health');
    this.udf = new Udf(options.address, credentials, channelOptions) as never;
    this.health = new Health(options.address, credentials, channelOptions) as never;
  }

  describe(options: CallOptions = {}): Promise<DescribeResult> {
    return this.unary(this.udf, 'Describe', {}, options).then((message) =>
      fromDescribeMessage(message as ProtoDescribeResponse),
    );
  }

  /** The raw Invoke: an encoded InvokeRequest in, an encoded InvokeResponse out. */
  invokeBytes(request: Buffer, options: CallOptions = {}): Promise<Buffer> {
    return this.unary(this.udf, 'Invoke', request, options) as Promise<Buffer>;
  }

  /** Computes `functionName` over `windows`: one row or one error per window, in order. */
  async invoke(
    functionName: string,
    windows: readonly WindowInput[],
    options: CallOptions = {},
  ): Promise<WindowOutput[]> {
    this.described ??= this.describe(options);
    const described = await this.described;
    const fn = described.functions.find((f) => f.name === functionName);
    const events = fn?.arguments.find((a) => a.role === 'EVENTS')?.type.element?.fields;
    if (fn === undefined || events === undefined) {
      throw new FeatureflowError(
        'invalid_argument',
        `the UDF service at ${this.options.address} has no function '${functionName}' (it offers ${described.functions.map((f) => f.name).join(', ')})`,
      );
    }
    const named = (fields: readonly { name: string; type: { kind: string } }[]): NamedColumn[] =>
      fields.map((f) => ({ name: f.name, column: columnKindOf(f.type.kind as ScalarKind) }));
    const request = encodeInvokeRequest(toInvokeRequest(functionName, named(events), windows));
    const response = decodeInvokeResponse(await this.invokeBytes(request, options));
    return fromInvokeResponse(named(fn.result.fields ?? []), response);
  }

  /** grpc.health.v1 Check of `service` ("" is the whole server). */
  async checkHealth(service = '', options: CallOptions = {}): Promise<ServingStatus> {
    const response = (await this.unary(this.health, 'Check', { service }, options)) as {
      status: ServingStatus;
    };
    return response.status;
  }

  /** grpc.health.v1 Watch: every status the server reports, until the returned stop is called. */
  watchHealth(service: string, onStatus: (status: ServingStatus) => void): () => void {
    const stream = this.health.Watch({ service });
    stream.on('data', (message: { status: ServingStatus }) => onStatus(message.status));
    // The stream ends with an error when the server goes away or we cancel: both are expected.
    stream.on('error', () => {});
    return () => stream.cancel();
  }

  close(): void {
    this.udf.close();
    this.health.close();
  }

  private unary(
    client: Record<string, Unary>,
    method: string,
    request: unknown,
    options: CallOptions,
  ): Promise<unknown> {
    const deadline = new Date(Date.now() + (options.timeoutMs ?? 10_000));
    return new Promise((resolve, reject) =>
      client[method]!(request, new Metadata(), { deadline }, (error, response) =>
        error ? reject(this.describeFailure(method, error)) : resolve(response),
      ),
    );
  }

  private describeFailure(method: string, error: ServiceError): FeatureflowError {
    const address = this.options.address;
    const unavailable = error.code === status.UNAVAILABLE;
    return new FeatureflowError(
      unavailable
        ? 'unavailable'
        : error.code === status.DEADLINE_EXCEEDED
          ? 'timeout'
          : 'failed_precondition',
      `${method} on the UDF service at ${address} failed: ${status[error.code]}: ${error.details}` +
        (unavailable
          ? " (is it running? start it with 'featureflow udf-server', or point UDF_ADDRESS / --udf-address at it)"
          : ''),
      { cause: error, context: { address, method, grpcCode: error.code } },
    );
  }
}

export function createUdfClient(options: UdfClientOptions): UdfClient {
  return new UdfClient(options);
}
