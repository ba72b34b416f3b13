/**
 * The gRPC handler of `Invoke`: bytes -> admit -> decode -> bound the response -> runInvokeBatch
 * -> encode -> bytes, with the call's deadline and cancellation passed down, metrics recorded,
 * and every failure turned into a gRPC status (nothing thrown reaches grpc-js, so nothing can
 * crash the server). A call the limits do not allow is refused with RESOURCE_EXHAUSTED before
 * any window is computed; a refusal that is only about the calls in progress ("busy") carries
 * gRPC's `grpc-retry-pushback-ms` trailer, so a client knows to send it again and when (the Flink
 * bridge does).
 */
import { Metadata, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import { describeError } from '../core/errors.ts';
import { UDF_BATCH_ROWS, UDF_CALLS, UDF_LATENCY } from '../core/metrics.ts';
import { decodeInvokeRequest, type InvokeRequestBatch } from './codec/invoke-request.ts';
import { encodeInvokeResponse } from './codec/invoke-response.ts';
import { WireFormatError } from './codec/wire-reader.ts';
import { nextTurn } from './event-loop-turns.ts';
import type { FunctionRegistry } from './function-registry.ts';
import {
  byteLengthsOf,
  estimateResponseBytes,
  type InvokeAdmission,
  type Refusal,
} from './invoke-limits.ts';
import { runInvokeBatch } from './invoke-runner.ts';

/** UDF_CALLS counts windows (one Flink function call each), by outcome. */
type CallStatus = 'ok' | 'error' | 'invalid' | 'deadline_exceeded' | 'cancelled' | 'refused';

/** Longest status detail sent back: details may quote the request, which is unbounded. */
const MAX_DETAILS_CHARS = 512;
/** Characters of an unknown function's name quoted back. */
const NAME_QUOTE_CHARS = 64;
/**
 * The wait a busy refusal asks for: about a call's duration, so that a slot is likely free;
 * jittered so that a crowd of refused calls does not come back all at once.
 */
const BUSY_PUSHBACK_MS = 100;

/** The trailers of a refusal: the pushback when it is only busy, nothing when it is final. */
export function refusalTrailers(refusal: Refusal): Metadata | undefined {
  if (!refusal.busy) return undefined;
  const trailers = new Metadata();
  const ms = BUSY_PUSHBACK_MS + Math.floor(Math.random() * BUSY_PUSHBACK_MS);
  trailers.set('grpc-retry-pushback-ms', String(ms));
  return trailers;
}

/**
 * `activity` hears of each call as it arrives (with its request's bytes, refused or not) and as it
 * finishes (0): what ./idle-collector.ts needs to tell when a burst is over.
 */
export function createInvokeHandler(
  registry: FunctionRegistry,
  admission: InvokeAdmission,
  activity: (requestBytes: number) => void = () => {},
) {
  const limits = admission.limits;
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    const started = performance.now();
    activity(call.request.length);
    let functionLabel = 'unknown';
    let rows = 0;
    let answered = false;
    const finish = (outcome: CallStatus, count = rows) => {
      if (count > 0) UDF_CALLS.inc({ function: functionLabel, status: outcome }, count);
      UDF_BATCH_ROWS.observe(rows);
      UDF_LATENCY.observe((performance.now() - started) / 1000);
    };
    const fail = (outcome: CallStatus, code: status, details: string, metadata?: Metadata) => {
      finish(outcome);
      answered = true;
      callback({
        code,
        details: bounded(details, MAX_DETAILS_CHARS),
        ...(metadata && { metadata }),
      });
    };
    const refuse = (refusal: Refusal) =>
      fail('refused', status.RESOURCE_EXHAUSTED, refusal.reason, refusalTrailers(refusal));

    const refusal = admission.enter();
    if (refusal !== undefined) {
      refuse(refusal);
      return;
    }
    let reserved = 0;
    const run = async () => {
      // Decoding a large request takes tens of ms: one per turn, as the slices of a batch; the
      // bytes in flight are judged at the call's turn, once the calls before it have reserved.
      await nextTurn();
      const full = admission.precheck(call.request.length);
      if (full !== undefined) {
        refuse(full);
        return;
      }
      let batch: InvokeRequestBatch;
      try {
        batch = decodeInvokeRequest(call.request);
      } catch (error) {
        fail(
          'invalid',
          status.INVALID_ARGUMENT,
          `the Invoke request is not a featureflow.udf.v1.InvokeRequest: ${describeError(error)} (client and server protocols differ?)`,
        );
        return;
      }
      rows = batch.eventCounts.length;
      const fn = registry.get(batch.functionName);
      if (fn === undefined) {
        fail(
          'invalid',
          status.NOT_FOUND,
          `unknown function '${bounded(batch.functionName, NAME_QUOTE_CHARS)}' (this server offers ${registry.names.join(', ')}; see Describe or 'featureflow functions')`,
        );
        return;
      }
      functionLabel = fn.descriptor.name;
      const entityIdBytes = byteLengthsOf(batch.entityIds.dictionary);
      const responseBytes = estimateResponseBytes(
        fn,
        batch,
        entityIdBytes,
        limits.maxEntityIdBytes,
      );
      if (responseBytes > limits.maxResponseBytes) {
        fail(
          'refused',
          status.RESOURCE_EXHAUSTED,
          `${fn.descriptor.name}: the response to ${rows} windows could take ${responseBytes} bytes, more than --max-response-bytes ${limits.maxResponseBytes} (send fewer windows per call)`,
        );
        return;
      }
      const cost = call.request.length + responseBytes;
      const busy = admission.reserve(cost);
      if (busy !== undefined) {
        refuse(busy);
        return;
      }
      reserved = cost;

      const deadline = call.getDeadline();
      const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
      const outcome = await runInvokeBatch(fn, batch, {
        deadlineMs: Number.isFinite(deadlineMs) ? deadlineMs : Number.POSITIVE_INFINITY,
        cancelled: () => call.cancelled,
        maxEntityIdBytes: limits.maxEntityIdBytes,
        entityIdBytes,
      });
      if (outcome.status !== 'ok') {
        fail(
          outcome.status,
          outcome.status === 'cancelled' ? status.CANCELLED : status.DEADLINE_EXCEEDED,
          `${fn.descriptor.name}: ${outcome.status === 'cancelled' ? 'the caller cancelled' : 'the deadline passed'} after ${outcome.windowsDone} of ${rows} windows (send smaller batches or allow a longer deadline)`,
        );
        return;
      }
      const response = encodeInvokeResponse(outcome.response, 64 + rows * 128);
      if (response.length > limits.maxResponseBytes) {
        // Only a function returning strings other than the entity id can get here.
        fail(
          'refused',
          status.RESOURCE_EXHAUSTED,
          `${fn.descriptor.name}: the response to ${rows} windows took ${response.length} bytes, more than --max-response-bytes ${limits.maxResponseBytes} (send fewer windows per call)`,
        );
        return;
      }
      if (outcome.failedRows > 0)
        UDF_CALLS.inc({ function: functionLabel, status: 'error' }, outcome.failedRows);
      finish('ok', rows - outcome.failedRows);
      answered = true;
      callback(null, response);
    };
    run()
      .catch((error: unknown) => {
        if (answered) {
          // The answer went out and something failed after it: not the caller's to hear.
          process.emitWarning(`udf-server: after an Invoke answer: ${describeError(error)}`);
          return;
        }
        if (error instanceof WireFormatError) {
          fail('invalid', status.INVALID_ARGUMENT, error.message);
          return;
        }
        // A bug, not a bad request: say so, keep serving.
        fail(
          'error',
          status.INTERNAL,
          `Invoke failed inside the UDF server: ${describeError(error)} (a bug: please report it with the request)`,
        );
      })
      .finally(() => {
        admission.release(reserved);
        admission.leave();
        activity(0);
      });
  };
}

function bounded(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 3)}...`;
}
