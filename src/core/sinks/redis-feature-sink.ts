/**
 * FeatureSink: feature rows -> Redis hashes (docs/redis-layout.md).
 *
 * rows -> batches of `batchSize` -> newest window per (entity, label) (window-batch.ts) ->
 * calls of `windowsPerCall` windows of one job and label -> RESP bytes (write-window-call.ts) ->
 * EVALSHA of the newest-wins script (write-window-script.ts), pipelined on one connection with
 * up to `maxBatchesInFlight` batches unanswered -> {written, stale, failed} + REDIS_WRITES.
 *
 * Each reply is classified once (redis-reply-errors.ts): rows Redis can take later (a lost
 * connection, OOM, READONLY...) come back as `pending` for another attempt, rows it never will
 * (WRONGTYPE) as `failures` with the row, for the caller's dead letter. Every write is
 * idempotent (an equal window re-writes the same values; an older one is refused), so sending a
 * row again whose reply was lost neither loses nor doubles anything.
 */
import { z } from 'zod';
import { FeatureflowError } from '../errors.ts';
import type { WindowedFeatureRow } from '../jobs/job-definition.ts';
import { EVENT_TO_REDIS, REDIS_WRITES } from '../metrics.ts';
import { EncodedCommand } from './encoded-command.ts';
import { type RedisClient, RedisConnection } from './redis-connection.ts';
import { classifyRedisReply } from './redis-reply-errors.ts';
import { redactRedisUrl, redisUrlProblem } from './redis-url.ts';
import { RespWriter } from './resp-writer.ts';
import { BatchPlanner, type FeatureTarget, type WriteFailure } from './window-batch.ts';
import {
  encodeWriteWindowCall,
  type ScriptCommand,
  type WriteWindowCall,
} from './write-window-call.ts';

export type { FeatureTarget, WriteFailure } from './window-batch.ts';

export interface FeatureSinkOptions {
  /** redis://host:port, or redis+cluster://host:port,... for a Redis Cluster (redis-url.ts);
   * the CLI and runtimes resolve it from REDIS_URL / --redis. */
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
  redisUrl: z.string().superRefine((url, context) => {
    const problem = redisUrlProblem(url);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  }),
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
      `feature sink option ${field} is unusable: ${JSON.stringify(field === 'redisUrl' ? redactRedisUrl(candidate.redisUrl) : candidate[field as keyof typeof candidate])} (${issue.message})`,
      { context: { field } },
    );
  }
  return Object.freeze(parsed.data);
}

export interface FeatureWriteResult {
  /** Windows now stored (including equal re-writes and repairs). */
  written: number;
  /** Windows not written because a newer one of the same entity, job and label is stored or
   * was in the same batch. */
  stale: number;
  /** Windows that can never be written as they are (a bad row, WRONGTYPE...): see `failures`. */
  failed: number;
  /** Every such window with its row and reason, for the dead letter. */
  failures: WriteFailure[];
  /** Written windows whose stored window_end was not a finite number (counted in `written`). */
  repaired: number;
  /** The first few repairs, with the unreadable value each replaced. */
  repairs: WriteFailure[];
}

/** One pass over the rows: what was settled, and the rows Redis may take later. */
export interface WriteAttempt {
  readonly result: FeatureWriteResult;
  /** Rows not written for a reason that passes (OOM, READONLY, LOADING, a lost connection...). */
  readonly pending: WindowedFeatureRow[];
  /** Why the first pending row is pending: Redis's reply, or the connection error. */
  readonly pendingError: FeatureflowError | undefined;
}

const MAX_REPAIR_SAMPLES = 10;
const WRITE_ACTION = 'write features to';

export function emptyWriteResult(): FeatureWriteResult {
  return { written: 0, stale: 0, failed: 0, failures: [], repaired: 0, repairs: [] };
}

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

  get displayUrl(): string {
    return this.connection.displayUrl;
  }

  /**
   * Writes one feature row per window of `target`'s job (a JobDefinition fits), once. Resolves
   * with the counts; rejects with FeatureflowError('unavailable') when some rows could not be
   * written for a reason that passes (Redis down, out of memory, read-only...), after which the
   * whole call can be retried. `writeFeaturesUntilDone` (write-until-done.ts) retries only the
   * rows still pending instead.
   */
  async writeFeatures(
    rows: readonly WindowedFeatureRow[],
    target: FeatureTarget,
  ): Promise<FeatureWriteResult> {
    const attempt = await this.writeOnce(rows, target);
    if (attempt.pendingError !== undefined) throw attempt.pendingError;
    return attempt.result;
  }

  /** One pass: settles what it can and hands back the rows to try again, never throwing for a
   * reason that passes. */
  async writeOnce(
    rows: readonly WindowedFeatureRow[],
    target: FeatureTarget,
  ): Promise<WriteAttempt> {
    const planner = this.plannerFor(target);
    const state: AttemptState = {
      redisUrl: this.connection.displayUrl,
      result: emptyWriteResult(),
      pending: [],
      pendingError: undefined,
    };
    if (rows.length === 0) return state;
    let client: RedisClient;
    try {
      client = await this.connection.ready(WRITE_ACTION);
    } catch (error) {
      if (!(error instanceof FeatureflowError && error.retriable)) throw error;
      addCounts(state.result, { written: 0, stale: 0, failed: 0, retried: rows.length });
      for (const row of rows) state.pending.push(row);
      state.pendingError = error;
      return state;
    }
    // Batches are written to the one connection synchronously, in row order, so Redis applies
    // them in that order. Up to maxBatchesInFlight wait for replies at once: this process
    // encodes the next batch while Redis runs the previous one. If the connection drops, the
    // client refuses further commands at once (no offline queue): the batches not yet sent
    // are pending as a whole, those sent are pending for the calls that got no reply.
    const { batchSize, maxBatchesInFlight } = this.options;
    const inFlight: Promise<void>[] = [];
    for (let start = 0; start < rows.length; start += batchSize) {
      const end = Math.min(start + batchSize, rows.length);
      if (state.transportLost) {
        addCounts(state.result, { written: 0, stale: 0, failed: 0, retried: end - start });
        for (let i = start; i < end; i++) state.pending.push(rows[i]!);
        continue;
      }
      const batch = planner.plan(rows, start, end);
      const counts: BatchCounts = {
        written: 0,
        stale: batch.stale,
        failed: batch.invalid.length,
        retried: 0,
      };
      for (const failure of batch.invalid) state.result.failures.push(failure);
      // Never rejects: every outcome lands in `state`.
      inFlight.push(this.send(client, batch.calls, counts, state));
      if (inFlight.length >= maxBatchesInFlight) await inFlight.shift();
    }
    await Promise.all(inFlight);
    return state;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /**
   * Writes the calls now (synchronously) and counts their replies into `state`. A call Redis
   * answers with NOSCRIPT (restarted, or SCRIPT FLUSH) is re-sent once with EVAL and the script
   * source, which also caches it again for the next EVALSHA.
   */
  private async send(
    client: RedisClient,
    calls: readonly WriteWindowCall[],
    counts: BatchCounts,
    state: AttemptState,
  ): Promise<void> {
    let command: ScriptCommand = 'EVALSHA';
    let pending = calls;
    let replies = this.dispatch(client, command, pending);
    while (pending.length > 0) {
      const settled = await replies;
      const noScript: WriteWindowCall[] = [];
      for (let i = 0; i < pending.length; i++) {
        const call = pending[i]!;
        const reply = settled[i]!;
        if (reply.status === 'fulfilled') {
          countReplies(call, reply.value, counts, state);
          continue;
        }
        const error: unknown = reply.reason;
        if (!isReplyError(error)) {
          // No reply: the connection is gone; whether Redis ran the call is unknown, and
          // writing it again is harmless.
          counts.retried += call.rows.length;
          for (const row of call.rows) state.pending.push(row);
          state.transportLost = true;
          state.pendingError ??= this.connection.unavailable(WRITE_ACTION, error);
          continue;
        }
        const kind = classifyRedisReply(error.message);
        if (kind === 'noscript' && command === 'EVALSHA') {
          noScript.push(call);
        } else if (kind === 'retriable') {
          counts.retried += call.rows.length;
          for (const row of call.rows) this.postpone(state, row, error.message);
        } else {
          counts.failed += call.rows.length;
          for (const row of call.rows)
            state.result.failures.push(refusal(call, row, error.message));
        }
      }
      command = 'EVAL';
      pending = noScript;
      if (pending.length > 0) replies = this.dispatch(client, command, pending);
    }
    addCounts(state.result, counts);
  }

  /** A row Redis will take later: kept for the next attempt, with the first such reason. */
  private postpone(state: AttemptState, row: WindowedFeatureRow, reply: string): void {
    state.pending.push(row);
    state.pendingError ??= cannotWriteNow(state.redisUrl, reply);
  }

  /** Writes the calls back to back on the one connection (Redis pipelines them); each reply
   * settles on its own, so one refused call does not hide the others. */
  private dispatch(
    client: RedisClient,
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
    for (let i = 0; i < ends.length; i++) {
      const end = ends[i]!;
      const encoded = new EncodedCommand(name, bytes.subarray(start, end), calls[i]!.slot);
      replies.push(client.sendCommand(encoded) as Promise<unknown>);
      start = end;
    }
    return Promise.allSettled(replies);
  }

  private plannerFor(target: FeatureTarget): BatchPlanner {
    let planner = this.planners.get(target);
    if (planner === undefined) {
      planner = new BatchPlanner(target, { ...this.options, cluster: this.connection.cluster });
      this.planners.set(target, planner);
    }
    return planner;
  }
}

interface AttemptState {
  readonly redisUrl: string;
  result: FeatureWriteResult;
  pending: WindowedFeatureRow[];
  pendingError: FeatureflowError | undefined;
  /** Set once a call got no reply: the batches after it are not sent. */
  transportLost?: boolean;
}

export function createFeatureSink(options: FeatureSinkOptions): FeatureSink {
  return new FeatureSink(options);
}

/** Errors Redis itself sent back (WRONGTYPE, NOSCRIPT, OOM, script errors), as opposed to a
 * lost connection. ioredis uses redis-errors' ReplyError, whose name is its class name. */
function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

interface BatchCounts {
  written: number;
  stale: number;
  failed: number;
  /** Windows Redis could not take yet: pending, in the metric only. */
  retried: number;
}

/** The script's reply: per key 1 (written), 0 (stale), [2, stored] (written over an
 * unreadable window_end), or the error text for that window. */
function countReplies(
  call: WriteWindowCall,
  reply: unknown,
  counts: BatchCounts,
  state: AttemptState,
): void {
  const statuses = Array.isArray(reply) ? reply : [];
  // Freshness: Redis has just acknowledged these windows, each complete at its window_end.
  const ackedSeconds = Date.now() / 1000;
  for (let j = 0; j < call.rows.length; j++) {
    const status: unknown = statuses[j];
    const row = call.rows[j]!;
    if (status === 1) {
      counts.written++;
      EVENT_TO_REDIS.observe(ackedSeconds - row.window_end / 1000);
    } else if (status === 0) counts.stale++;
    else if (Array.isArray(status) && status[0] === 2) {
      counts.written++;
      EVENT_TO_REDIS.observe(ackedSeconds - row.window_end / 1000);
      const result = state.result;
      result.repaired++;
      if (result.repairs.length < MAX_REPAIR_SAMPLES) {
        result.repairs.push({
          entity_id: row.entity_id,
          window_end: row.window_end,
          row,
          reason: `stored ${call.endField} of ${call.keyPrefix}${row.entity_id} was not a number: ${JSON.stringify(String(status[1]))} (treated as absent: this window replaced it)`,
        });
      }
    } else if (typeof status === 'string' && classifyRedisReply(status) === 'retriable') {
      // Per key, e.g. OOM at the first write of a script: this window waits for the next try.
      counts.retried++;
      state.pending.push(row);
      state.pendingError ??= cannotWriteNow(state.redisUrl, status);
    } else {
      counts.failed++;
      const reason =
        typeof status === 'string' ? status : `unexpected script reply ${JSON.stringify(status)}`;
      state.result.failures.push(refusal(call, row, reason));
    }
  }
}

/** Why rows wait: Redis answered with an error that passes (redis-reply-errors.ts). */
function cannotWriteNow(redisUrl: string, reply: string): FeatureflowError {
  return new FeatureflowError(
    'unavailable',
    `Redis at ${redisUrl} cannot take writes now: ${reply} (the windows are written once it can: raise maxmemory or free memory for OOM, point --redis at the primary for READONLY, or wait for loading or failover to finish)`,
    { context: { redisUrl, reply } },
  );
}

function addCounts(result: FeatureWriteResult, counts: BatchCounts): void {
  REDIS_WRITES.inc({ status: 'written' }, counts.written);
  REDIS_WRITES.inc({ status: 'stale' }, counts.stale);
  REDIS_WRITES.inc({ status: 'failed' }, counts.failed);
  REDIS_WRITES.inc({ status: 'retried' }, counts.retried);
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
    row,
  };
}
