/**
 * A small client for the Flink SQL Gateway REST API (v1/v2): sessions, statements, operation
 * status and results. Errors carry the gateway's own message, which is what an analyst needs.
 */
import { describeError, FeatureflowError } from '../core/errors.ts';

export interface StatementResult {
  /** Column names of the result, if any. */
  columns: string[];
  rows: unknown[][];
  /** Set for an INSERT (or statement set): the Flink job it started. */
  jobId?: string;
}

interface FetchResultsBody {
  resultType: 'NOT_READY' | 'PAYLOAD' | 'EOS';
  results?: { columns?: { name: string }[]; data?: { kind: string; fields: unknown[] }[] };
  jobID?: string;
  nextResultUri?: string;
}

const POLL_INTERVAL_MS = 200;

export class SqlGatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly requestTimeoutMs = 30_000,
  ) {}

  async openSession(properties: Record<string, string> = {}): Promise<string> {
    const body = await this.request<{ sessionHandle: string }>('POST', '/v1/sessions', {
      properties,
    });
    return body.sessionHandle;
  }

  async closeSession(session: string): Promise<void> {
    await this.request('DELETE', `/v1/sessions/${session}`).catch(() => undefined);
  }

  /**
   * Runs one statement and reads its whole result. For an INSERT the result is the job id as
   * soon as the job is submitted; a streaming SELECT is not supported here (it never ends).
   */
  async execute(session: string, statement: string, timeoutMs = 120_000): Promise<StatementResult> {
    const { operationHandle } = await this.request<{ operationHandle: string }>(
      'POST',
      `/v1/sessions/${session}/statements`,
      { statement },
    );
    const deadline = Date.now() + timeoutMs;
    const result: StatementResult = { columns: [], rows: [] };
    let uri = `/v1/sessions/${session}/operations/${operationHandle}/result/0?rowFormat=JSON`;
    for (;;) {
      const page = await this.request<FetchResultsBody>('GET', uri);
      if (page.jobID) result.jobId = page.jobID;
      if (page.results?.columns && result.columns.length === 0) {
        result.columns = page.results.columns.map((c) => c.name);
      }
      for (const row of page.results?.data ?? []) result.rows.push(row.fields);
      if (page.resultType === 'EOS' || !page.nextResultUri) return result;
      if (page.resultType === 'NOT_READY') {
        if (Date.now() > deadline) {
          throw new FeatureflowError(
            'timeout',
            `the SQL Gateway at ${this.baseUrl} gave no result within ${timeoutMs} ms`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      }
      // A job's id arrives with the first page; its rows (the INSERT's -1) do not matter.
      if (result.jobId && page.resultType === 'PAYLOAD') return result;
      uri = page.nextResultUri;
    }
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (error) {
      throw new FeatureflowError(
        'unavailable',
        `cannot reach the Flink SQL Gateway at ${this.baseUrl}: ${describeError((error as { cause?: unknown }).cause ?? error)} (is the stack up? 'featureflow status'; or set FLINK_SQL_GATEWAY)`,
        { cause: error, context: { url: this.baseUrl } },
      );
    }
    const text = await response.text();
    if (!response.ok) {
      throw new FeatureflowError('failed_precondition', gatewayError(text, response.status), {
        context: { status: response.status, path },
      });
    }
    return (text.length === 0 ? {} : JSON.parse(text)) as T;
  }
}

/**
 * The gateway answers errors as {"errors": ["Internal server error.", "<java stack trace>"]};
 * the useful line is the deepest "Caused by" message, e.g. a SQL validation error.
 */
export function gatewayError(body: string, status: number): string {
  let errors: string[] = [];
  try {
    errors = (JSON.parse(body) as { errors?: string[] }).errors ?? [];
  } catch {
    return `SQL Gateway answered HTTP ${status}: ${body.slice(0, 300)}`;
  }
  const trace = errors.join('\n');
  const causes = [...trace.matchAll(/Caused by: ([^\n]+)/g)].map((m) => m[1]!.trim());
  const meaningful = causes.filter(
    (c) =>
      !/^java\.util\.concurrent|^org\.apache\.flink\.util\.FlinkException: Failed to execute/.test(
        c,
      ),
  );
  const message =
    meaningful.at(-1) ??
    causes.at(-1) ??
    errors.find((e) => e !== 'Internal server error.') ??
    `HTTP ${status}`;
  return message.replace(/^[\w.$]+(Exception|Error): /, '');
}
