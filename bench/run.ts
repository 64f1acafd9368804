/**
 * `npm run bench`: speed and memory of `rsttui flows` on a large deterministic capture, as ratios
 * against references measured in the same run (`cat` of the same file; tshark on a 1 M-packet
 * file), since these machines are noisy. Not a test: it asserts nothing.
 *
 *   npm run bench                      # 10 M packets (~1 GB)
 *   npm run bench -- --packets 2000000 # smaller
 *   npm run bench -- --runs 5          # best and median of 5 runs per input (default 3)
 */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, statSync, createReadStream, createWriteStream } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { generate } from './gen.js';
import { BIN, OUT } from './paths.js';
import { reportPhases } from './log-run.js';


const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '10000000' },
    'tshark-packets': { type: 'string', default: '1000000' },
    formats: { type: 'string', default: 'pcap,pcapng,gzip' },
    runs: { type: 'string', default: '3' },
  },
});
const N = Number(values.packets);
const NT = Number(values['tshark-packets']);
mkdirSync(OUT, { recursive: true });

function ensure(name: string, packets: number, format: 'pcap' | 'pcapng'): string {
  const path = join(OUT, name);
  if (!existsSync(path)) {
    const t0 = performance.now();
    const r = generate(path, { packets, format });
    process.stderr.write(`generated ${name}: ${r.packets} packets, ${r.connections} connections, ${(r.bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  return path;
}

function timeCmd(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { secs: number; stderr: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env, maxBuffer: 1 << 26 });
  return { secs: (performance.now() - t0) / 1000, stderr: r.stderr?.toString() ?? '', status: r.status };
}

interface Run { secs: number; rssMB: number; conns: number; phases: string }

/**
 * Read the file once, untimed, before each timed command: these machines' page cache is small
 * and reclaimed in the background, so without it a run may read part of the file from disk and
 * time the disk, not the program.
 */
function warm(file: string): void {
  spawnSync('cat', [file], { stdio: 'ignore' });
}

/** One run of `rsttui flows`; `worker: '0'` keeps everything on one thread. */
function rsttuiOnce(file: string, worker?: string): Run {
  const env = { ...process.env, RSTTUI_REPORT: '1', ...(worker !== undefined ? { RSTTUI_WORKER: worker } : {}) };
  const r = timeCmd('node', [BIN, 'flows', '--format', 'ndjson', file], env);
  if (r.status !== 0) throw new Error(`rsttui failed on ${file}: ${r.stderr}`);
  const rss = /maxrss-kb (\d+)/.exec(r.stderr);
  const conns = /connections (\d+)/.exec(r.stderr);
  const { phases } = reportPhases(r.stderr);
  return { secs: r.secs, rssMB: rss ? Number(rss[1]) / 1024 : NaN, conns: conns ? Number(conns[1]) : NaN, phases };
}

/** Best of `n` runs (these machines are noisy: the best run is the one least disturbed), and the median time. */
function rsttui(file: string, n = 1, worker?: string): Run & { median: number } {
  const runs: Run[] = [];
  for (let k = 0; k < n; k++) {
    warm(file);
    runs.push(rsttuiOnce(file, worker));
  }
  runs.sort((a, b) => a.secs - b.secs);
  const median = n % 2 ? runs[n >> 1]!.secs : (runs[n / 2 - 1]!.secs + runs[n / 2]!.secs) / 2;
  return { ...runs[0]!, median };
}

const rows: string[][] = [];
const phaseLines: string[] = [];
const RUNS = Number(values.runs);
const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '-');

const pcap = ensure(`bench-${N}.pcap`, N, 'pcap');
const inputs: [string, string][] = [];
const wanted = values.formats!.split(',');
if (wanted.includes('pcap')) inputs.push(['pcap', pcap]);
if (wanted.includes('pcapng')) inputs.push(['pcapng', ensure(`bench-${N}.pcapng`, N, 'pcapng')]);
if (wanted.includes('gzip')) {
  const gz = join(OUT, `bench-${N}.pcap.gz`);
  if (!existsSync(gz)) await pipeline(createReadStream(pcap), createGzip({ level: 6 }), createWriteStream(gz));
  inputs.push(['pcap.gz', gz]);
}

for (const [label, file] of inputs) {
  const size = statSync(file).size;
  warm(file);
  const cat = label === 'pcap.gz' ? timeCmd('gzip', ['-dc', file]) : timeCmd('cat', [file]);
  const r = rsttui(file, RUNS);
  const one = rsttui(file, 1, '0');
  phaseLines.push(`${label}: ${r.phases} ms; one thread (RSTTUI_WORKER=0): ${fmt(one.secs)} s, peak ${fmt(one.rssMB, 0)} MB`);
  const perPkt = (r.rssMB * 1048576) / N;
  // the memory target: 40 bytes per packet plus 300 per connection
  const budgetMB = (40 * N + 300 * r.conns) / 1048576;
  rows.push([
    label, (size / 1e6).toFixed(0), fmt(r.secs), fmt(r.median), fmt(N / r.secs / 1e6), fmt(size / 1e6 / r.secs, 0), fmt(r.rssMB, 0),
    fmt(perPkt, 1), fmt(budgetMB, 0), String(r.conns), fmt(cat.secs), fmt(r.secs / cat.secs, 1) + 'x',
  ]);
}

const head = ['input', 'MB', 'rsttui s', 'median s', 'Mpkt/s', 'MB/s', 'peak RSS MB', 'RSS B/pkt', 'budget MB', 'conns', 'ref s', 'vs ref'];
const w = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
console.log(`\nrsttui flows --format ndjson, ${N} packets (ref: cat, or gzip -dc for .gz; budget: 40 B/packet + 300 B/connection)`);
console.log(head.map((h, k) => h.padStart(w[k]!)).join('  '));
for (const r of rows) console.log(r.map((c, k) => c.padStart(w[k]!)).join('  '));
console.log(`\nbest and median of ${RUNS} runs, the file read once before each (untimed); where the time went (best run), and the same without the worker threads:`);
for (const l of phaseLines) console.log('  ' + l);

if (spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0) {
  const small = ensure(`bench-${NT}.pcap`, NT, 'pcap');
  warm(small);
  const ts = timeCmd('tshark', ['-q', '-z', 'conv,tcp', '-r', small]);
  const r = rsttui(small);
  console.log(`\n${NT} packets: tshark -q -z conv,tcp ${fmt(ts.secs)} s, rsttui flows ${fmt(r.secs)} s: rsttui is ${fmt(ts.secs / r.secs, 1)}x faster`);
} else {
  console.log('\n(tshark not installed: tshark comparison skipped)');
}
