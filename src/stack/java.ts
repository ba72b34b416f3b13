/**
 * The JVM that runs Kafka and Flink: which `java`, whether it is new enough, and the module
 * flags Flink needs on Java 17.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { FeatureflowError } from '../core/errors.ts';

/** Kafka 4.x brokers and Flink 2.x both need Java 17 or newer. */
export const MIN_JAVA_MAJOR = 17;

/**
 * The `--add-exports`/`--add-opens` list that flink-dist's config.yaml puts in
 * `env.java.opts.all` for Java 17: Flink's serializers (Kryo), its RPC and the planner's code
 * generation reach into these JDK internals, and the bin/ scripts we replace passed them.
 */
export const FLINK_JAVA17_OPTIONS: readonly string[] = Object.freeze([
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED',
  '--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.net=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.text=ALL-UNNAMED',
  '--add-opens=java.base/java.time=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED',
]);

/** $JAVA_HOME/bin/java when JAVA_HOME is set (as Maven and Flink's scripts do), else `java`. */
export function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** Runs `java -version` and returns the major version, or fails saying what to install. */
export async function assertJavaVersion(command: string): Promise<number> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(command, ['-version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        new FeatureflowError(
          'failed_precondition',
          `Java is not installed: '${command}' was not found (install Java ${MIN_JAVA_MAJOR}+, e.g. 'apt-get install openjdk-17-jdk-headless', or set JAVA_HOME)`,
          { cause: error },
        ),
      ),
    );
    child.on('close', () => resolve(text));
  });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : Number.NaN;
  if (!(major >= MIN_JAVA_MAJOR)) {
    throw new FeatureflowError(
      'failed_precondition',
      `Java ${MIN_JAVA_MAJOR}+ is needed for Kafka 4 and Flink 2, but '${command} -version' says: ${output.split('\n')[0]?.trim() || '(nothing)'} (install openjdk-17 or set JAVA_HOME to a newer JDK)`,
      { context: { command } },
    );
  }
  return major;
}
