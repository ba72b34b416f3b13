/**
 * The one error type of featureflow. Every failure a user can meet carries a closed `code`,
 * says whether retrying can help, keeps its `cause`, and names its context (topic, file,
 * flag...). Messages follow "what went wrong: the value (the limit or the fix)".
 */
export type FeatureflowErrorCode =
  | 'invalid_argument' // a flag, option or config value is unusable
  | 'invalid_event' // an event failed validation (goes to the dead letter, never thrown far)
  | 'decode_failed' // bytes are not a message of the expected schema
  | 'io_failed' // a file could not be read or written
  | 'unavailable' // a dependency (Redis, Kafka, Flink, the UDF service) did not answer
  | 'timeout' // something did not become ready in time
  | 'conflict' // a resource is taken (a port in use, a run already up)
  | 'failed_precondition' // the world is not in the state the call needs
  | 'internal'; // a bug: please report

const RETRIABLE_CODES: ReadonlySet<FeatureflowErrorCode> = new Set(['unavailable', 'timeout']);

export interface FeatureflowErrorOptions {
  cause?: unknown;
  context?: Record<string, unknown>;
  retriable?: boolean;
}

export class FeatureflowError extends Error {
  override readonly name = 'FeatureflowError';
  readonly code: FeatureflowErrorCode;
  readonly retriable: boolean;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: FeatureflowErrorCode, message: string, options: FeatureflowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? RETRIABLE_CODES.has(code);
    this.context = Object.freeze({ ...(options.context ?? {}) });
  }
}

/** Turns anything thrown into a short, single-line description for logs and dead letters. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
