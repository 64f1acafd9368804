/**
 * The SRX reader beside the ASA reader, per line, in one run: the whole per-line path of the log
 * reader (SyslogParser.line: message, syslog header, time, counts; events to a sink that drops
 * them) on generated SRX lines (bench/gen-srx.ts: half structured-data, half plain) and ASA lines
 * (bench/gen-asa.ts), and the message readers alone (parseSrxLine; parseEnvelope + parseAsaBody,
 * which includes the ASA's header). Lines are cut from one latin1 block as log-lines.ts cuts them,
 * made in chunks of 100 k (so that 1 M lines of each do not sit in memory at once), best of 3 per
 * chunk, process CPU time. Not a test: it asserts nothing.
 *
 *   node dist/bench/srx-parse.js                  # 1 M lines of each
 *   node dist/bench/srx-parse.js --lines 200000
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyslogParser, type EventSink } from '../src/read/syslog.js';
import { parseSrxLine } from '../src/read/srx.js';
import { parseEnvelope } from '../src/read/syslog-envelope.js';
import { parseAsaBody } from '../src/read/asa.js';
import { generateSrxLog } from './gen-srx.js';
import { generateAsaLog } from './gen-asa.js';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' } } });
const N = Number(values.lines);
const CHUNK = 100_000;
const ROUNDS = 3;

const cut = (text: string): string[] => {
  const block = Buffer.from(text, 'latin1').toString('latin1');
  const out: string[] = [];
  for (let s = 0; s < block.length; ) {
    const nl = block.indexOf('\n', s);
    if (nl < 0) break;
    out.push(block.slice(s, nl));
    s = nl + 1;
  }
  return out;
};

let events = 0;
const sink: EventSink = { event: () => void events++ };
/** CPU µs of the best of ROUNDS passes of f over the lines. */
function cpu(lines: string[], f: (l: string) => number): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const c0 = process.cpuUsage();
    let sum = 0;
    for (const l of lines) sum += f(l);
    const c = process.cpuUsage(c0);
    if (sum < 0) console.log('');
    best = Math.min(best, c.user + c.system);
  }
  return best;
}
function parserPass(lines: string[]): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const p = new SyslogParser('x', { year: 2024 }, sink);
    const c0 = process.cpuUsage();
    for (const l of lines) p.line(l);
    const c = process.cpuUsage(c0);
    best = Math.min(best, c.user + c.system);
  }
  return best;
}

const dir = mkdtempSync(join(tmpdir(), 'rsttui-srx-bench-'));
const t = { srx: 0, asa: 0, srxReader: 0, asaReader: 0, srxChars: 0, asaChars: 0, srxLines: 0, asaLines: 0 };
for (let c = 0; c * CHUNK < N; c++) {
  const n = Math.min(CHUNK, N - c * CHUNK);
  const srx = cut(generateSrxLog(n, c + 1));
  const asaPath = join(dir, 'asa.log');
  generateAsaLog(asaPath, { lines: n, seed: c + 1 });
  const asa = cut(readFileSync(asaPath, 'latin1'));
  t.srx += parserPass(srx);
  t.asa += parserPass(asa);
  t.srxReader += cpu(srx, (l) => (parseSrxLine(l) as { at: number }).at);
  t.asaReader += cpu(asa, (l) => {
    const r = parseEnvelope(l);
    if (r === null || !r.ok) return 0;
    const f = parseAsaBody(r.env.msgid, r.env.body);
    return 'error' in f ? 0 : f.kind.length;
  });
  for (const l of srx) t.srxChars += l.length;
  for (const l of asa) t.asaChars += l.length;
  t.srxLines += srx.length;
  t.asaLines += asa.length;
}
rmSync(dir, { recursive: true, force: true });
const us = (v: number, n: number): string => (v / n).toFixed(3);
console.log(`node ${process.version}; ${t.srxLines} SRX lines (${(t.srxChars / t.srxLines).toFixed(0)} chars each), ${t.asaLines} ASA lines (${(t.asaChars / t.asaLines).toFixed(0)} chars each); CPU, best of ${ROUNDS} per ${CHUNK}-line chunk`);
console.log(`SyslogParser.line  SRX ${us(t.srx, t.srxLines)} µs/line   ASA ${us(t.asa, t.asaLines)} µs/line   ratio ${(t.srx / t.srxLines / (t.asa / t.asaLines)).toFixed(2)}  (per char ${((t.srx / t.srxChars) / (t.asa / t.asaChars)).toFixed(2)})`);
console.log(`message reader     SRX ${us(t.srxReader, t.srxLines)} µs/line   ASA ${us(t.asaReader, t.asaLines)} µs/line (envelope + body)   ratio ${(t.srxReader / t.srxLines / (t.asaReader / t.asaLines)).toFixed(2)}`);
console.log(`(${events} events)`);
