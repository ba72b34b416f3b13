/**
 * The fired horizon travels with each committed offset, in the commit's metadata string: after
 * a crash or a rebalance the next owner of the partition knows which windows already reached
 * Redis, so it neither fires them again with part of their events nor skips any.
 */
const VERSION = 1;

export function encodeHorizon(horizon: number): string {
  return JSON.stringify({ v: VERSION, firedHorizon: Number.isFinite(horizon) ? horizon : null });
}

/** The horizon in a commit's metadata; minus infinity when there is none (a fresh group). */
export function decodeHorizon(metadata: string | null | undefined): number {
  if (!metadata) return Number.NEGATIVE_INFINITY;
  try {
    const parsed = JSON.parse(metadata) as { v?: number; firedHorizon?: number | null };
    if (parsed.v === VERSION && typeof parsed.firedHorizon === 'number') return parsed.firedHorizon;
  } catch {
    // Metadata written by another tool: no horizon, so start as a fresh consumer would.
  }
  return Number.NEGATIVE_INFINITY;
}
