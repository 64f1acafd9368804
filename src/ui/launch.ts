/**
 * `rsttui [--ascii] [input options] [FILE...]` without a subcommand: the terminal UI. Loaded lazily by the CLI so
 * that the headless subcommands never load Ink or React.
 */
import { existsSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createElement } from 'react';
import { render } from 'ink';
import { collectGarbage, mapLoadTablesFromOs } from '../flows/memory.js';
import { loadDataset, type DatasetOptions } from '../flows/dataset.js';
import { UI_COMMAND, UI_OPTIONS } from '../cli/commands.js';
import { loadOptions } from '../cli/load.js';
import { liveSpecOf } from '../cli/live-spec.js';
import { keyInput, stdinHasData } from '../cli/tty-input.js';
import { type Parsed } from '../cli/main.js';
import type { LiveSpec } from '../cli/live-spec.js';
import { App } from './App.js';
import { stripControls } from '../text.js';
import { makeTheme } from './theme.js';

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** The bundled demo, or (while it is missing) the TCP fixtures, with a note saying so. */
export function defaultInputs(root = packageRoot()): { files: string[]; note: string } {
  const demo = ['inside.pcap', 'outside.pcap', 'asa.log'].map((f) => join(root, 'fixtures', 'demo', f));
  if (demo.every((f) => existsSync(f))) return { files: demo, note: 'demo' };
  const dir = join(root, 'fixtures', 'tcp');
  const tcp = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.pcap')).sort().map((f) => join(dir, f)) : [];
  return { files: tcp, note: 'demo missing: showing fixtures/tcp' };
}

export async function launch(argv: string[]): Promise<number> {
  // the same input options as the subcommands (--name, --year, --tz, --date, --skew), the live ones, plus --ascii
  let parsed: Parsed;
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...UI_OPTIONS }, allowPositionals: true, strict: true });
    parsed = { cmd: UI_COMMAND, values: values as Parsed['values'], files: positionals };
  } catch (e) {
    process.stderr.write(`rsttui: ${(e as Error).message} (the UI takes --ascii, the input options and FILEs; rsttui --help)\n`);
    return 2;
  }
  let opts: DatasetOptions;
  let spec: LiveSpec | undefined;
  try {
    opts = loadOptions(parsed);
    spec = liveSpecOf(parsed);
  } catch (e) {
    process.stderr.write(`rsttui: ${(e as Error).message}\n`);
    return 2;
  }
  if (!process.stdout.isTTY) {
    process.stderr.write('rsttui: the UI needs a terminal; without one use a subcommand, e.g. rsttui flows FILE (rsttui --help)\n');
    return 2;
  }
  // keys from standard input, or from /dev/tty when the capture comes in on it (`tcpdump -w - | rsttui -`)
  const keys = keyInput();
  if (!keys.ok) {
    process.stderr.write(`rsttui: ${keys.error}\n`);
    return 2;
  }
  const ascii = parsed.values.ascii === true;
  if (spec !== undefined) return launchLive(parsed, spec, ascii, keys);
  let files = parsed.files;
  let note = '';
  if (files.length === 0 && keys.fromTty && stdinHasData()) files = ['-']; // (`... | rsttui`: the pipe is the input)
  else if (files.length === 0) ({ files, note } = defaultInputs());
  // a pipe is read live, as termshark does: `tcpdump -w - | rsttui -` never ends, its rows come as packets do
  if (files.length === 1 && files[0] === '-' && keys.fromTty) return launchLive(parsed, { ifaces: [], files, follow: false, stdin: true, syslog: [] }, ascii, keys);
  const theme = makeTheme({ ascii });
  // the UI lives on after loading: the tables that die then should give their memory back
  mapLoadTablesFromOs();
  const loader = (onProgress: Parameters<typeof loadDataset>[1] extends infer O ? (O extends { onProgress?: infer F } ? NonNullable<F> : never) : never) =>
    loadDataset(files, { ...opts, onProgress, yieldEveryMs: 50 }).then((ds) => {
      // loading leaves much garbage behind (the rows by connection, the workers' hand-overs, the
      // analysis' scratch): collect it before the list builds its own columns on top (that was the
      // peak of a 1 M-connection load, +36 MB), and again once the first screen of rows is up
      collectGarbage();
      setTimeout(collectGarbage, 500).unref();
      return ds;
    });
  // the alternate screen keeps the user's scrollback clean, as less and vim do
  process.stdout.write('\x1b[?1049h\x1b[H');
  const inst = render(createElement(App, { load: loader, theme, ...(note ? { note } : {}) }), { stdin: keys.stream, maxFps: 60, exitOnCtrlC: true, patchConsole: true });
  try {
    await inst.waitUntilExit();
  } finally {
    process.stdout.write('\x1b[?1049l');
    keys.close();
  }
  return 0;
}

/** Live input (`-i`, `--follow`, `--syslog`): the UI over a live run, rows appearing as packets come. */
async function launchLive(parsed: Parsed, spec: LiveSpec, ascii: boolean, keys: ReturnType<typeof keyInput> & { ok: true }): Promise<number> {
  const { openLive, liveOptions, captureEndLines } = await import('../cli/live-run.js');
  const { LiveSession } = await import('../flows/live-session.js');
  const run = await openLive(parsed, spec, () => undefined);
  if ('error' in run) {
    process.stderr.write(`rsttui: ${stripControls(run.error)}\n`);
    keys.close();
    return run.usage ? 2 : 1;
  }
  // (a tick analyses for 15 ms at most before keys get their turn)
  const session = new LiveSession({ ...liveOptions(parsed, spec), tickBudgetMs: 15 }, run.inputs);
  void session.start();
  process.stdout.write('\x1b[?1049h\x1b[H');
  const inst = render(createElement(App, { live: session, theme: makeTheme({ ascii }) }), { stdin: keys.stream, maxFps: 60, exitOnCtrlC: true, patchConsole: true });
  // (a signal, the capture's end or a lost terminal: the UI ends too)
  run.stop.signal.addEventListener('abort', () => inst.unmount());
  try {
    await inst.waitUntilExit();
  } finally {
    session.stop(false);
    await run.close();
    process.stdout.write('\x1b[?1049l');
    keys.close();
    // (back on the normal screen: the capture tool's final counts, its drops among them)
    for (const l of captureEndLines(run, spec.ifaces)) process.stderr.write(`rsttui: ${l}\n`);
  }
  return 0;
}
