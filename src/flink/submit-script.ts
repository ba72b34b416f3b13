/**
 * submit: SQL file -> placeholders -> statements -> SQL Gateway, one by one, reporting each
 * outcome; every INSERT's job is waited for until Flink reports it RUNNING.
 */
import { readFile } from 'node:fs/promises';
import { type KafkaSecurity, PLAINTEXT_SECURITY } from '../config/kafka-security.ts';
import { FeatureflowError } from '../core/errors.ts';
import { kafkaSecurityVars, withKafkaSecurity } from './kafka-table-security.ts';
import { checkLateFiltersMatchHop } from './late-filter-window.ts';
import { SqlGatewayClient } from './sql-gateway-client.ts';
import { fillPlaceholders, splitSqlStatements, stripComments } from './sql-script.ts';

export interface SubmitOptions {
  file: string;
  gatewayUrl: string;
  vars: Readonly<Record<string, string>>;
  /** TLS and SASL for the Kafka tables (added to each, kafka-table-security.ts); none: PLAINTEXT. */
  kafkaSecurity?: KafkaSecurity;
  /** How long to wait for each started job to be RUNNING. */
  runningTimeoutMs?: number;
  report: (line: string) => void;
}

export interface SubmittedJob {
  jobId: string;
  statementLine: number;
}

export async function submitSqlScript(options: SubmitOptions): Promise<SubmittedJob[]> {
  let script: string;
  try {
    script = await readFile(options.file, 'utf8');
  } catch (error) {
    // The file the user named: a usage mistake (exit 2), not a failure of featureflow.
    throw new FeatureflowError(
      'invalid_argument',
      `cannot read SQL file ${options.file}: ${(error as Error).message} (check the path)`,
      {
        cause: error,
      },
    );
  }
  checkLateFiltersMatchHop(script, options.file);
  // Fill every placeholder before running anything: an unset one must not leave half a job.
  const security = options.kafkaSecurity ?? PLAINTEXT_SECURITY;
  const vars = { ...kafkaSecurityVars(security), ...options.vars };
  const statements = splitSqlStatements(script).map((s) => ({
    ...s,
    text: fillPlaceholders(withKafkaSecurity(s.text, security), vars),
  }));
  const client = new SqlGatewayClient(options.gatewayUrl);
  const session = await client.openSession();
  const jobs: SubmittedJob[] = [];
  try {
    for (const statement of statements) {
      const summary = summarize(statement.text);
      let result: Awaited<ReturnType<SqlGatewayClient['execute']>>;
      try {
        result = await client.execute(session, statement.text);
      } catch (error) {
        if (error instanceof FeatureflowError && error.code === 'failed_precondition') {
          throw new FeatureflowError(
            'failed_precondition',
            `${options.file}:${statement.line}: ${summary} failed: ${error.message}`,
            { cause: error, context: { line: statement.line } },
          );
        }
        throw error;
      }
      if (result.jobId) {
        jobs.push({ jobId: result.jobId, statementLine: statement.line });
        options.report(`${options.file}:${statement.line}: ${summary} -> job ${result.jobId}`);
      } else {
        options.report(`${options.file}:${statement.line}: ${summary} -> OK`);
      }
    }
    for (const job of jobs) {
      await waitForJobRunning(client, session, job.jobId, options.runningTimeoutMs ?? 120_000);
      options.report(`job ${job.jobId} is RUNNING`);
    }
  } finally {
    await client.closeSession(session);
  }
  return jobs;
}

/** `SHOW JOBS` through the gateway: id, name, status, start time. */
export async function listJobs(client: SqlGatewayClient, session: string) {
  const result = await client.execute(session, 'SHOW JOBS');
  const index = (name: string) =>
    result.columns.findIndex((c) => c.toLowerCase().replace(/ /g, '_') === name);
  const [id, name, status, start] = ['job_id', 'job_name', 'status', 'start_time'].map(index);
  return result.rows.map((row) => ({
    jobId: String(row[id!]),
    name: String(row[name!]),
    status: String(row[status!]),
    startTime: String(row[start!]),
  }));
}

async function waitForJobRunning(
  client: SqlGatewayClient,
  session: string,
  jobId: string,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  let status = 'unknown';
  while (Date.now() < deadline) {
    const job = (await listJobs(client, session)).find((j) => j.jobId === jobId);
    status = job?.status ?? 'not listed yet';
    if (status === 'RUNNING' || status === 'FINISHED') return;
    if (status === 'FAILED' || status === 'CANCELED') {
      throw new FeatureflowError(
        'failed_precondition',
        `job ${jobId} is ${status} instead of RUNNING (see the Flink web UI or the JobManager log for the cause)`,
        { context: { jobId, status } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new FeatureflowError(
    'timeout',
    `job ${jobId} was not RUNNING within ${timeoutMs} ms (last status: ${status})`,
    {
      context: { jobId, status },
    },
  );
}

function summarize(statement: string): string {
  const code = stripComments(statement).trim().replace(/\s+/g, ' ');
  return code.length > 70 ? `${code.slice(0, 67)}...` : code;
}
