/**
 * The gRPC service definitions of the UDF protocol, loaded once from udf-server/proto.
 * `Invoke` is re-plumbed to carry raw bytes: the server decodes and encodes it with the columnar
 * codec (./codec), not protobufjs, and the TypeScript client does the same. Describe and health
 * keep proto-loader's (de)serialisers.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  HEALTH_PROTO_FILE,
  HEALTH_SERVICE_NAME,
  UDF_PROTO_FILE,
  UDF_PROTO_LOADER_OPTIONS,
  UDF_SERVICE_NAME,
} from './proto-files.ts';

const identity = (bytes: Buffer) => bytes;

let loaded: { udf: ServiceDefinition; health: ServiceDefinition } | undefined;

function load(): { udf: ServiceDefinition; health: ServiceDefinition } {
  if (loaded) return loaded;
  const definition = loadSync([UDF_PROTO_FILE, HEALTH_PROTO_FILE], UDF_PROTO_LOADER_OPTIONS);
  const udf = definition[UDF_SERVICE_NAME] as unknown as ServiceDefinition;
  const health = definition[HEALTH_SERVICE_NAME] as unknown as ServiceDefinition;
  const invoke = udf.Invoke!;
  loaded = {
    udf: {
      ...udf,
      Invoke: {
        ...invoke,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    health,
  };
  return loaded;
}

/** featureflow.udf.v1.UdfService, with Invoke as raw bytes both ways. */
export const udfServiceDefinition = (): ServiceDefinition => load().udf;

/** grpc.health.v1.Health. */
export const healthServiceDefinition = (): ServiceDefinition => load().health;
