/**
 * The layout of one run folder: everything a stack writes (configs, data, pids, logs) lives
 * under it, so `down --purge` or `rm -rf` removes a stack without a trace and two run folders
 * never share state.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export interface RunLayout {
  readonly root: string;
  /** What `up` started (pids, ports): read by `down` and `status`. */
  readonly stateFile: string;
  readonly logsDir: string;
  readonly redisDir: string;
  readonly kafkaDir: string;
  readonly kafkaDataDir: string;
  readonly flinkConfDir: string;
  readonly flinkCheckpointsDir: string;
  readonly flinkSavepointsDir: string;
  readonly flinkTmpDir: string;
  /** Empty on purpose: Flink warns at every start when its plugins folder is missing. */
  readonly flinkPluginsDir: string;
}

export function runLayout(runDir: string): RunLayout {
  const root = path.resolve(runDir);
  return Object.freeze({
    root,
    stateFile: path.join(root, 'stack.json'),
    logsDir: path.join(root, 'logs'),
    redisDir: path.join(root, 'redis'),
    kafkaDir: path.join(root, 'kafka'),
    kafkaDataDir: path.join(root, 'kafka', 'data'),
    flinkConfDir: path.join(root, 'flink', 'conf'),
    flinkCheckpointsDir: path.join(root, 'flink', 'checkpoints'),
    flinkSavepointsDir: path.join(root, 'flink', 'savepoints'),
    flinkTmpDir: path.join(root, 'flink', 'tmp'),
    flinkPluginsDir: path.join(root, 'flink', 'plugins'),
  });
}

/** The folders that data lives in: what `down --purge` removes. */
export function dataDirsOf(layout: RunLayout): readonly string[] {
  return [
    layout.redisDir,
    layout.kafkaDir,
    layout.flinkCheckpointsDir,
    layout.flinkSavepointsDir,
    layout.flinkTmpDir,
  ];
}

export function createRunFolders(layout: RunLayout): void {
  for (const dir of [
    layout.logsDir,
    layout.redisDir,
    layout.kafkaDataDir,
    layout.flinkConfDir,
    layout.flinkCheckpointsDir,
    layout.flinkSavepointsDir,
    layout.flinkTmpDir,
    layout.flinkPluginsDir,
  ]) {
    mkdirSync(dir, { recursive: true });
  }
}
