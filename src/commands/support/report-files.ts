/**
 * `--har <file>` and `--diagram <file>` on any flow command: the run's events are recorded and, once
 * the run ends (passed or failed, which is when they matter most), written as HAR 1.2 and Mermaid.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import type { EventSink, FlowEvent } from '../../events.js';
import { parseJsonObject } from '../../util/json.js';
import { packageRoot } from '../../util/paths.js';
import type { SecretRegistry } from '../../util/secrets.js';

/** The report file flags of a flow command. */
export interface ReportFlags {
  har?: string;
  diagram?: string;
}

/** Records a run's events and writes the report files from them. */
export interface ReportFiles {
  onEvent: EventSink;
  /** Writes the requested files; returns their paths. */
  write(): Promise<string[]>;
}

/** Records events when a report file was asked for; a no-op sink otherwise. */
export function createReportFiles(flags: ReportFlags, secrets: SecretRegistry): ReportFiles {
  const events: FlowEvent[] = [];
  const wanted = flags.har !== undefined || flags.diagram !== undefined;
  return {
    onEvent: (e) => {
      if (wanted) events.push(e);
    },
    async write() {
      const written: string[] = [];
      // The writers load only when their file was asked for.
      if (flags.har !== undefined) {
        const { createHar } = await import('../../render/har.js');
        const har = createHar(events, { creatorVersion: await packageVersion(), redactDeep: secrets.redactDeep });
        await writeReport(flags.har, `${JSON.stringify(har, null, 2)}\n`);
        written.push(flags.har);
      }
      if (flags.diagram !== undefined) {
        const { renderMermaid } = await import('../../render/mermaid.js');
        await writeReport(flags.diagram, renderMermaid(events, { redact: secrets.redact }));
        written.push(flags.diagram);
      }
      return written;
    },
  };
}

/** Writes a report file, as an AppError naming the path when it cannot. */
export async function writeReport(path: string, content: string): Promise<void> {
  try {
    await writeFile(path, content, 'utf8');
  } catch (cause) {
    throw new AppError(
      'UNEXPECTED',
      `cannot write "${path}": ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause, hint: 'Pass a path in a folder that exists and is writable.' },
    );
  }
}

/** The package version, for the HAR creator field. */
export async function packageVersion(): Promise<string> {
  try {
    const version = parseJsonObject(await readFile(join(packageRoot, 'package.json'), 'utf8'))?.version;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
