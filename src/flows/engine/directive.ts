/**
 * Reading the user directives the API answers and broadcasts (contract §4.2, §4.3): `{id, $set, $unset,
 * $addToSet, $pull, $version}` under `user`. They arrive as JSON, so each part is read through a guard.
 */
import { defined } from '../../util/defined.js';
import { isJsonObject } from '../../util/json.js';

/** The operators a directive holds, each an object of dotted paths. */
export type DirectiveOperator = '$set' | '$unset' | '$addToSet' | '$pull';

/** The `user` directive of an answer body or a broadcast message; {} when there is none. */
export function userDirective(holder: Record<string, unknown>): Record<string, unknown> {
  return isJsonObject(holder.user) ? holder.user : {};
}

/** One operator of a directive, or undefined when the directive has none. */
export function operatorOf(directive: unknown, operator: DirectiveOperator): Record<string, unknown> | undefined {
  if (!isJsonObject(directive)) return undefined;
  const value = directive[operator];
  return isJsonObject(value) ? value : undefined;
}

/** The directive's `$version`: before and after, where they are numbers. */
export function versionOf(directive: unknown): { before?: number; after?: number } {
  const version = isJsonObject(directive) ? directive.$version : undefined;
  if (!isJsonObject(version)) return {};
  const number = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
  return defined({ before: number(version.before), after: number(version.after) });
}
