/**
 * Output files written beside their final name and renamed into place only when the whole run
 * succeeded, so a failed run (a missing input, a full disk, a bug) leaves an existing file as it
 * was instead of truncated. The temporary file is in the same folder, so the rename is atomic
 * and never crosses a file system; a failed run removes its temporary files, and so does a run
 * stopped by SIGINT or SIGTERM (Ctrl-C), before the process ends as the signal asks.
 */

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FeatureflowError } from '../core/errors.ts';

interface StagedFile {
  temporaryPath: string;
  finalPath: string;
  /** The permission bits of the file replaced, kept for the new one. */
  mode: number | undefined;
}

export class StagedOutputs {
  private readonly files: StagedFile[] = [];
  private readonly onStopSignal = (signal: NodeJS.Signals): void => {
    this.stopWatchingSignals();
    for (const file of this.files) rmSync(file.temporaryPath, { force: true });
    // With the handlers gone, the signal ends the process as it would have.
    process.kill(process.pid, signal);
  };
  private watchingSignals = false;

  /** Returns the temporary path to write instead of `path` (given by `flag`). */
  async stage(flag: string, path: string): Promise<string> {
    // Through a symlink, the file it points to is replaced, as writing it in place would.
    const finalPath = await realpath(path).catch(() => path);
    const folder = dirname(finalPath);
    const folderInfo = await stat(folder).catch(() => undefined);
    if (!folderInfo?.isDirectory()) {
      throw new FeatureflowError(
        'io_failed',
        `cannot write ${flag} ${path}: folder ${folder} does not exist (create it first)`,
        { context: { path } },
      );
    }
    const existing = await stat(finalPath).catch(() => undefined);
    const temporaryPath = join(
      folder,
      `.${basename(finalPath)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
    );
    if (!this.watchingSignals) {
      for (const signal of STOP_SIGNALS) process.once(signal, this.onStopSignal);
      this.watchingSignals = true;
    }
    this.files.push({
      temporaryPath,
      finalPath,
      mode: existing?.isFile() ? existing.mode & 0o7777 : undefined,
    });
    return temporaryPath;
  }

  /** Renames every temporary file to its final name: after a run that succeeded. */
  async commit(): Promise<void> {
    this.stopWatchingSignals();
    for (const file of this.files) {
      if (file.mode !== undefined) await chmod(file.temporaryPath, file.mode);
      try {
        await rename(file.temporaryPath, file.finalPath);
      } catch (error) {
        throw new FeatureflowError(
          'io_failed',
          `cannot move ${file.temporaryPath} to ${file.finalPath}: ${(error as Error).message} (check the folder is writable)`,
          { cause: error, context: { path: file.finalPath } },
        );
      }
    }
  }

  /** Removes every temporary file: after a run that failed, leaving the old files as they were. */
  async discard(): Promise<void> {
    this.stopWatchingSignals();
    await Promise.all(this.files.map((file) => rm(file.temporaryPath, { force: true })));
  }

  private stopWatchingSignals(): void {
    if (!this.watchingSignals) return;
    for (const signal of STOP_SIGNALS) process.off(signal, this.onStopSignal);
    this.watchingSignals = false;
  }
}
