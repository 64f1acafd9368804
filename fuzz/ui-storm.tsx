/**
 * The UI key storm: the App rendered with ink-testing-library over several datasets (the demo,
 * a few fixtures, an empty one, one that is still loading, one that never finishes, one whose load
 * fails), each storm starting from one screen (list, filter bar, quick-filter menu, timeline,
 * packet detail, summary, help, export) and then a seeded random run of keys: every key of
 * KEYS, random printable characters, arrows, escape, enter, tab, backspace, delete. A storm fails
 * when anything throws (a render error, an uncaught exception, a console.error from React) or
 * when the last frame is empty. Exports the dialog asks for go to a scratch directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../src/ui/App.js';
import { makeTheme } from '../src/ui/theme.js';
import { KEYS } from '../src/ui/keys.js';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import type { Loader } from '../src/ui/hooks/use-dataset.js';
import type { LoadProgress } from '../src/flows/ingest.js';
import { exportFlows } from '../src/export/export.js';
import { Rng, rngFor } from './rng.js';
import { ROOT } from './fuzz.js';

/** What each key token is on the wire. */
const WIRE: Record<string, string> = {
  up: '\x1b[A', down: '\x1b[B', right: '\x1b[C', left: '\x1b[D', pageup: '\x1b[5~', pagedown: '\x1b[6~',
  home: '\x1b[H', end: '\x1b[F', enter: '\r', escape: '\x1b', backspace: '\x7f', delete: '\x1b[3~',
  tab: '\t', space: ' ', 'ctrl-d': '\x04', 'ctrl-u': '\x15', 'ctrl-c': '\x03',
};
const wire = (t: string): string => WIRE[t] ?? t;

/** Every key the table binds, and the others a user may hit. */
export const STORM_KEYS = [...new Set([...KEYS.flatMap((b) => b.keys), ...Object.keys(WIRE)])];

/** Ways into each screen from the list. */
const STARTS: Record<string, string[]> = {
  list: [], filter: ['/'], menu: ['f'], timeline: ['enter'], detail: ['enter', 'enter'], summary: ['t'], help: ['?'], export: ['e'],
};

function randomKey(r: Rng): string {
  const x = r.int(100);
  if (x < 55) return wire(r.pick(STORM_KEYS));
  if (x < 85) return String.fromCharCode(r.range(0x20, 0x7e));
  if (x < 90) return r.pick(['late-rst', 'teardown == abort', 'ip.addr == 10.0.0.0/8', 'anomaly', '((', 'tcp.flags.', '"', 'fw.msgid == 106015 and']);
  if (x < 95) return r.pick(['é', '→', '\u200b', '😀', '\x00', '\x1b[2J']);
  return wire(r.pick(STORM_KEYS)).repeat(r.range(2, 30));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface StormScenario {
  name: string;
  load: () => Loader;
}

/** A load that reports progress for `afterMs`, then ends as `finish` does (never, without it). */
function loadingLoader(finish?: () => Promise<Dataset>, afterMs?: number): Loader {
  return (onProgress: (p: LoadProgress) => void) => new Promise<Dataset>((resolve, reject) => {
    let bytes = 0;
    const tick = setInterval(() => {
      bytes += 65536;
      onProgress({ phase: 'reading', file: 'storm.pcap', fileIndex: 0, files: 1, bytesRead: bytes, totalBytes: 1 << 24, packets: bytes >> 7, conns: bytes >> 12 });
    }, 20);
    // (a load that never ends must not keep the process alive after its storm)
    tick.unref();
    if (finish && afterMs !== undefined) {
      setTimeout(() => {
        clearInterval(tick);
        finish().then(resolve, reject);
      }, afterMs).unref();
    }
  });
}

export async function scenarios(): Promise<StormScenario[]> {
  const fx = (rel: string): string => join(ROOT, 'fixtures', rel);
  const demo = loadDataset(['inside.pcap', 'outside.pcap', 'asa.log'].map((f) => fx(`demo/${f}`)), { worker: 'never' });
  const small = loadDataset(['tcp/fin-then-rst-late.pcap', 'tcp/rejected.pcap', 'tcp/retransmission.pcap', 'text/seed-inside.txt', 'logs/seed-asa.log'].map(fx), { worker: 'never' });
  const empty = loadDataset([], { worker: 'never' });
  await Promise.all([demo, small, empty]);
  return [
    { name: 'demo', load: () => () => demo },
    { name: 'fixtures', load: () => () => small },
    { name: 'empty', load: () => () => empty },
    { name: 'loading', load: () => loadingLoader() },
    { name: 'loaded mid-storm', load: () => loadingLoader(() => small, 150) },
    { name: 'load failed', load: () => loadingLoader(() => Promise.reject(new Error('storm: the load failed')), 100) },
  ];
}

/** One storm: render, go to a screen, send the keys; the faults found. */
export async function storm(sc: StormScenario, start: string, r: Rng, keys: number, scratch: string, gapMs = 2): Promise<string[]> {
  const faults: string[] = [];
  const onError = (e: unknown): void => { faults.push(`uncaught: ${e instanceof Error ? e.stack ?? e.message : String(e)}`); };
  const consoleError = console.error;
  console.error = (...a: unknown[]): void => { faults.push(`console.error: ${a.map(String).join(' ').slice(0, 400)}`); };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  const exportFn = (ds: Dataset, idx: Uint32Array, path: string, format: string, force: boolean) => {
    const name = basename(path).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+$/, 'x') || 'x';
    return exportFlows(ds, idx, join(scratch, name), { ...(format === 'auto' ? {} : { format: format as 'pcap' }), force });
  };
  const width = r.pick([80, 100, 40, 132]), height = r.pick([24, 20, 10, 50]);
  const app = render(<App load={sc.load()} theme={makeTheme({ env: { NO_COLOR: '1' } })} width={width} height={height} onQuit={() => {}} exportFn={exportFn} />);
  const sent: string[] = [];
  try {
    await sleep(40);
    for (const k of STARTS[start]!) {
      app.stdin.write(wire(k));
      sent.push(k);
      await sleep(30);
    }
    for (let n = 0; n < keys && faults.length === 0; n++) {
      const k = randomKey(r);
      app.stdin.write(k);
      sent.push(k);
      if (gapMs) await sleep(r.chance(0.1) ? 20 : gapMs);
    }
    await sleep(60);
    const last = app.lastFrame() ?? '';
    if (last.trim() === '') faults.push('the last frame is empty');
    // (Ink's error overview: ` ERROR  message`; a Findings row `ERROR   2  title` has its count after the word)
    if (/^\s*ERROR\s+\S/m.test(last) && !/^\s*ERROR\s+\d+\s/m.test(last)) faults.push(`the app shows an error:\n${last.slice(0, 800)}`);
  } finally {
    app.unmount();
    app.cleanup();
    console.error = consoleError;
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  }
  return faults.map((f) => `${sc.name}, from ${start} (${width}x${height}): ${f}\n  keys: ${JSON.stringify(sent.slice(-40))}`);
}

export interface StormReport {
  storms: number;
  keys: number;
  scenarios: string[];
  failures: string[];
}

/** `storms` storms of `keys` keys each, over every start screen and scenario in turn. */
export async function runStorms(o: { storms: number; seed: number; keys: number; gapMs?: number }): Promise<StormReport> {
  const scs = await scenarios();
  const starts = Object.keys(STARTS);
  const scratch = mkdtempSync(join(tmpdir(), 'rsttui-storm-'));
  const failures: string[] = [];
  let keys = 0;
  try {
    for (let s = 0; s < o.storms; s++) {
      // (every start screen in turn, the scenarios shifted each round: a few storms cover both)
      const start = starts[s % starts.length]!, sc = scs[(s + Math.floor(s / starts.length)) % scs.length]!;
      failures.push(...(await storm(sc, start, rngFor(o.seed, s), o.keys, scratch, o.gapMs)));
      keys += o.keys;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { storms: o.storms, keys, scenarios: scs.map((x) => x.name), failures };
}
