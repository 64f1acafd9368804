/**
 * Entry point: a subcommand runs headless; no subcommand opens the UI, which is imported lazily so
 * that headless runs never load Ink or React.
 */
import { parseArgs } from 'node:util';
import { COMMANDS, commandHelp, globalHelp, type Command } from './commands.js';
import { liveSpecOf } from './live-spec.js';

export class UsageError extends Error {}

export interface Parsed {
  cmd: Command;
  values: Record<string, string | boolean | string[] | undefined>;
  files: string[];
}

function parse(cmd: Command, argv: string[]): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: cmd.options, allowPositionals: true, strict: true });
    return { cmd, values: values as Parsed['values'], files: positionals };
  } catch (e) {
    const msg = (e as Error).message;
    // (-f was --format's short form before it became the capture filter, as in dumpcap and tshark)
    if (/Unknown option '-f'/.test(msg)) throw new UsageError(`${cmd.name}: -f is the capture filter of live input (-i), which ${cmd.name} does not take; the output format is --format`);
    throw new UsageError(msg);
  }
}

// (each command's code is loaded when it runs: a command does not wait for the others' to compile)
type Runner = (p: Parsed) => Promise<number>;
const RUNNERS: Record<string, () => Promise<Runner>> = {
  flows: async () => (await import('./flows.js')).runFlows,
  packets: async () => (await import('./flows.js')).runPackets,
  explain: async () => (await import('./explain.js')).runExplain,
  summary: async () => (await import('./summary.js')).runSummary,
  export: async () => (await import('./export.js')).runExport,
  report: async () => (await import('./report.js')).runReport,
};

export async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  try {
    if (first === '--help' || first === '-h' || first === 'help') {
      process.stdout.write(globalHelp());
      return 0;
    }
    if (first === '--version' || first === '-V') {
      process.stdout.write('rsttui 0.1.0\n');
      return 0;
    }
    const cmd = COMMANDS.find((c) => c.name === first);
    if (!cmd) {
      if (first !== undefined && !first.startsWith('-') && /^[a-z]+$/.test(first) && !(await exists(first))) {
        throw new UsageError(`unknown command '${first}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
      }
      const ui = await import('../ui/launch.js');
      return await ui.launch(argv);
    }
    const parsed = parse(cmd, argv.slice(1));
    if (parsed.values.help) {
      process.stdout.write(commandHelp(cmd) + '\n');
      return 0;
    }
    const spec = liveSpecOf(parsed);
    if (spec !== undefined) return await (await import('./live-run.js')).runLive(parsed, spec);
    if (parsed.files.length === 0) throw new UsageError(`${cmd.name}: no input FILE given\n\n${commandHelp(cmd)}`);
    // (a large capture is read in a worker: start it now, so that it loads while the command does)
    (await import('../flows/workers.js')).prewarmReader(parsed.files);
    return await (await RUNNERS[cmd.name]!())(parsed);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`rsttui: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

async function exists(p: string): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  return access(p).then(() => true, () => false);
}
