/**
 * Reading a custom profile file (`--profile <file>`) with errors a user can act on: a missing file says "not
 * found", bad JSON names its line and column, and two places for one endpoint are refused rather than one
 * silently winning. Comments: JSON has none, so the template (`init-profile`) uses "$comment" fields, which
 * the schema ignores like any unknown field.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AppError, UsageError } from '../errors.js';
import { objectOrEmpty } from '../util/json.js';
import { parseProfile, type ProviderProfile } from './profile.js';

/** Reads and validates a custom profile file. */
export async function readCustomProfile(path: string): Promise<ProviderProfile> {
  const text = await readText(path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const where = jsonErrorPosition(text, cause);
    throw new AppError('PROFILE_INVALID', `profile ${path} is not valid JSON${where}`, {
      cause,
      hint: 'JSON has no comments or trailing commas; put notes in "$comment" fields.',
    });
  }
  refuseTwoEndpoints(path, json);
  return parseProfile(json, path);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(resolve(path), 'utf8');
  } catch (cause) {
    const code = objectOrEmpty(cause).code;
    if (code === 'ENOENT')
      throw new UsageError(`profile file ${path} not found`, {
        cause,
        hint: `Check the path, or write a starting point with "codestream-auth init-profile ${path}".`,
      });
    throw new UsageError(`profile file ${path} cannot be read (${String(code ?? cause)})`, { cause });
  }
}

// A custom profile names its endpoints as absolute URLs in "server"; a path beside it would be ignored.
function refuseTwoEndpoints(path: string, json: unknown): void {
  const root = objectOrEmpty(json);
  const server = objectOrEmpty(root.server);
  const pairs: Array<[string, string, unknown, unknown]> = [
    ['server.authorizeUrl', 'authorize.path', server.authorizeUrl, objectOrEmpty(root.authorize).path],
    ['server.tokenUrl', 'token.path', server.tokenUrl, objectOrEmpty(root.token).path],
  ];
  for (const [url, local, a, b] of pairs) {
    if (a !== undefined && b !== undefined)
      throw new UsageError(`profile ${path} has both ${url} and ${local}`, {
        hint: `A custom profile gives the endpoint once, as the absolute ${url}; remove ${local}.`,
      });
  }
}

/** " at line 3, column 5" from a JSON.parse error (Node 20 gives a position, newer Node a line and column). */
export function jsonErrorPosition(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  const lineCol = /line (\d+) column (\d+)/.exec(message);
  if (lineCol) return ` at line ${lineCol[1]}, column ${lineCol[2]}: ${message.replace(/\s*\(line.*$/, '')}`;
  const position = /position (\d+)/.exec(message);
  const reason = message.replace(/ in JSON at position \d+.*$/, '');
  if (!position) return message === '' ? '' : `: ${reason}`;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}: ${reason}`;
}
