/**
 * Output files (--har, --diagram, --out, --summary) are checked before any work: a run of the whole smoke matrix
 * must not end in ENOENT. Missing parent folders are created; a path that cannot be written is a usage error.
 */
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../errors.js';

/** Makes sure each given path can be written; undefined entries are skipped. */
export async function prepareOutputPaths(paths: Record<string, string | undefined>): Promise<void> {
  for (const [flag, path] of Object.entries(paths)) {
    if (path !== undefined) await prepareOutputPath(flag, path);
  }
}

async function prepareOutputPath(flag: string, path: string): Promise<void> {
  const refuse = (why: string, cause?: unknown): never => {
    throw new UsageError(`${flag} "${path}" ${why}`, {
      hint: 'Pass a file path in a folder you can write to.',
      ...(cause === undefined ? {} : { cause }),
    });
  };
  if (path.trim() === '') refuse('is empty');
  const full = resolve(path);
  const existing = await stat(full).catch(() => undefined);
  if (existing?.isDirectory()) refuse('is a folder, not a file');
  const folder = dirname(full);
  try {
    await mkdir(folder, { recursive: true });
  } catch (cause) {
    refuse(`cannot be created: its folder "${dirname(path)}" cannot be made (${codeOf(cause)})`, cause);
  }
  try {
    await access(existing === undefined ? folder : full, constants.W_OK);
  } catch (cause) {
    refuse(`is not writable (${codeOf(cause)})`, cause);
  }
}

function codeOf(err: unknown): string {
  const code: unknown = typeof err === 'object' && err !== null ? Reflect.get(err, 'code') : undefined;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}
