/**
 * The last lines of a log file, indented, for error messages: a user who sees why a service
 * failed right in the error does not have to go find the file first.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const MAX_TAIL_BYTES = 16 * 1024;

export function tailOfFile(file: string, lines: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, MAX_TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8').trimEnd();
    if (text === '') return '    (the log is empty)';
    return text
      .split('\n')
      .slice(-lines)
      .map((line) => `    ${line}`)
      .join('\n');
  } catch (error) {
    return `    (could not read ${file}: ${(error as Error).message})`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
