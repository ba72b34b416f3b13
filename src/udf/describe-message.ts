/**
 * `DescribeResponse` (udf.proto) between its TypeScript form (./data-types.ts) and the objects
 * @grpc/proto-loader reads and writes (snake_case fields, enums by their proto names).
 */
import { FeatureflowError } from '../core/errors.ts';
import {
  ARGUMENT_ROLES,
  type Argument,
  type ArgumentRole,
  type DataType,
  type Field,
  type FunctionDescriptor,
  type TypeKind,
} from './data-types.ts';

export const PROTOCOL = 'featureflow.udf.v1';

export interface DescribeResult {
  readonly protocol: string;
  readonly serverVersion: string;
  readonly functions: readonly FunctionDescriptor[];
  readonly maxRequestBytes: number;
}

interface ProtoDataType {
  kind: string;
  nullable: boolean;
  element?: ProtoDataType | null;
  fields: { name: string; type?: ProtoDataType | null; doc: string }[];
  symbols: string[];
}

interface ProtoFunction {
  name: string;
  doc: string;
  arguments: { name: string; type?: ProtoDataType | null; role: string }[];
  result?: ProtoDataType | null;
}

export interface ProtoDescribeResponse {
  protocol: string;
  server_version: string;
  functions: ProtoFunction[];
  max_request_bytes: number;
}

const KIND_PREFIX = 'TYPE_KIND_';
const ROLE_PREFIX = 'ARGUMENT_ROLE_';

export function toDescribeMessage(result: DescribeResult): ProtoDescribeResponse {
  return {
    protocol: result.protocol,
    server_version: result.serverVersion,
    max_request_bytes: result.maxRequestBytes,
    functions: result.functions.map((fn) => ({
      name: fn.name,
      doc: fn.doc,
      arguments: fn.arguments.map((a) => ({
        name: a.name,
        type: toProtoType(a.type),
        role: `${ROLE_PREFIX}${a.role}`,
      })),
      result: toProtoType(fn.result),
    })),
  };
}

function toProtoType(type: DataType): ProtoDataType {
  return {
    kind: `${KIND_PREFIX}${type.kind}`,
    nullable: type.nullable,
    element: type.element ? toProtoType(type.element) : null,
    fields: (type.fields ?? []).map((f) => ({
      name: f.name,
      type: toProtoType(f.type),
      doc: f.doc ?? '',
    })),
    symbols: [...(type.symbols ?? [])],
  };
}

/** Throws FeatureflowError when the server describes something this client cannot read. */
export function fromDescribeMessage(message: ProtoDescribeResponse): DescribeResult {
  return {
    protocol: message.protocol,
    serverVersion: message.server_version,
    maxRequestBytes: Number(message.max_request_bytes),
    functions: message.functions.map(
      (fn): FunctionDescriptor => ({
        name: fn.name,
        doc: fn.doc,
        arguments: fn.arguments.map(
          (a): Argument => ({
            name: a.name,
            type: fromProtoType(a.type, `${fn.name} argument ${a.name}`),
            role: fromRole(a.role, `${fn.name} argument ${a.name}`),
          }),
        ),
        result: fromProtoType(fn.result, `${fn.name} result`),
      }),
    ),
  };
}

function fromProtoType(type: ProtoDataType | null | undefined, where: string): DataType {
  const kind = type?.kind.startsWith(KIND_PREFIX) ? type.kind.slice(KIND_PREFIX.length) : '';
  if (!type || kind === '' || kind === 'UNSPECIFIED' || /^\d+$/.test(kind)) {
    throw new FeatureflowError(
      'failed_precondition',
      `the UDF service describes ${where} with type '${type?.kind ?? 'none'}', unknown to this client (upgrade featureflow)`,
    );
  }
  const fields: Field[] = type.fields.map((f) => ({
    name: f.name,
    type: fromProtoType(f.type, `${where} field ${f.name}`),
    ...(f.doc ? { doc: f.doc } : {}),
  }));
  return {
    kind: kind as TypeKind,
    nullable: type.nullable,
    ...(type.element ? { element: fromProtoType(type.element, `${where} element`) } : {}),
    ...(kind === 'ROW' ? { fields } : {}),
    ...(type.symbols.length > 0 ? { symbols: type.symbols } : {}),
  };
}

function fromRole(role: string, where: string): ArgumentRole {
  const name = role.startsWith(ROLE_PREFIX) ? role.slice(ROLE_PREFIX.length) : role;
  if (!(ARGUMENT_ROLES as readonly string[]).includes(name)) {
    throw new FeatureflowError(
      'failed_precondition',
      `the UDF service describes ${where} with role '${role}', unknown to this client (upgrade featureflow)`,
    );
  }
  return name as ArgumentRole;
}
