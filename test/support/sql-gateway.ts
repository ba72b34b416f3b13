/**
 * Just enough of the Flink SQL Gateway REST API (v1) for tests to run statements: open a
 * session, submit a statement, poll its operation until it finishes, page through its result.
 * Errors carry the gateway's root cause, which is the line a reader needs.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface StatementResult {
  readonly rows: readonly unknown[][];
  /** Set for statements that submit a job (INSERT). */
  readonly jobId: string | undefined;
}

export interface SqlGatewaySession {
  run(statement: string, timeoutMs?: number): Promise<StatementResult>;
  close(): Promise<void>;
}

/** The parts of the gateway's JSON answers these calls read. */
interface GatewayAnswer {
  sessionHandle?: string;
  operationHandle?: string;
  status?: string;
  jobID?: string;
  resultType?: 'NOT_READY' | 'PAYLOAD' | 'EOS';
  nextResultUri?: string;
  results?: { data?: { fields: unknown[] }[] };
}

async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<GatewayAnswer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(
      `SQL gateway ${method} ${path} answered ${response.status}: ${rootCause(text)}`,
    );
  }
  return text === '' ? {} : (JSON.parse(text) as GatewayAnswer);
}

/** The last "Caused by:" line of the server-side exception (the gateway nests 5 deep). */
function rootCause(text: string): string {
  try {
    const errors = (JSON.parse(text) as { errors?: string[] }).errors ?? [];
    const trace = errors.join('\n');
    const causes = trace.split('\n').filter((line) => line.startsWith('Caused by: '));
    return causes.at(-1)?.slice('Caused by: '.length) ?? errors[0] ?? text;
  } catch {
    return text.slice(0, 500);
  }
}

export async function openSqlGatewaySession(baseUrl: string): Promise<SqlGatewaySession> {
  const { sessionHandle } = await call(baseUrl, 'POST', '/v1/sessions', {});
  const session = `/v1/sessions/${sessionHandle}`;
  return {
    async run(statement, timeoutMs = 60_000) {
      const { operationHandle } = await call(baseUrl, 'POST', `${session}/statements`, {
        statement,
      });
      const operation = `${session}/operations/${operationHandle}`;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { status } = await call(baseUrl, 'GET', `${operation}/status`);
        if (status === 'FINISHED' || status === 'ERROR' || status === 'CANCELED') break;
        if (Date.now() > deadline)
          throw new Error(`statement still ${status} after ${timeoutMs} ms: ${statement}`);
        await sleep(200);
      }
      // An ERROR operation answers its result request with the error: call() throws it.
      const rows: unknown[][] = [];
      let jobId: string | undefined;
      let next: string | undefined = `${operation}/result/0?rowFormat=JSON`;
      while (next) {
        const page = await call(baseUrl, 'GET', next);
        jobId ??= page.jobID;
        for (const row of page.results?.data ?? []) rows.push(row.fields);
        if (page.resultType === 'EOS') break;
        if (page.resultType === 'NOT_READY') await sleep(200);
        next = page.nextResultUri;
        if (Date.now() > deadline)
          throw new Error(`results of '${statement}' did not end in ${timeoutMs} ms`);
      }
      return { rows, jobId };
    },
    async close() {
      await call(baseUrl, 'DELETE', session);
    },
  };
}
