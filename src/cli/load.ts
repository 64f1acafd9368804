/** Shared by the subcommands: --name parsing, loading with progress, issue reporting, exit code. */
import { formatIssue } from '../model.js';
import { ORIGIN_ENV, RSS_ENV } from './relaunch.js';
import { loadDataset, type Dataset, type DatasetOptions } from '../flows/dataset.js';
import { minorFaults } from '../flows/phase-meter.js';
import { progressReporter } from './progress.js';
import { UsageError, type Parsed } from './main.js';
import { stripControls } from '../text.js';

export function vantageNames(p: Parsed): Map<string, string> {
  const names = new Map<string, string>();
  for (const spec of (p.values.name as string[] | undefined) ?? []) {
    const eq = spec.lastIndexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--name wants FILE=NAME, got '${spec}'`);
    names.set(spec.slice(0, eq), spec.slice(eq + 1));
  }
  return names;
}

export interface Loaded {
  ds: Dataset;
  /** 1 when an input could not be used at all */
  status: number;
}

function numberOpt(p: Parsed, name: string): number | undefined {
  const v = p.values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} wants a number, got '${String(v)}'`);
  return n;
}

/** The load options every subcommand shares (--name, --year, --tz, --date, --skew, --fw-drop-prefix). */
export function loadOptions(p: Parsed): DatasetOptions {
  const o: DatasetOptions = { names: vantageNames(p) };
  const year = numberOpt(p, 'year');
  const skew = numberOpt(p, 'skew');
  if (year !== undefined) o.year = year;
  if (skew !== undefined) o.skew = skew;
  if (typeof p.values.tz === 'string') o.tz = p.values.tz;
  const drop = p.values['fw-drop-prefix'];
  if (Array.isArray(drop) && drop.length > 0) {
    if (drop.some((w) => w.trim() === '')) throw new UsageError('--fw-drop-prefix wants a word, got an empty one');
    o.dropPrefixes = drop.map((w) => w.trim());
  }
  if (typeof p.values.date === 'string') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(p.values.date)) throw new UsageError(`--date wants YYYY-MM-DD, got '${p.values.date}'`);
    o.date = p.values.date;
  }
  return o;
}

/** The launcher's start before this process's (ms) and its resident memory (KiB): 0 without one. */
function launcherFacts(): { ms: number; rssKB: number } {
  const origin = Number(process.env[ORIGIN_ENV]), rssKB = Number(process.env[RSS_ENV]);
  if (!(origin > 0 && rssKB > 0)) return { ms: 0, rssKB: 0 };
  return { ms: Math.max(0, performance.timeOrigin - origin), rssKB };
}

export async function loadForCommand(p: Parsed, extra: DatasetOptions = {}): Promise<Loaded> {
  // (time from process start to here: node's own start and the CLI's imports)
  let t0 = performance.now();
  const progress = progressReporter();
  const ds = await loadDataset(p.files, { ...loadOptions(p), ...extra, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) });
  progress.done();
  if (process.env.RSTTUI_REPORT) {
    // for the benchmark: counts now, peak RSS at exit; a process relaunched for huge pages
    // (relaunch.ts) counts from its launcher's start, and adds its launcher's memory
    const launcher = launcherFacts();
    t0 += launcher.ms;
    const t = ds.timings;
    const outStart = performance.now();
    process.stderr.write(`rsttui-report packets ${ds.packets.count} connections ${ds.conns.count} addresses ${ds.addrs.count}\n`);
    process.stderr.write(`rsttui-report ms start ${t0.toFixed(0)} read ${t.read.toFixed(0)} match ${t.match.toFixed(0)} analyse ${t.analyse.toFixed(0)}\n`);
    process.stderr.write(`rsttui-report cpu-ms read ${t.cpu.read.toFixed(0)} match ${t.cpu.match.toFixed(0)} analyse ${t.cpu.analyse.toFixed(0)}\n`);
    process.stderr.write(`rsttui-report main-cpu-ms read ${t.mainCpu.read.toFixed(0)} match ${t.mainCpu.match.toFixed(0)} analyse ${t.mainCpu.analyse.toFixed(0)}\n`);
    process.stderr.write(`rsttui-report rss-mb-after read ${t.rssMB.read.toFixed(0)} match ${t.rssMB.match.toFixed(0)} analyse ${t.rssMB.analyse.toFixed(0)}\n`);
    for (const [what, s] of Object.entries(t.logOnly ?? {})) process.stderr.write(`rsttui-report log-only-${what} blocks ${s.blocks} by-worker ${s.byWorker} redone ${s.redone}\n`);
    const outFaults = minorFaults();
    process.on('exit', () => {
      process.stderr.write(`rsttui-report faults read ${t.faults.read} match ${t.faults.match} analyse ${t.faults.analyse} output ${minorFaults() - outFaults}\n`);
      process.stderr.write(`rsttui-report ms output ${(performance.now() - outStart).toFixed(0)} total ${(performance.now() + launcher.ms).toFixed(0)}\n`);
      if (launcher.ms) process.stderr.write(`rsttui-report hugepages launcher-ms ${launcher.ms.toFixed(0)} launcher-rss-kb ${launcher.rssKB}\n`);
      process.stderr.write(`rsttui-report maxrss-kb ${process.resourceUsage().maxRSS + launcher.rssKB}\n`);
    });
  }
  for (const i of ds.issues) process.stderr.write(stripControls(formatIssue(i)) + '\n');
  return { ds, status: unusableInputs(ds).length > 0 ? 1 : 0 };
}

/**
 * The inputs that could not be used (exit status 1): one that is not an input rsttui reads (a
 * fatal issue: bad magic, not found, empty), or one whose reading ended in an error before it gave
 * a single TCP packet (a capture) or firewall event (a log). An input that gave something before
 * its error is used as far as it goes: the error is printed and the status stays 0.
 */
export function unusableInputs(ds: Dataset): string[] {
  const out: string[] = [];
  const named = (path: string): string => (path === '-' ? 'stdin' : path);
  const failed = new Set<string>();
  for (const i of ds.issues) {
    if (i.fatal) out.push(i.file);
    else if (i.severity === 'error') failed.add(i.file);
  }
  for (const f of ds.files) if (failed.has(named(f.path)) && f.end === f.first && !out.includes(named(f.path))) out.push(named(f.path));
  for (const l of ds.logs) if (failed.has(named(l.path)) && l.events === 0 && !out.includes(named(l.path))) out.push(named(l.path));
  return out;
}
