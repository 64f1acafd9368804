/**
 * What the log benchmarks share (bench/logs.ts, bench/log-vendors.ts): timing a command, warming
 * the page cache, and `rsttui flows --format ndjson` with its own report of phases and peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'rsttui.js');

export function timeCmd(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { secs: number; stderr: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env, maxBuffer: 1 << 26 });
  return { secs: (performance.now() - t0) / 1000, stderr: r.stderr?.toString() ?? '', status: r.status };
}

/** Read the files once, untimed, before each timed command (see bench/run.ts: the page cache). */
export function warm(files: string[]): void {
  for (const f of files) spawnSync('cat', [f], { stdio: 'ignore' });
}

export interface Run { secs: number; rssMB: number; rows: number; startMs: number; phases: string }

/**
 * The phases' milliseconds in an RSTTUI_REPORT (node's start and imports, reading, matching,
 * analysing, writing the output): from its `rsttui-report ms` lines only (the faults line names
 * the phases too).
 */
export function reportPhases(stderr: string): { ms: (phase: string) => string; phases: string } {
  const lines = stderr.split('\n').filter((l) => l.startsWith('rsttui-report ms ')).join('\n');
  const ms = (k: string): string => new RegExp(` ${k} (\\d+)`).exec(lines)?.[1] ?? '-';
  return { ms, phases: ['start', 'read', 'match', 'analyse', 'output'].map((k) => `${k} ${ms(k)}`).join(', ') };
}

/** The command the log benchmark times, unless told another (`cmd`: subcommand and options). */
export const NDJSON_FLOWS = ['flows', '--format', 'ndjson'];

export function rsttuiOnce(files: string[], cmd: readonly string[] = NDJSON_FLOWS, extraEnv: NodeJS.ProcessEnv = {}): Run {
  const env = { ...process.env, RSTTUI_REPORT: '1', ...extraEnv };
  const r = timeCmd('node', [BIN, ...cmd, '--year', '2018', ...files], env);
  if (r.status !== 0) throw new Error(`rsttui failed on ${files.join(' ')}: ${r.stderr}`);
  const rss = /maxrss-kb (\d+)/.exec(r.stderr);
  const rows = /connections (\d+)/.exec(r.stderr);
  const { ms, phases } = reportPhases(r.stderr);
  return { secs: r.secs, rssMB: rss ? Number(rss[1]) / 1024 : NaN, rows: rows ? Number(rows[1]) : NaN, startMs: Number(ms('start')), phases };
}

/** Best of `n` runs (the one least disturbed), and the median time. */
export function rsttui(files: string[], n: number, cmd: readonly string[] = NDJSON_FLOWS, extraEnv: NodeJS.ProcessEnv = {}): Run & { median: number } {
  const runs: Run[] = [];
  for (let k = 0; k < n; k++) {
    warm(files);
    runs.push(rsttuiOnce(files, cmd, extraEnv));
  }
  runs.sort((a, b) => a.secs - b.secs);
  const median = n % 2 ? runs[n >> 1]!.secs : (runs[n / 2 - 1]!.secs + runs[n / 2]!.secs) / 2;
  return { ...runs[0]!, median };
}

export const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
export function table(head: string[], rows: string[][]): void {
  const w = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  console.log(head.map((h, k) => h.padStart(w[k]!)).join('  '));
  for (const r of rows) console.log(r.map((c, k) => c.padStart(w[k]!)).join('  '));
}

