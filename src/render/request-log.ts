/** `serve`'s request log: one line per request the lab answered, or one NDJSON event with --json. */

/** One request as serve reports it. */
export interface RequestLogEntry {
  type: 'request';
  /** When the server got it (ms since the epoch). */
  at: number;
  /** Who it looks like it came from: browser, agent, api (server to server), slack, msteams or client. */
  actor: string;
  /** The lab box that answered: "api local", "router", "github", "marketing". */
  server: string;
  method: string;
  /** Path and query, secrets shortened. */
  path: string;
  status: number;
  ms: number;
  location?: string;
}

// Long URLs (authorize requests run to 400 characters) would wrap every line; the log shows where, not all of it.
const MAX_PATH = 120;

/** `12:03:04.123 browser → api local  GET /web/provider-auth/github?code=eyJhbG…  302  12 ms` */
export function formatRequestLine(entry: RequestLogEntry): string {
  const time = new Date(entry.at).toISOString().slice(11, 23);
  const path = entry.path.length > MAX_PATH ? `${entry.path.slice(0, MAX_PATH - 1)}…` : entry.path;
  const where = entry.location === undefined ? '' : ` → ${clip(entry.location)}`;
  return `${time} ${entry.actor} → ${entry.server}  ${entry.method} ${path}  ${entry.status}${where}  ${Math.round(entry.ms)} ms`;
}

function clip(text: string): string {
  return text.length > MAX_PATH ? `${text.slice(0, MAX_PATH - 1)}…` : text;
}
