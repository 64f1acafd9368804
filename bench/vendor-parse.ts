/**
 * Every reader's line parser side by side, in one run: generated lines of the ASA (bench/gen-asa.ts)
 * and of each vendor (bench/vendor-gens.ts) through the same SyslogParser (envelope or vendor
 * reader, the syslog header, the event handed to a sink that only counts), one core, generation
 * not timed. Times are CPU time of the process (user + system: on a shared machine the wall clock
 * also counts the waits for a core). Not a test: it asserts nothing but that no line is reported.
 * (`bench/log-vendors.ts` times the whole `flows` run instead; `bench/asa-parse.ts` the ASA's fast
 * path against its regex path.)
 *
 *   node --expose-gc dist/bench/vendor-parse.js                  # 1 M lines of each
 *   node --expose-gc dist/bench/vendor-parse.js --lines 200000
 *
 * (--expose-gc: the generator's garbage is collected before each timed pass, not during it)
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyslogParser, type EventSink } from '../src/read/syslog.js';
import { generateAsaLog } from './gen-asa.js';
import { fmt, table } from './log-run.js';
import { generatedPieces, VENDOR_GENERATORS } from './vendor-gens.js';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' } } });
const N = Number(values.lines);

/** Lines as the reader hands them over: slices of one latin1 block (log-lines.ts). */
function split(text: string, out: string[]): string[] {
  for (let s = 0; s < text.length; ) {
    let nl = text.indexOf('\n', s);
    if (nl < 0) nl = text.length;
    if (nl > s) out.push(text.slice(s, nl));
    s = nl + 1;
  }
  return out;
}

/** Parse the lines (after a warm-up of the first 20 k); CPU ms, events, bytes. */
function time(lines: string[], year?: number): { cpu: number; events: number; bytes: number } {
  let events = 0;
  const sink: EventSink = { event: () => { events++; } };
  const run = (ls: string[]): SyslogParser => {
    const p = new SyslogParser('bench', year === undefined ? {} : { year }, sink);
    for (let i = 0; i < ls.length; i++) p.line(ls[i]!, 0);
    if (p.issues.length) throw new Error(`${p.issues.length} issues, first: ${p.issues[0]!.message}`);
    return p;
  };
  run(lines.slice(0, 20_000));
  events = 0;
  let bytes = 0;
  for (const l of lines) bytes += l.length + 1;
  (globalThis as { gc?: () => void }).gc?.();
  const c0 = process.cpuUsage();
  run(lines);
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000, events, bytes };
}

const results: { name: string; r: ReturnType<typeof time> }[] = [];
const dir = mkdtempSync(join(tmpdir(), 'rsttui-bench-'));
try {
  const path = join(dir, 'asa.log');
  generateAsaLog(path, { lines: N });
  results.push({ name: 'ASA', r: time(split(readFileSync(path, 'latin1'), []), 2018) });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
for (const v of VENDOR_GENERATORS) {
  const lines: string[] = [];
  for (const text of generatedPieces(v.gen, N)) split(Buffer.from(text, 'latin1').toString('latin1'), lines);
  results.push({ name: v.name, r: time(lines) });
}
const asa = results[0]!.r;
console.log(`\nline parsers, ${N} generated lines each, CPU time (one core)`);
table(['reader', 'B/line', 'us/line', 'vs ASA', 'ns/byte', 'vs ASA per byte', 'events'], results.map(({ name, r }) => [
  name, fmt(r.bytes / N, 0), fmt((r.cpu * 1000) / N, 2), fmt(r.cpu / asa.cpu) + 'x', fmt((r.cpu * 1e6) / r.bytes, 1),
  fmt(r.cpu / r.bytes / (asa.cpu / asa.bytes)) + 'x', String(r.events),
]));
