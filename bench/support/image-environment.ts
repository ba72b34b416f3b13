/**
 * The environment the Docker image gives the service (its Dockerfile's ENV lines that tune the
 * process, read from the Dockerfile so that the value is stated once): benchmarks run the server
 * as it is deployed.
 */
import { readFileSync } from 'node:fs';

const DOCKERFILE = new URL('../../Dockerfile', import.meta.url);

/** `base` with the image's MALLOC_* variables. */
export function withImageEnvironment(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const tuned = [...readFileSync(DOCKERFILE, 'utf8').matchAll(/^ENV (MALLOC_\w+)=(\S+)$/gm)];
  if (tuned.length === 0) throw new Error(`no ENV MALLOC_... line in ${DOCKERFILE.pathname}`);
  return { ...base, ...Object.fromEntries(tuned.map((m) => [m[1]!, m[2]!])) };
}
