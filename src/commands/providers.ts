/** `codestream-auth providers [--json]`: every profile with its flows, wire format and quirks. */
import type { Command } from 'commander';
import { addCustomProfile } from '../profiles/custom.js';
import type { Deps } from '../deps.js';
import { summarizeProfile, type ProfileSummary } from '../profiles/summary.js';
import { loadLabData } from './support/shared.js';

interface ProvidersFlags {
  json?: boolean;
  profile?: string;
}

export function registerProviders(program: Command, deps: Deps, setExit: (code: number) => void): void {
  program
    .command('providers')
    .description('list every provider profile: the flows it supports, its exchange format and its quirks')
    .option('--json', 'print one JSON array on stdout')
    .option('--profile <file>', 'also validate and show a custom profile (its secret variable must be set)')
    .action(async (flags: ProvidersFlags) => {
      const data = await loadLabData();
      if (flags.profile !== undefined) await addCustomProfile(data, flags.profile, deps.env);
      const summaries = [...data.profiles.values()].map(summarizeProfile);
      deps.io.stdout.write(flags.json ? `${JSON.stringify(summaries, null, 2)}\n` : renderTable(summaries));
      setExit(0);
    });
}

/** One line per provider, its quirks indented below: data on stdout, readable without colour. */
export function renderTable(summaries: readonly ProfileSummary[]): string {
  const idWidth = Math.max(...summaries.map((s) => s.id.length));
  const nameWidth = Math.max(...summaries.map((s) => s.displayName.length));
  const lines: string[] = [];
  for (const s of summaries) {
    const wire = s.format === undefined ? 'no exchange' : `${s.format}, ${s.clientAuth ?? 'post'}`;
    const columns = [s.id.padEnd(idWidth), s.displayName.padEnd(nameWidth), s.kind.padEnd(15), wire.padEnd(17)];
    lines.push(`${columns.join('  ')}  ${s.flows.join(', ')}`);
    for (const quirk of s.quirks) lines.push(`${' '.repeat(idWidth + 2)}· ${quirk}`);
  }
  lines.push('', `${summaries.length} providers. Connect one with "codestream-auth connect <id>".`);
  return `${lines.join('\n')}\n`;
}
