/** `codestream-auth scenarios [--json]`: the failure scenario catalogue, what each injects and expects. */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { scenarioCatalogue, type Scenario } from '../flows/scenarios/index.js';
import { FLOW_KINDS } from '../flows/scenarios/types.js';
import { choice } from './support/shared.js';

interface ScenariosFlags {
  json?: boolean;
  flow?: string;
}

const WITH_SCENARIO_OPTION: ReadonlySet<string> = new Set(['connect', 'signup', 'refresh']);

/** Text listing: one block per scenario, grouped by flow. */
export function formatScenarios(list: readonly Scenario[]): string {
  const width = Math.max(...list.map((s) => s.name.length), 4);
  const lines: string[] = [];
  for (const flow of FLOW_KINDS) {
    const group = list.filter((s) => s.flow === flow);
    if (group.length === 0) continue;
    // interact and disconnect take no --scenario; smoke runs any scenario by name.
    const run = WITH_SCENARIO_OPTION.has(flow)
      ? `codestream-auth ${flow} <provider> --scenario <name>`
      : 'codestream-auth smoke --scenarios <name>';
    lines.push(`${flow} (${group.length}); run one with: ${run}`);
    for (const s of group) {
      lines.push(`  ${s.name.padEnd(width)}  ${s.title}`);
      lines.push(`  ${''.padEnd(width)}  injects: ${s.injects}`);
      lines.push(`  ${''.padEnd(width)}  expects: ${s.observes}`);
      lines.push(`  ${''.padEnd(width)}  source:  ${s.source}${s.requires ? `; needs ${s.requires.join(', ')}` : ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Registers `scenarios`. */
export function registerScenarios(program: Command, deps: Deps, setExit: (code: number) => void): void {
  program
    .command('scenarios')
    .description('list the failure scenarios: what each injects and what the system must do about it')
    .option('--flow <flow>', `only scenarios of this flow: ${FLOW_KINDS.join(', ')}`)
    .option('--json', 'print the catalogue as JSON on stdout')
    .action((flags: ScenariosFlags) => {
      const flow = flags.flow === undefined ? undefined : choice('--flow', flags.flow, FLOW_KINDS, 'connect');
      const list = scenarioCatalogue.filter((s) => flow === undefined || s.flow === flow);
      deps.io.stdout.write(flags.json ? `${JSON.stringify(list, null, 2)}\n` : formatScenarios(list));
      setExit(0);
    });
}
