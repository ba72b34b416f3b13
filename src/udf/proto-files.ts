/**
 * Where the UDF protocol's .proto files are, and how @grpc/proto-loader reads them: field names
 * as written (snake_case), enums as their names, 64-bit integers as numbers, defaults filled.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from '@grpc/proto-loader';

export const PROTO_ROOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'udf-server',
  'proto',
);
export const UDF_PROTO_FILE = join(PROTO_ROOT, 'featureflow', 'udf', 'v1', 'udf.proto');
export const HEALTH_PROTO_FILE = join(PROTO_ROOT, 'grpc', 'health', 'v1', 'health.proto');

export const UDF_SERVICE_NAME = 'featureflow.udf.v1.UdfService';
export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

export const UDF_PROTO_LOADER_OPTIONS: Options = Object.freeze({
  keepCase: true,
  enums: String,
  longs: Number,
  defaults: true,
  arrays: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
});
