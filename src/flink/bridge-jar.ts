/**
 * The Flink bridge jar (udf-server/flink-bridge): Flink SQL jobs that call the TypeScript
 * functions load it with `ADD JAR '${FEATUREFLOW_BRIDGE_JAR}'`. A checkout builds it with Maven;
 * the demo builds it on first use so that `npm start` works on a fresh clone.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FeatureflowError } from '../core/errors.ts';

/** The bridge jar of this checkout (`mvn -f udf-server/flink-bridge/pom.xml package`). */
export const BRIDGE_JAR = fileURLToPath(
  new URL(
    '../../udf-server/flink-bridge/target/featureflow-flink-bridge-0.1.0.jar',
    import.meta.url,
  ),
);

const BRIDGE_POM = fileURLToPath(new URL('../../udf-server/flink-bridge/pom.xml', import.meta.url));

const MAVEN_ARGS = ['-B', '-q', '-f', BRIDGE_POM, 'package', '-DskipTests'];

/** What a user runs to build the jar by hand. */
export const BRIDGE_BUILD_COMMAND = `mvn ${MAVEN_ARGS.join(' ')}`;

/** The jar a submit uses: FEATUREFLOW_BRIDGE_JAR (a deployment's own copy) or this checkout's. */
export function resolveBridgeJar(env: NodeJS.ProcessEnv = process.env): string {
  return env.FEATUREFLOW_BRIDGE_JAR ?? BRIDGE_JAR;
}

/**
 * Returns the bridge jar, building this checkout's with Maven first when it is missing (a minute
 * or two on the first run: Maven fetches Flink's API jars).
 */
export async function ensureBridgeJar(log: (line: string) => void): Promise<string> {
  const jar = resolveBridgeJar();
  if (existsSync(jar)) return jar;
  if (jar !== BRIDGE_JAR) {
    throw new FeatureflowError(
      'invalid_argument',
      `FEATUREFLOW_BRIDGE_JAR points at ${jar}, which does not exist (unset it to use this checkout's jar, or point it at a built featureflow-flink-bridge jar)`,
    );
  }
  log(`building the Flink bridge jar (first run only): ${BRIDGE_BUILD_COMMAND}`);
  const outcome = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    const child = spawn('mvn', MAVEN_ARGS, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (error) => resolve({ code: null, error }));
    child.on('exit', (code) => resolve({ code }));
  });
  if (outcome.error || outcome.code !== 0 || !existsSync(jar)) {
    const why = outcome.error
      ? `mvn could not start: ${outcome.error.message}`
      : `mvn exited with ${outcome.code}`;
    throw new FeatureflowError(
      'io_failed',
      `the Flink bridge jar ${jar} is missing and building it failed (${why}); install Java 17 and Maven, then run: ${BRIDGE_BUILD_COMMAND}`,
    );
  }
  return jar;
}
