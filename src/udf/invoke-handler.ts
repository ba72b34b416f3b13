/**
 * The gRPC handler of `Invoke`: bytes -> decode -> runInvokeBatch -> encode -> bytes, with the
 * call's deadline and cancellation passed down, metrics recorded, and every failure turned
 * into a gRPC status (nothing thrown reaches grpc-js, so nothing can crash the server).
 */
import { type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import { describeError } from '../core/errors.ts';
import { UDF_BATCH_ROWS, UDF_CALLS, UDF_LATENCY } from '../core/metrics.ts';
import { decodeInvokeRequest, type InvokeRequestBatch } from './codec/invoke-request.ts';
import { encodeInvokeResponse } from './codec/invoke-response.ts';
import { WireFormatError } from './codec/wire-reader.ts';
import type { FunctionRegistry } from './function-registry.ts';
import { runInvokeBatch } from './invoke-runner.ts';

/** UDF_CALLS counts windows (one Flink function call each), by outcome. */
type CallStatus = 'ok' | 'error' | 'invalid' | 'deadline_exceeded' | 'cancelled';

export function createInvokeHandler(registry: FunctionRegistry) {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    const started = performance.now();
    let functionLabel = 'unknown';
    let rows = 0;
    const finish = (outcome: CallStatus, count = rows) => {
      if (count > 0) UDF_CALLS.inc({ function: functionLabel, status: outcome }, count);
      UDF_BATCH_ROWS.observe(rows);
      UDF_LATENCY.observe((performance.now() - started) / 1000);
    };
    try {
      let batch: InvokeRequestBatch;
      try {
        batch = decodeInvokeRequest(call.request);
      } catch (error) {
        finish('invalid');
        callback({
          code: status.INVALID_ARGUMENT,
          details: `the Invoke request is not a featureflow.udf.v1.InvokeRequest: ${describeError(error)} (client and server protocols differ?)`,
        });
        return;
      }
      rows = batch.eventCounts.length;
      const fn = registry.get(batch.functionName);
      if (fn === undefined) {
        finish('invalid');
        callback({
          code: status.NOT_FOUND,
          details: `unknown function '${batch.functionName}' (this server offers ${registry.names.join(', ')}; see Describe or 'featureflow functions')`,
        });
        return;
      }
      functionLabel = fn.descriptor.name;
      const deadline = call.getDeadline();
      const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
      const outcome = runInvokeBatch(fn, batch, {
        deadlineMs: Number.isFinite(deadlineMs) ? deadlineMs : Number.POSITIVE_INFINITY,
        cancelled: () => call.cancelled,
      });
      if (outcome.status !== 'ok') {
        finish(outcome.status);
        callback({
          code: outcome.status === 'cancelled' ? status.CANCELLED : status.DEADLINE_EXCEEDED,
          details: `${fn.descriptor.name}: ${outcome.status === 'cancelled' ? 'the caller cancelled' : 'the deadline passed'} after ${outcome.windowsDone} of ${rows} windows (send smaller batches or allow a longer deadline)`,
        });
        return;
      }
      const response = encodeInvokeResponse(outcome.response, 64 + rows * 128);
      if (outcome.failedRows > 0)
        UDF_CALLS.inc({ function: functionLabel, status: 'error' }, outcome.failedRows);
      finish('ok', rows - outcome.failedRows);
      callback(null, response);
    } catch (error) {
      // A bug, not a bad request: say so, keep serving.
      if (error instanceof WireFormatError) {
        finish('invalid');
        callback({ code: status.INVALID_ARGUMENT, details: error.message });
        return;
      }
      finish('error');
      callback({
        code: status.INTERNAL,
        details: `Invoke failed inside the UDF server: ${describeError(error)} (a bug: please report it with the request)`,
      });
    }
  };
}
