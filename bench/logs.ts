/**
 * The log part of `npm run bench` (after the packet part): speed and memory of `rsttui flows` on
 * large deterministic Cisco ASA logs (bench/gen-asa.ts), as ratios against references measured in
 * the same run: `wc -l` of the same file, and two plain Node line splits of it (4 MiB reads
 * counting '\n'; readline making a string per line). Then a log beside a capture: each alone and
 * both in one run. Not a test: it asserts nothing.
 *
 *   node dist/bench/logs.js                            # 1 M and 10 M lines (~165 MB, ~1.65 GB)
 *   node dist/bench/logs.js --lines 100000,300000      # smaller
 *   node dist/bench/logs.js --runs 3 --skip-capture    # best and median of 3; no capture part
 */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from './gen.js';
import { generateAsaLog, type Truth } from './gen-asa.js';
import { fmt, NDJSON_FLOWS, rsttui as rsttuiRuns, table, timeCmd, warm, type Run } from './log-run.js';
import { OUT } from './paths.js';


const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000,10000000' },
    runs: { type: 'string', default: '2' },
    'skip-capture': { type: 'boolean', default: false },
    // bench/run.ts's: `npm run bench -- --packets N` hands its arguments to the last command of
    // the chain, this one; accepted (so that the chain does not fail at its end) and not used
    packets: { type: 'string' },
    formats: { type: 'string' },
    'tshark-packets': { type: 'string' },
  },
});
const SIZES = values.lines!.split(',').map(Number).filter((n) => n > 0);
const RUNS = Math.max(1, Number(values.runs));
const BESIDE_PACKETS = 1_000_000, BESIDE_LINES = 1_000_000;
const BUDGET = 150; // bytes of peak RSS per log line
mkdirSync(OUT, { recursive: true });
for (const k of ['packets', 'formats', 'tshark-packets'] as const) {
  if (values[k] !== undefined) console.log(`(--${k} is bench/run.ts's and has not reached it: run node dist/bench/run.js --${k} ${values[k]} for the packet part)`);
}

function ensureLog(lines: number): { path: string; truth: Truth } {
  const path = join(OUT, `asa-${lines}.log`);
  const truthPath = path + '.truth.json';
  if (!existsSync(path) || !existsSync(truthPath)) {
    const t0 = performance.now();
    const truth = generateAsaLog(path, { lines });
    process.stderr.write(`generated asa-${lines}.log: ${truth.lines} lines, ${truth.rows} rows, ${(statSync(path).size / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    return { path, truth };
  }
  return { path, truth: JSON.parse(readFileSync(truthPath, 'utf8')) as Truth };
}

/** The capture of bench/run.ts's tshark comparison: same name, same arguments, same cache. */
function ensureCapture(packets: number): string {
  const path = join(OUT, `bench-${packets}.pcap`);
  if (!existsSync(path)) {
    const t0 = performance.now();
    const r = generate(path, { packets, format: 'pcap' });
    process.stderr.write(`generated bench-${packets}.pcap: ${r.packets} packets, ${r.connections} connections, ${(r.bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  return path;
}

/** read with fs in 4 MiB chunks, count '\n' */
const SPLIT = `const fs=require('fs');const fd=fs.openSync(process.argv[1],'r');const b=Buffer.allocUnsafe(4<<20);let n=0,r;
while((r=fs.readSync(fd,b,0,b.length,null))>0){const c=r===b.length?b:b.subarray(0,r);for(let i=c.indexOf(10);i!==-1;i=c.indexOf(10,i+1))n++}
console.log(n)`;
/** a string per line, with readline over a 4 MiB-chunk stream */
const READLINE = `const fs=require('fs');let n=0;
const rl=require('readline').createInterface({input:fs.createReadStream(process.argv[1],{highWaterMark:4<<20}),crlfDelay:Infinity});
rl.on('line',()=>{n++});rl.on('close',()=>console.log(n))`;

/** Best of `n` runs of a reference command, each after warming. */
function refBest(files: string[], cmd: string, args: string[], n = RUNS): number {
  let best = Infinity;
  for (let k = 0; k < n; k++) {
    warm(files);
    const r = timeCmd(cmd, args);
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
    best = Math.min(best, r.secs);
  }
  return best;
}

const rsttui = (files: string[], n = RUNS, cmd?: readonly string[], env?: NodeJS.ProcessEnv): Run & { median: number } => rsttuiRuns(files, n, cmd, env);

const rows: string[][] = [];
const notes: string[] = [];
const best = new Map<number, Run & { median: number }>();
for (const n of SIZES) {
  const { path, truth } = ensureLog(n);
  const size = statSync(path).size;
  const wc = refBest([path], 'wc', ['-l', path]);
  const split = refBest([path], process.execPath, ['-e', SPLIT, path]);
  const rl = refBest([path], process.execPath, ['-e', READLINE, path]);
  const r = rsttui([path]);
  best.set(n, r);
  const perLine = (r.rssMB * 1048576) / truth.lines;
  rows.push([
    String(truth.lines), (size / 1e6).toFixed(0), fmt(r.secs), fmt(r.median), fmt(truth.lines / r.secs / 1e6), fmt(size / 1e6 / r.secs, 0),
    fmt(r.rssMB, 0), fmt(perLine, 0), fmt((BUDGET * truth.lines) / 1048576, 0),
    fmt(wc), fmt(split), fmt(rl), fmt(r.secs / wc, 1) + 'x', fmt(r.secs / split, 1) + 'x', fmt(r.secs / rl, 1) + 'x',
  ]);
  notes.push(`${n} lines: ${r.phases} ms; rows ${r.rows} (generator's truth: ${truth.rows})`);
}

console.log(`\nrsttui flows --format ndjson --year 2018 on a Cisco ASA log (refs: wc -l; node 4 MiB reads counting '\\n'; node readline; budget: ${BUDGET} B/line)`);
table(['lines', 'MB', 'rsttui s', 'median s', 'Mline/s', 'MB/s', 'peak RSS MB', 'RSS B/line', 'budget MB', 'wc s', 'split s', 'readline s', 'vs wc', 'vs split', 'vs readline'], rows);
console.log(`\nbest and median of ${RUNS} runs (references: best of ${RUNS}), the file read once before each (untimed); where the time went (best run):`);
for (const l of notes) console.log('  ' + l);

// what else a user runs on the largest log: the default table, the CSV, and the findings (once
// each; the table wrote nothing past ~120 k rows until it was tried here, the NDJSON alone being
// timed, and the CSV took 2.2x the NDJSON)
const largest = SIZES[SIZES.length - 1];
if (largest !== undefined) {
  const { path } = ensureLog(largest);
  const nd = best.get(largest)!;
  const others = [['flows'], ['flows', '--format', 'csv'], ['summary']].map((cmd) => ({ cmd, r: rsttui([path], 1, cmd) }));
  // (the NDJSON in one process, without the relaunch for huge pages: src/cli/relaunch.ts)
  const flat = rsttui([path], 1, NDJSON_FLOWS, { RSTTUI_HUGEPAGES: '0' });
  console.log(`\nother commands on the ${largest}-line log, one run each, against the NDJSON's best above:`);
  table(['command', 'rsttui s', 'vs ndjson', 'peak RSS MB', 'phases ms'], [
    ['flows --format ndjson', fmt(nd.secs), '1.00x', fmt(nd.rssMB, 0), nd.phases],
    ...others.map(({ cmd, r }) => [`${cmd.join(' ')}${cmd.length === 1 && cmd[0] === 'flows' ? ' (table)' : ''}`, fmt(r.secs), fmt(r.secs / nd.secs) + 'x', fmt(r.rssMB, 0), r.phases]),
    ['ndjson, RSTTUI_HUGEPAGES=0', fmt(flat.secs), fmt(flat.secs / nd.secs) + 'x', fmt(flat.rssMB, 0), flat.phases],
  ]);
}

const sizes = [...best.keys()].sort((a, b) => a - b);
for (let k = 1; k < sizes.length; k++) {
  const a = best.get(sizes[k - 1]!)!, b = best.get(sizes[k]!)!;
  const x = sizes[k]! / sizes[k - 1]!;
  // node's start and the CLI's imports are a fixed cost that hides the slope at small sizes
  const net = (b.secs - b.startMs / 1000) / (a.secs - a.startMs / 1000);
  console.log(`linearity: time(${sizes[k]})/time(${sizes[k - 1]}) = ${fmt(b.secs / a.secs)} (lines x${fmt(x, 1)}, goal <= ${fmt(1.1 * x, 1)}); without node's start: ${fmt(net)}`);
}

if (!values['skip-capture']) {
  const pcap = ensureCapture(BESIDE_PACKETS);
  const { path: log } = ensureLog(BESIDE_LINES);
  const cap = rsttui([pcap]);
  const alone = best.get(BESIDE_LINES) ?? rsttui([log]);
  const both = rsttui([pcap, log]);
  const sum = cap.secs + alone.secs;
  console.log(`\nlog beside a capture: ${BESIDE_PACKETS} packets (bench/gen.ts) and the ${BESIDE_LINES}-line log, best of ${RUNS}`);
  table(['input', 'rsttui s', 'median s', 'peak RSS MB', 'rows'], [
    ['capture alone', fmt(cap.secs), fmt(cap.median), fmt(cap.rssMB, 0), String(cap.rows)],
    ['log alone', fmt(alone.secs), fmt(alone.median), fmt(alone.rssMB, 0), String(alone.rows)],
    ['both, one run', fmt(both.secs), fmt(both.median), fmt(both.rssMB, 0), String(both.rows)],
  ]);
  // the sum pays node's start twice, the joint run once
  const once = sum - alone.startMs / 1000;
  console.log(`both alone ${fmt(sum)} s (sum; ${fmt(once)} s with node's start counted once) vs together ${fmt(both.secs)} s: ${fmt(both.secs / sum)}x the sum (${fmt(both.secs / once)}x)`);
  console.log(`peak RSS together ${fmt(both.rssMB, 0)} MB vs ${fmt(cap.rssMB + alone.rssMB, 0)} MB (sum of the two alone), ${fmt(Math.max(cap.rssMB, alone.rssMB), 0)} MB (larger of the two)`);
  console.log(`  together: ${both.phases} ms`);
}
