/**
 * What the UDF server takes on at once (see `InvokeLimits` in ./server-config.ts): calls being
 * computed, the bytes they hold, and the size of each response, all judged before any window is
 * computed, so that a refused call costs next to nothing. Without them one batch of windows
 * sharing a large entity id grew into a response 1,700 times its size, and a crowd of calls took
 * the process to gigabytes of RSS that it never gave back.
 */
import type { InvokeRequestBatch } from './codec/invoke-request.ts';
import type { InvokeLimits } from './server-config.ts';
import type { WindowFunction } from './window-function.ts';

/** Longest row error reason, in characters (./invoke-runner.ts truncates to it). */
export const MAX_ROW_ERROR_CHARS = 320;

/** Encoded bytes a result value of each column kind can take at most (protobuf varints and
 * fixed64), plus a string's length prefix; string values themselves are counted apart. */
const VALUE_BYTES = { double: 8, int64: 10, int32: 10, bool: 1, string: 5 + 5 } as const;

/**
 * An upper bound of the encoded response to `batch`: each row either succeeds (its string
 * results are its entity id, as every job's row is) or fails with a bounded error reason. An
 * entity id over the limit fails its row, so it is never echoed.
 */
export function estimateResponseBytes(
  fn: WindowFunction,
  batch: InvokeRequestBatch,
  entityIdBytes: ArrayLike<number>,
  maxEntityIdBytes: number,
): number {
  const rows = batch.eventCounts.length;
  let fixedPerRow = 0;
  let stringColumns = 0;
  for (const field of fn.resultFields) {
    fixedPerRow += VALUE_BYTES[field.column];
    if (field.column === 'string') stringColumns++;
  }
  // An error: tag, row varint, length prefix and a reason of up to 3 UTF-8 bytes a character.
  const errorBytes = 16 + 3 * MAX_ROW_ERROR_CHARS;
  let total = 64 + 64 * fn.resultFields.length + rows * (fixedPerRow + errorBytes);
  if (stringColumns === 0) return total;
  const indices = batch.entityIds.indices;
  for (let row = 0; row < rows; row++) {
    const bytes = entityIdBytes[indices[row]!] ?? 0;
    if (bytes <= maxEntityIdBytes) total += bytes * stringColumns;
  }
  return total;
}

/** UTF-8 byte length of each distinct entity id of a batch, computed once per batch. */
export function byteLengthsOf(dictionary: readonly string[]): Float64Array {
  const lengths = new Float64Array(dictionary.length);
  for (let i = 0; i < dictionary.length; i++) lengths[i] = Buffer.byteLength(dictionary[i]!);
  return lengths;
}

/**
 * A call the limits do not allow. `busy`: it would fit once calls in progress finish, so a client
 * should send it again later (the handler adds gRPC's retry pushback); otherwise it never fits.
 */
export interface Refusal {
  readonly reason: string;
  readonly busy: boolean;
}

/** Counts the calls being computed and the bytes they hold; refuses what would pass a limit. */
export class InvokeAdmission {
  private calls = 0;
  private bytes = 0;

  constructor(readonly limits: InvokeLimits) {}

  get callsInFlight(): number {
    return this.calls;
  }

  get bytesInFlight(): number {
    return this.bytes;
  }

  /** A call arrives: undefined when admitted (call `leave` once done), else why not. */
  enter(): Refusal | undefined {
    const max = this.limits.maxConcurrentCalls;
    if (this.calls >= max) {
      return {
        reason: `the UDF server is busy: ${this.calls} Invoke calls in progress (the limit, --max-concurrent-calls ${max}; retry with backoff, or raise the limit)`,
        busy: true,
      };
    }
    this.calls++;
    return undefined;
  }

  leave(): void {
    this.calls--;
  }

  /** Why a call of `requestBytes` cannot fit whatever its response, or undefined: lets a
   * crowd of calls be refused before each is decoded. */
  precheck(requestBytes: number): Refusal | undefined {
    const max = this.limits.maxBytesInFlight;
    if (this.bytes + requestBytes <= max) return undefined;
    if (requestBytes > max) {
      return {
        reason: `the call's request alone is ${requestBytes} bytes, more than --max-bytes-in-flight ${max} (send fewer windows per call)`,
        busy: false,
      };
    }
    return {
      reason: `the UDF server is busy: ${this.bytes} bytes in flight and this call's request of ${requestBytes} would pass --max-bytes-in-flight ${max} (retry with backoff, or raise the limit)`,
      busy: true,
    };
  }

  /**
   * Holds `bytes` (request plus estimated response) for an admitted call: undefined when
   * granted (call `release` with the same bytes), else why not.
   */
  reserve(bytes: number): Refusal | undefined {
    const max = this.limits.maxBytesInFlight;
    if (bytes > max) {
      return {
        reason: `the call needs ${bytes} bytes (its request plus its largest possible response), more than --max-bytes-in-flight ${max} (send fewer windows per call)`,
        busy: false,
      };
    }
    if (this.bytes + bytes > max) {
      return {
        reason: `the UDF server is busy: ${this.bytes} bytes in flight and this call's ${bytes} would pass --max-bytes-in-flight ${max} (retry with backoff, or raise the limit)`,
        busy: true,
      };
    }
    this.bytes += bytes;
    return undefined;
  }

  release(bytes: number): void {
    this.bytes -= bytes;
  }
}
