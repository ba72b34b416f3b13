/**
 * A running job's event-time progress from Flink's REST API (the JobManager's web port, the
 * `flinkWebUi` endpoint of the local stack): the watermark its window operator has reached.
 */

/** Flink reports "no watermark yet" as Long.MIN_VALUE (-2^63); any value below -2^53 is that. */
const NO_WATERMARK = Number.MIN_SAFE_INTEGER;

interface JobVertices {
  vertices: { id: string; name: string }[];
}

/**
 * The smallest input watermark (epoch ms) over the subtasks of the job's window aggregation, or
 * undefined while it has none (or the job has no window operator, or Flink did not answer).
 */
export async function windowOperatorWatermark(
  restUrl: string,
  jobId: string,
): Promise<number | undefined> {
  try {
    const job = (await (await fetch(`${restUrl}/jobs/${jobId}`)).json()) as JobVertices;
    // Two-phase aggregation puts a LocalWindowAggregate in the source's chain; the windows
    // fire in the GlobalWindowAggregate (or in a single WindowAggregate without the local phase).
    const windowVertex =
      job.vertices.find((v) => v.name.includes('GlobalWindowAggregate')) ??
      job.vertices.find((v) => /(^|[^l])WindowAggregate/.test(v.name));
    if (windowVertex === undefined) return undefined;
    const marks = (await (
      await fetch(`${restUrl}/jobs/${jobId}/vertices/${windowVertex.id}/watermarks`)
    ).json()) as { id: string; value: string }[];
    const values = marks
      .filter((m) => m.id.endsWith('currentInputWatermark'))
      .map((m) => Number(m.value));
    if (values.length === 0 || values.some((v) => v <= NO_WATERMARK)) return undefined;
    return Math.min(...values);
  } catch {
    // Progress display only: a job that is restarting or gone has no watermark to show.
    return undefined;
  }
}
