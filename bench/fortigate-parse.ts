/**
 * The FortiGate reader's per-line cost next to the ASA reader's, measured in the same run on the
 * same number of generated lines (bench/gen-fortigate.ts, bench/gen-asa.ts), chunk by chunk with
 * the two vendors taking turns (so that a change in the machine's load hits both alike):
 *
 *   - the parsers alone: parseEnvelope + parseAsaBody (ASA) and parseFortigate + headerBefore
 *     (FortiGate, its syslog header read as the log reader does);
 *   - the whole log reader: SyslogParser.line into a sink that only counts (timestamps, years,
 *     reader choice included), as `rsttui flows` runs it.
 *
 * CPU time of the process (user + system), which other load on the machine disturbs less than the
 * wall time also shown. Not a test: it asserts only that no line failed.
 *
 *   node --expose-gc dist/bench/fortigate-parse.js           # 1 M lines of each
 *   node --expose-gc dist/bench/fortigate-parse.js --lines 200000
 *
 * (--expose-gc: the garbage of generating each chunk is collected before the timed passes)
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAsaBody } from '../src/read/asa.js';
import { headerBefore, parseEnvelope } from '../src/read/syslog-envelope.js';
import { parseFortigate } from '../src/read/fortigate.js';
import { SyslogParser } from '../src/read/syslog.js';
import { generateAsaLog } from './gen-asa.js';
import { fortigateLines } from './gen-fortigate.js';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, chunk: { type: 'string', default: '100000' } } });
const N = Number(values.lines);
const CHUNK = Number(values.chunk);

/** Lines cut from one latin1 block, as the log reader gets them (log-lines.ts), not concatenations. */
function sliced(text: string): string[] {
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

// the ASA lines: a generated file read back (~165 bytes a line: one string holds a million)
const dir = mkdtempSync(join(tmpdir(), 'rsttui-fgbench-'));
const asaPath = join(dir, 'asa.log');
generateAsaLog(asaPath, { lines: N });
const asaLines = sliced(readFileSync(asaPath, 'latin1'));
rmSync(dir, { recursive: true, force: true });

interface Tally { cpu: number; wall: number; lines: number; chars: number; bad: number }
const tallies = new Map<string, Tally>();
const gc = (globalThis as { gc?: () => void }).gc;
function time(name: string, lines: string[], f: (l: string) => boolean): void {
  // (the garbage of generating a chunk is collected before, not charged to the first pass after it)
  gc?.();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let bad = 0;
  for (let i = 0; i < lines.length; i++) if (!f(lines[i]!)) bad++;
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const t = tallies.get(name) ?? { cpu: 0, wall: 0, lines: 0, chars: 0, bad: 0 };
  t.cpu += (c.user + c.system) / 1000;
  t.wall += wall;
  t.lines += lines.length;
  for (const l of lines) t.chars += l.length;
  t.bad += bad;
  tallies.set(name, t);
}

const asaParse = (l: string): boolean => {
  const r = parseEnvelope(l);
  if (r === null || !r.ok) return false;
  return !('error' in parseAsaBody(r.env.msgid, r.env.body));
};
const fgParse = (l: string): boolean => {
  const r = parseFortigate(l);
  if (r === null || 'error' in r) return false;
  return headerBefore(l, r.at).ok;
};
let events = 0;
const sink = { event: (): void => void events++ };

let seed = 1;
let warm = true;
for (let done = 0; done < N; done += CHUNK) {
  const n = Math.min(CHUNK, N - done);
  const asa = asaLines.slice(done, done + n);
  const made: string[] = [];
  fortigateLines(n, seed++, (l) => made.push(l));
  const fg = sliced(made.join('\n'));
  made.length = 0;
  if (warm) {
    // an untimed pass of each on the first chunk: the JIT compiles every path before timing
    warm = false;
    const wa = new SyslogParser('asa.log', { year: 2018 }, sink), wf = new SyslogParser('fgt.log', {}, sink);
    for (const l of asa) asaParse(l), wa.line(l);
    for (const l of fg) fgParse(l), wf.line(l);
  }
  // (both chunks' text brought into the caches alike: the first timed pass would pay for it otherwise)
  for (const l of asa) if (l.indexOf('\u0001') >= 0) throw new Error('a control character');
  for (const l of fg) if (l.indexOf('\u0001') >= 0) throw new Error('a control character');
  time('ASA       parseEnvelope + parseAsaBody', asa, asaParse);
  time('FortiGate parseFortigate + headerBefore', fg, fgParse);
  const pa = new SyslogParser('asa.log', { year: 2018 }, sink);
  time('ASA       SyslogParser.line', asa, (l) => (pa.line(l), true));
  const pf = new SyslogParser('fgt.log', {}, sink);
  time('FortiGate SyslogParser.line', fg, (l) => (pf.line(l), true));
  if (pa.summary().badLines || pf.summary().badLines) throw new Error(`unreadable lines: ASA ${pa.summary().badLines}, FortiGate ${pf.summary().badLines}`);
}

process.stdout.write(`node ${process.version}, ${N} lines of each vendor, in chunks of ${CHUNK}${gc ? '' : ' (without --expose-gc: the first pass after each chunk pays for its garbage)'}\n`);
const us = new Map<string, number>();
for (const [name, t] of tallies) {
  const u = (t.cpu * 1000) / t.lines;
  us.set(name, u);
  process.stdout.write(`${name.padEnd(42)} ${u.toFixed(3)} µs/line cpu, ${((t.wall * 1000) / t.lines).toFixed(3)} wall, ${(t.chars / t.lines).toFixed(0)} chars/line${t.bad ? `, ${t.bad} FAILED` : ''}\n`);
}
const ratio = (a: string, b: string): string => (us.get(a)! / us.get(b)!).toFixed(2);
process.stdout.write(`FortiGate / ASA: parsers ${ratio('FortiGate parseFortigate + headerBefore', 'ASA       parseEnvelope + parseAsaBody')}x, ` +
  `log reader ${ratio('FortiGate SyslogParser.line', 'ASA       SyslogParser.line')}x per line (${events} events)\n`);
