/**
 * `rsttui [--ascii] [FILE...]` without a subcommand: the terminal UI. Loaded lazily by the CLI so
 * that the headless subcommands never load Ink or React.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createElement } from 'react';
import { render } from 'ink';
import { sniffKind } from '../read/detect.js';
import { loadDataset } from '../flows/dataset.js';
import { App } from './App.js';
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

/**
 * Inputs the loader reads, and those it cannot. loadDataset now takes captures, text listings
 * and firewall logs alike, so only stdin is special (it is read once, by the loader); kept as the
 * one place to put inputs aside should a kind ever need it.
 */
export function splitInputs(paths: readonly string[], sniff: (p: string) => string = sniffFile): { load: string[]; skipped: string[] } {
  const load: string[] = [];
  const skipped: string[] = [];
  for (const p of paths) (p === '-' || sniff(p) !== 'unloadable' ? load : skipped).push(p);
  return { load, skipped };
}

function sniffFile(p: string): string {
  try {
    const fd = openSync(p, 'r');
    const b = Buffer.alloc(64 * 1024);
    const n = readSync(fd, b, 0, b.length, 0);
    closeSync(fd);
    return sniffKind(b.subarray(0, n));
  } catch {
    return 'unknown'; // the loader reports the error with the file name
  }
}

export async function launch(argv: string[]): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write('rsttui: the UI needs a terminal; without one use a subcommand, e.g. rsttui flows FILE (rsttui --help)\n');
    return 2;
  }
  const ascii = argv.includes('--ascii');
  const unknown = argv.find((a) => a.startsWith('-') && a !== '--ascii' && a !== '-');
  if (unknown) {
    process.stderr.write(`rsttui: unknown option '${unknown}' (the UI takes --ascii and FILEs; rsttui --help)\n`);
    return 2;
  }
  let files = argv.filter((a) => a === '-' || !a.startsWith('-'));
  let note = '';
  if (files.length === 0) ({ files, note } = defaultInputs());
  const { load, skipped } = splitInputs(files);
  if (skipped.length) note += `${note ? '; ' : ''}not loaded yet (logs): ${skipped.map((s) => s.split('/').pop()).join(', ')}`;
  const theme = makeTheme({ ascii });
  const loader = (onProgress: Parameters<typeof loadDataset>[1] extends infer O ? (O extends { onProgress?: infer F } ? NonNullable<F> : never) : never) =>
    loadDataset(load, { onProgress });
  // the alternate screen keeps the user's scrollback clean, as less and vim do
  process.stdout.write('\x1b[?1049h\x1b[H');
  const inst = render(createElement(App, { load: loader, theme, ...(note ? { note } : {}) }), { maxFps: 30, exitOnCtrlC: true, patchConsole: true });
  try {
    await inst.waitUntilExit();
  } finally {
    process.stdout.write('\x1b[?1049l');
  }
  return 0;
}
