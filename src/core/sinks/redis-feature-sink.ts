/**
 * FeatureSink: feature rows -> Redis hashes (docs/redis-layout.md).
 *
 * rows -> batches of `batchSize` -> newest window per (entity, label) (window-batch.ts) ->
 * calls of `windowsPerCall` windows of one label -> RESP bytes (write-window-call.ts) ->
 * EVALSHA of the newest-wins script (write-window-script.ts), pipelined on one connection with
 * up to `maxBatchesInFlight` batches unanswered -> {written, stale, failed} + REDIS_WRITES.
 *
 * Every write is idempotent (an equal window re-writes the same values; an older one is
 * refused), so a caller that gets FeatureflowError('unavailable') retries the whole call with
 * backoff and nothing is lost or doubled.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { FeatureflowError } from '../errors.ts';
import type { WindowedFeatureRow } from '../jobs/job-definition.ts';
import { EVENT_TO_REDIS, REDIS_WRITES } from '../metrics.ts';
import { EncodedCommand } from './encoded-command.ts';
import { RedisConnection } from './redis-connection.ts';
import { RespWriter } from './resp-writer.ts';
import { BatchPlanner, type FeatureTarget, type WriteFailure } from './window-batch.ts';
import {
  encodeWriteWindowCall,
  type ScriptCommand,
  type WriteWindowCall,
} from './write-window-call.ts';

export type { FeatureTarget, WriteFailure } from './window-batch.ts';

export interface FeatureSinkOptions {
  /** redis://host:port (the CLI and runtimes resolve it from REDIS_URL / --redis). */
  redisUrl: string;
  /** Key TTL, refreshed on every successful write. Default 24 h. */
  ttlMs?: number;
  /** Windows per pipelined round trip. Default 1000. */
  batchSize?: number;
  /** Windows per EVALSHA call within a batch (same label). Default 100. */
  windowsPerCall?: number;
  /** Batches sent before waiting for the oldest one's replies. Default 4. */
  maxBatchesInFlight?: number;
  /** How long to wait for a (re)connection before reporting Redis unavailable. Default 5 s. */
  connectTimeoutMs?: number;
}

export type ResolvedFeatureSinkOptions = Readonly<Required<FeatureSinkOptions>>;

export const FEATURE_SINK_DEFAULTS = Object.freeze({
  ttlMs: 24 * 60 * 60 * 1000,
  batchSize: 1000,
  windowsPerCall: 100,
  maxBatchesInFlight: 4,
  connectTimeoutMs: 5_000,
});

const optionsSchema = z.object({
  redisUrl: z.string().regex(/^rediss?:\/\/\S+$/, 'expected redis://host:port'),
  ttlMs: z.number().int().positive(),
  batchSize: z.number().int().min(1).max(100_000),
  // Each call runs as one Lua invocation that blocks Redis; keep it to about a millisecond.
  windowsPerCall: z.number().int().min(1).max(1_000),
  maxBatchesInFlight: z.number().int().min(1).max(64),
  connectTimeoutMs: z.number().int().positive(),
});

/** Fills the defaults and validates: the one place sink options are checked. */
export function resolveFeatureSinkOptions(options: FeatureSinkOptions): ResolvedFeatureSinkOptions {
  const candidate = {
    redisUrl: options.redisUrl,
    ttlMs: options.ttlMs ?? FEATURE_SINK_DEFAULTS.ttlMs,
    batchSize: options.batchSize ?? FEATURE_SINK_DEFAULTS.batchSize,
    windowsPerCall: options.windowsPerCall ?? FEATURE_SINK_DEFAULTS.windowsPerCall,
    maxBatchesInFlight: options.maxBatchesInFlight ?? FEATURE_SINK_DEFAULTS.maxBatchesInFlight,
    connectTimeoutMs: options.connectTimeoutMs ?? FEATURE_SINK_DEFAULTS.connectTimeoutMs,
  };
  const parsed = optionsSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0]);
    throw new FeatureflowError(
      'invalid_argument',
      `feature sink option ${field} is unusable: ${JSON.stringify(candidate[field as keyof typeof candidate])} (${issue.message})`,
      { context: { field } },
    );
  }
  return Object.freeze(parsed.data);
}

export interface FeatureWriteResult {
  /** Windows now stored (including equal re-writes). */
  written: number;
  /** Windows not written because a newer one of the same entity and label is stored or was in
   * the same batch. */
  stale: number;
  /** Windows that could not be written (bad row, or Redis refused the command). */
  failed: number;
  /** The first few failures with their reasons, so none goes unexplained. */
  failures: WriteFailure[];
}

const MAX_FAILURE_SAMPLES = 10;
const WRITE_ACTION = 'write features to';

export class FeatureSink {
  readonly options: ResolvedFeatureSinkOptions;
  private readonly connection: RedisConnection;
  private readonly planners = new WeakMap<FeatureTarget, BatchPlanner>();
  // One scratch buffer for encoding; each batch gets its own copy of its bytes.
  private readonly writer = new RespWriter();

  constructor(options: FeatureSinkOptions) {
    this.options = resolveFeatureSinkOptions(options);
    this.connection = new RedisConnection(this.options);
  }

  /**
   * Writes one feature row per window of `target`'s job (a JobDefinition fits). Resolves with
   * the counts; rejects with FeatureflowError('unavailable') when Redis cannot be reached, after
   * which the whole call can be retried.
   */
  async writeFeatures(
    rows: readonly WindowedFeatureRow[],
    target: FeatureTarget,
  ): Promise<FeatureWriteResult> {
    const planner = this.plannerFor(target);
    const result: FeatureWriteResult = { written: 0, stale: 0, failed: 0, failures: [] };
    if (rows.length === 0) return result;
    let client: Redis;
    try {
      client = await this.connection.ready(WRITE_ACTION);
    } catch (error) {
      addCounts(result, { written: 0, stale: 0, failed: rows.length });
      throw error;
    }
    // Batches are written to the one connection synchronously, in row order, so Redis applies
    // them in that order. Up to maxBatchesInFlight wait for replies at once: this process
    // encodes the next batch while Redis runs the previous one. If the connection drops, the
    // client refuses further commands at once (no offline queue) and the call fails.
    const { batchSize, maxBatchesInFlight } = this.options;
    const inFlight: Promise<unknown>[] = [];
    try {
      for (let start = 0; start < rows.length; start += batchSize) {
        const batch = planner.plan(rows, start, Math.min(start + batchSize, rows.length));
        const counts: BatchCounts = {
          written: 0,
          stale: batch.stale,
          failed: batch.invalid.length,
        };
        for (const failure of batch.invalid) addFailure(result, failure);
        const replies = this.send(client, batch.calls, counts, result);
        // Settles with the batch's error (or undefined) and never rejects, so a second failing
        // batch cannot become an unhandled rejection while the first one is awaited.
        inFlight.push(
          replies.then(
            () => addCounts(result, counts),
            (error: unknown) => {
              addCounts(result, counts);
              return error ?? new Error('a batch failed without a reason');
            },
          ),
        );
        if (inFlight.length >= maxBatchesInFlight) throwIfError(await inFlight.shift());
      }
      while (inFlight.length > 0) throwIfError(await inFlight.shift());
    } finally {
      // After a failure, let the batches already sent settle so the counts and metrics are
      // complete; their errors are the same outage as the one being thrown.
      await Promise.all(inFlight);
    }
    return result;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /**
   * Writes the calls now (synchronously) and counts their replies. A call Redis answers with
   * NOSCRIPT (restarted, or SCRIPT FLUSH) is re-sent once with EVAL and the script source,
   * which also caches it again for the next EVALSHA.
   */
  private async send(
    client: Redis,
    calls: readonly WriteWindowCall[],
    counts: BatchCounts,
    result: FeatureWriteResult,
  ): Promise<void> {
    let command: ScriptCommand = 'EVALSHA';
    let pending = calls;
    let replies = this.dispatch(client, command, pending);
    let transportError: unknown;
    while (pending.length > 0) {
      const settled = await replies;
      const noScript: WriteWindowCall[] = [];
      for (let i = 0; i < pending.length; i++) {
        const call = pending[i]!;
        const reply = settled[i]!;
        if (reply.status === 'fulfilled') {
          countReplies(call, reply.value, counts, result);
          continue;
        }
        const error: unknown = reply.reason;
        if (command === 'EVALSHA' && isReplyError(error) && error.message.startsWith('NOSCRIPT')) {
          noScript.push(call);
          continue;
        }
        counts.failed += call.rows.length;
        if (isReplyError(error)) {
          for (const row of call.rows) addFailure(result, refusal(call, row, error.message));
        } else {
          transportError ??= error;
        }
      }
      command = 'EVAL';
      pending = noScript;
      if (pending.length > 0) replies = this.dispatch(client, command, pending);
    }
    if (transportError !== undefined)
      throw this.connection.unavailable(WRITE_ACTION, transportError);
  }

  /** Writes the calls back to back on the one connection (Redis pipelines them); each reply
   * settles on its own, so one refused call does not hide the others. */
  private dispatch(
    client: Redis,
    command: ScriptCommand,
    calls: readonly WriteWindowCall[],
  ): Promise<PromiseSettledResult<unknown>[]> {
    // All calls are encoded into one buffer, and each command sends its slice of it: one
    // allocation per batch instead of one per call.
    const ends: number[] = [];
    for (const call of calls) {
      encodeWriteWindowCall(call, command, this.writer);
      ends.push(this.writer.byteLength);
    }
    const bytes = this.writer.take();
    const name = command.toLowerCase();
    const replies: Promise<unknown>[] = [];
    let start = 0;
    for (const end of ends) {
      const encoded = new EncodedCommand(name, bytes.subarray(start, end));
      replies.push(client.sendCommand(encoded) as Promise<unknown>);
      start = end;
    }
    return Promise.allSettled(replies);
  }

  private plannerFor(target: FeatureTarget): BatchPlanner {
    let planner = this.planners.get(target);
    if (planner === undefined) {
      planner = new BatchPlanner(target, this.options);
      this.planners.set(target, planner);
    }
    return planner;
  }
}

export function createFeatureSink(options: FeatureSinkOptions): FeatureSink {
  return new FeatureSink(options);
}

/** Errors Redis itself sent back (WRONGTYPE, NOSCRIPT, script errors), as opposed to a lost
 * connection. ioredis uses redis-errors' ReplyError, whose name is its class name. */
function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

interface BatchCounts {
  written: number;
  stale: number;
  failed: number;
}

/** The script's reply: per key 1 (written), 0 (stale) or the error text for that window. */
function countReplies(
  call: WriteWindowCall,
  reply: unknown,
  counts: BatchCounts,
  result: FeatureWriteResult,
): void {
  const statuses = Array.isArray(reply) ? reply : [];
  // Freshness: Redis has just acknowledged these windows, each complete at its window_end.
  const ackedSeconds = Date.now() / 1000;
  for (let j = 0; j < call.rows.length; j++) {
    const status: unknown = statuses[j];
    if (status === 1) {
      counts.written++;
      EVENT_TO_REDIS.observe(ackedSeconds - call.rows[j]!.window_end / 1000);
    } else if (status === 0) counts.stale++;
    else {
      counts.failed++;
      const reason =
        typeof status === 'string' ? status : `unexpected script reply ${JSON.stringify(status)}`;
      addFailure(result, refusal(call, call.rows[j]!, reason));
    }
  }
}

function throwIfError(outcome: unknown): void {
  if (outcome !== undefined) throw outcome;
}

function addCounts(result: FeatureWriteResult, counts: BatchCounts): void {
  REDIS_WRITES.inc({ status: 'written' }, counts.written);
  REDIS_WRITES.inc({ status: 'stale' }, counts.stale);
  REDIS_WRITES.inc({ status: 'failed' }, counts.failed);
  result.written += counts.written;
  result.stale += counts.stale;
  result.failed += counts.failed;
}

/** A window Redis would not take, e.g. WRONGTYPE when the key holds something else. */
function refusal(call: WriteWindowCall, row: WindowedFeatureRow, reason: string): WriteFailure {
  return {
    entity_id: row.entity_id,
    window_end: row.window_end,
    reason: `Redis refused the write to ${call.keyPrefix}${row.entity_id}: ${reason} (the key must be a feature hash; delete or rename what is there)`,
  };
}

function addFailure(result: FeatureWriteResult, failure: WriteFailure): void {
  if (result.failures.length < MAX_FAILURE_SAMPLES) result.failures.push(failure);
}
