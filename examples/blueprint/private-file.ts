// Least privilege on disk: the files the blueprint writes (its SQLite store, event and security
// logs) are created readable by the owner only, whatever the process umask, and an existing file
// is narrowed to 0600 before it is opened. New folders are 0700.
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;

/** Creates `path` (and its folders) if missing and makes it owner-only; a later open keeps the mode. */
export function ensurePrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/**
 * Narrows `path` to 0600 if it exists (SQLite's -wal and -shm: a file SQLite reopens keeps the
 * mode it had, so one left 0644 by an older version or another tool would stay readable).
 */
export function narrowIfExists(path: string): void {
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
