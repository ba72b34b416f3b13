/**
 * The stack's jars: resolved by Maven from stack/pom.xml into the cache folder
 * (FEATUREFLOW_HOME/lib/kafka and .../lib/flink), once per version of the POM.
 *
 * Each profile gets its own Maven run and its own folder, so the broker's classpath and
 * Flink's never mix (see the POM). A folder is complete or absent: Maven writes into a staging
 * folder that is renamed into place only after it succeeded, and a marker holding the POM's
 * hash says which POM it came from, so editing a version in the POM re-resolves by itself.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeatureflowError } from '../core/errors.ts';
import { tailOfFile } from './log-tail.ts';
import { isAlive } from './processes.ts';

export const STACK_POM = fileURLToPath(new URL('../../stack/pom.xml', import.meta.url));
export const ARTIFACT_PROFILES = ['kafka', 'flink'] as const;
export type ArtifactProfile = (typeof ARTIFACT_PROFILES)[number];

const MARKER_FILE = '.featureflow-resolved.json';

export interface StackArtifacts {
  /** `DIR/*`: the JVM expands the wildcard itself. */
  readonly kafkaClasspath: string;
  readonly flinkClasspath: string;
  readonly kafkaLibDir: string;
  readonly flinkLibDir: string;
}

export interface ResolveArtifactsOptions {
  homeDir: string;
  pomPath?: string;
  /** The Maven command; `mvn` from PATH unless MAVEN_CMD says otherwise. */
  mvnCommand?: string;
  onProgress?: (line: string) => void;
}

export interface ResolutionReport {
  readonly artifacts: StackArtifacts;
  /** Profiles that Maven had to resolve in this call, with seconds each. */
  readonly resolved: readonly { profile: ArtifactProfile; seconds: number }[];
}

export function libDirOf(homeDir: string, profile: ArtifactProfile): string {
  return path.join(homeDir, 'lib', profile);
}

export function artifactsIn(homeDir: string): StackArtifacts {
  const kafkaLibDir = libDirOf(homeDir, 'kafka');
  const flinkLibDir = libDirOf(homeDir, 'flink');
  return Object.freeze({
    kafkaLibDir,
    flinkLibDir,
    kafkaClasspath: path.join(kafkaLibDir, '*'),
    flinkClasspath: path.join(flinkLibDir, '*'),
  });
}

/** True when every profile's folder was resolved from the current POM. */
export function artifactsAreCurrent(homeDir: string, pomPath = STACK_POM): boolean {
  const hash = pomHash(pomPath);
  return ARTIFACT_PROFILES.every((profile) => markerHash(homeDir, profile) === hash);
}

export async function resolveArtifacts(
  options: ResolveArtifactsOptions,
): Promise<ResolutionReport> {
  const pomPath = options.pomPath ?? STACK_POM;
  const hash = pomHash(pomPath);
  const resolved: { profile: ArtifactProfile; seconds: number }[] = [];
  if (ARTIFACT_PROFILES.every((profile) => markerHash(options.homeDir, profile) === hash)) {
    return { artifacts: artifactsIn(options.homeDir), resolved };
  }
  // Two `up`s at once (a test run beside a developer's stack) must not both replace the same
  // folder while the other's JVMs read it: one resolves, the other waits and finds it current.
  const release = await acquireLock(path.join(options.homeDir, 'lib', '.resolve.lock'), options);
  try {
    for (const profile of ARTIFACT_PROFILES) {
      if (markerHash(options.homeDir, profile) === hash) continue;
      options.onProgress?.(
        `resolving the ${profile} jars with Maven into ${libDirOf(options.homeDir, profile)} (once per POM version)`,
      );
      const startedAt = performance.now();
      await runMaven(options, pomPath, profile, hash);
      const seconds = (performance.now() - startedAt) / 1000;
      resolved.push({ profile, seconds });
      options.onProgress?.(`resolved the ${profile} jars in ${seconds.toFixed(1)} s`);
    }
  } finally {
    release();
  }
  return { artifacts: artifactsIn(options.homeDir), resolved };
}

/** A lock folder (mkdir is atomic) holding the owner's pid; a dead owner's lock is taken over. */
async function acquireLock(lockDir: string, options: ResolveArtifactsOptions): Promise<() => void> {
  mkdirSync(path.dirname(lockDir), { recursive: true });
  const ownerFile = path.join(lockDir, 'pid');
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(ownerFile, String(process.pid));
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A lock without its pid file yet is being taken right now: wait like for a live owner.
    const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : Number.NaN;
    if (Number.isInteger(owner) && !isAlive(owner)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      options.onProgress?.(
        `waiting for another featureflow (pid ${owner}) to finish resolving the jars into ${path.dirname(lockDir)}`,
      );
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function runMaven(
  options: ResolveArtifactsOptions,
  pomPath: string,
  profile: ArtifactProfile,
  hash: string,
): Promise<void> {
  const libRoot = path.join(options.homeDir, 'lib');
  mkdirSync(libRoot, { recursive: true });
  const finalDir = libDirOf(options.homeDir, profile);
  const stagingDir = path.join(libRoot, `.${profile}.staging-${process.pid}`);
  const logFile = path.join(libRoot, `maven-${profile}.log`);
  rmSync(stagingDir, { recursive: true, force: true });

  const command = options.mvnCommand ?? process.env.MAVEN_CMD ?? 'mvn';
  const args = [
    '-B',
    '-f',
    pomPath,
    `-P${profile}`,
    'dependency:copy-dependencies',
    `-Dfeatureflow.lib=${stagingDir}`,
  ];
  const exitCode = await new Promise<number>((resolve, reject) => {
    const log = createWriteStream(logFile);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('error', (error: NodeJS.ErrnoException) => {
      log.end();
      reject(
        error.code === 'ENOENT'
          ? new FeatureflowError(
              'failed_precondition',
              `Maven is not installed: '${command}' was not found (install it with 'apt-get install maven', or run .ci/install-stack.sh; MAVEN_CMD names another Maven)`,
              { cause: error },
            )
          : new FeatureflowError(
              'io_failed',
              `could not run Maven '${command}': ${error.message}`,
              {
                cause: error,
              },
            ),
      );
    });
    child.on('close', (code) => {
      log.end(() => resolve(code ?? 1));
    });
  });
  if (exitCode !== 0) {
    rmSync(stagingDir, { recursive: true, force: true });
    throw new FeatureflowError(
      'unavailable',
      `Maven could not resolve the ${profile} jars (exit ${exitCode}); its log is ${logFile}:\n${tailOfFile(logFile, 15)}\n(is Maven Central reachable? 'mvn -f ${pomPath} -P${profile} dependency:copy-dependencies' shows the same)`,
      { context: { profile, logFile } },
    );
  }
  writeFileSync(
    path.join(stagingDir, MARKER_FILE),
    `${JSON.stringify({ pomSha256: hash, profile, resolvedAt: new Date().toISOString() }, null, 2)}\n`,
  );
  // Replace the old folder only now: a failed or interrupted run leaves the previous one usable.
  rmSync(finalDir, { recursive: true, force: true });
  renameSync(stagingDir, finalDir);
}

function pomHash(pomPath: string): string {
  if (!existsSync(pomPath)) {
    throw new FeatureflowError(
      'failed_precondition',
      `the stack's POM is missing: ${pomPath} (run featureflow from a complete checkout)`,
    );
  }
  return createHash('sha256').update(readFileSync(pomPath)).digest('hex');
}

function markerHash(homeDir: string, profile: ArtifactProfile): string | undefined {
  const marker = path.join(libDirOf(homeDir, profile), MARKER_FILE);
  if (!existsSync(marker)) return undefined;
  try {
    return (JSON.parse(readFileSync(marker, 'utf8')) as { pomSha256?: string }).pomSha256;
  } catch {
    // An unreadable marker means an unknown folder: resolving again is the safe answer.
    return undefined;
  }
}
