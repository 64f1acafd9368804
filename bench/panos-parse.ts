/**
 * The PAN-OS reader's speed beside the ASA reader's, in one run: lines from bench/gen-panos.ts and
 * bench/gen-asa.ts through the same line parser (SyslogParser: the envelope or the vendor reader,
 * the syslog header, the event handed to a sink that only counts), one core, generation not timed.
 * Times are CPU time of the process (user + system: on a shared machine the wall clock also counts
 * the waits for a core), wall clock beside. Not a test: it asserts nothing but that no line is reported.
 *
 *   node --expose-gc dist/bench/panos-parse.js                  # 1 M lines of each
 *   node --expose-gc dist/bench/panos-parse.js --lines 200000
 *
 * (--expose-gc: the generator's garbage is collected before each timed pass, not during it)
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyslogParser, type EventSink } from '../src/read/syslog.js';
import { generateAsaLog } from './gen-asa.js';
import { generatePanosLog } from './gen-panos.js';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' } } });
const N = Number(values.lines);
const CHUNK = 100_000;

/** Lines as the reader hands them over: slices of one latin1 block (log-lines.ts). */
function split(text: string): string[] {
  const block = Buffer.from(text, 'latin1').toString('latin1');
  const out: string[] = [];
  for (let s = 0; s < block.length; ) {
    let nl = block.indexOf('\n', s);
    if (nl < 0) nl = block.length;
    if (nl > s) out.push(block.slice(s, nl));
    s = nl + 1;
  }
  return out;
}

/** Parse the lines; returns [CPU ms, events, bytes, wall ms]. */
function time(lines: string[], year?: number): [number, number, number, number] {
  let n = 0;
  const sink: EventSink = { event: () => { n++; } };
  const p = new SyslogParser('bench', year === undefined ? {} : { year }, sink);
  let bytes = 0;
  for (const l of lines) bytes += l.length + 1;
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now(), c0 = process.cpuUsage();
  for (let i = 0; i < lines.length; i++) p.line(lines[i]!, 0);
  const c = process.cpuUsage(c0), wall = performance.now() - t0;
  if (p.issues.length) throw new Error(`${p.issues.length} issues, first: ${p.issues[0]!.message}`);
  return [(c.user + c.system) / 1000, n, bytes, wall];
}

// ASA first (its file: bench/gen-asa.ts writes one)
const dir = mkdtempSync(join(tmpdir(), 'rsttui-bench-'));
let asa: [number, number, number, number];
try {
  const path = join(dir, 'asa.log');
  generateAsaLog(path, { lines: N });
  const lines = split(readFileSync(path, 'latin1'));
  time(lines.slice(0, 20_000), 2018); // warm-up
  asa = time(lines, 2018);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// PAN-OS in chunks (a 1 M-line PAN-OS log is ~700 MB: more than one string holds)
let pan: [number, number, number, number] = [0, 0, 0, 0];
time(split(generatePanosLog(20_000, 99)));
for (let done = 0, k = 1; done < N; done += CHUNK, k++) {
  const r = time(split(generatePanosLog(Math.min(CHUNK, N - done), k)));
  pan = [pan[0] + r[0], pan[1] + r[1], pan[2] + r[2], pan[3] + r[3]];
}

const row = (name: string, [ms, n, bytes, wall]: [number, number, number, number]): string =>
  `${name.padEnd(7)} ${String(n).padStart(8)} lines  ${(bytes / n).toFixed(0).padStart(4)} B/line  CPU ${(ms / 1000).toFixed(2).padStart(6)} s  ` +
  `${((ms * 1000) / n).toFixed(2).padStart(6)} µs/line  ${(bytes / 1e6 / (ms / 1000)).toFixed(0).padStart(4)} MB/s  (wall ${((wall * 1000) / n).toFixed(2)} µs/line)`;
console.log(row('ASA', asa));
console.log(row('PAN-OS', pan));
console.log(`PAN-OS / ASA: ${((pan[0] / pan[1]) / (asa[0] / asa[1])).toFixed(2)} x per line, ${((pan[0] / pan[2]) / (asa[0] / asa[2])).toFixed(2)} x per byte`);
