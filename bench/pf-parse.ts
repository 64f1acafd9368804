/**
 * Per-line cost of the pfSense filterlog reader and of FTD's 430002/430003 bodies, beside the ASA
 * reader's in the same run, on generated lines (bench/gen-pf.ts, gen-ftd.ts, gen-asa.ts), in
 * blocks of 100 k lines (a block is one latin1 string, its lines slices of it, as log-lines.ts
 * hands them over), the vendors taking turns block by block so that a change in the machine's load
 * hits them alike. Two figures a vendor, process CPU time per line:
 *   `parse`: the message alone: ASA/FTD parseEnvelope + parseAsaBody; pf pfReader.parse + headerBefore;
 *   `line`:  SyslogParser.line into a sink that drops the event (what the loader does per line,
 *            less the column writes).
 * Not a test: it asserts nothing but that no line was unreadable.
 *
 *   node dist/bench/pf-parse.js [--lines 1000000]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAsaBody } from '../src/read/asa.js';
import { pfReader } from '../src/read/pf.js';
import { headerBefore, parseEnvelope } from '../src/read/syslog-envelope.js';
import { SyslogParser, type EventSink } from '../src/read/syslog.js';
import { generateAsaLog } from './gen-asa.js';
import { generateFtdLog } from './gen-ftd.js';
import { generatePfLog } from './gen-pf.js';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' } } });
const N = Number(values.lines);
const BLOCK = 100_000;

function split(text: string): string[] {
  const block = Buffer.from(text, 'latin1').toString('latin1');
  const out: string[] = [];
  for (let s = 0; s < block.length;) {
    let nl = block.indexOf('\n', s);
    if (nl < 0) nl = block.length;
    if (nl > s) out.push(block.slice(s, nl));
    s = nl + 1;
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'rsttui-pfbench-'));
const asaPath = join(dir, 'asa.log');
generateAsaLog(asaPath, { lines: N });
const asaText = readFileSync(asaPath, 'latin1');
rmSync(dir, { recursive: true, force: true });
let asaAt = 0;
/** the next `n` lines of the ASA log */
const asaBlock = (n: number): string => {
  let end = asaAt;
  for (let k = 0; k < n && end < asaText.length; k++) {
    const nl = asaText.indexOf('\n', end);
    end = nl < 0 ? asaText.length : nl + 1;
  }
  const s = asaText.slice(asaAt, end);
  asaAt = end;
  return s;
};

type Vendor = 'ASA' | 'FTD' | 'pf';
const cpu = (): number => { const c = process.cpuUsage(); return c.user + c.system; };
const total: Record<Vendor, { parse: number; line: number; n: number; bad: number }> = {
  ASA: { parse: 0, line: 0, n: 0, bad: 0 }, FTD: { parse: 0, line: 0, n: 0, bad: 0 }, pf: { parse: 0, line: 0, n: 0, bad: 0 },
};
let check = 0;
const sink: EventSink = { event(_f, fields) { check += fields.kind.length; } };

function parseOnly(v: Vendor, lines: string[]): number {
  let bad = 0;
  for (const l of lines) {
    if (v === 'pf') {
      const r = pfReader.parse(l, {});
      if (r === null || 'error' in r) { bad++; continue; }
      const h = headerBefore(l, r.at);
      check += r.fields.kind.length + (h.ok && h.header.fw ? h.header.fw.s : 0);
    } else {
      const r = parseEnvelope(l);
      if (r === null || !r.ok) { bad++; continue; }
      const f = parseAsaBody(r.env.msgid, r.env.body);
      if ('error' in f) bad++;
      else check += f.kind.length + (r.env.fw?.s ?? 0);
    }
  }
  return bad;
}

for (let done = 0, k = 0; done < N; done += BLOCK, k++) {
  const n = Math.min(BLOCK, N - done);
  const blocks: Record<Vendor, string[]> = { ASA: split(asaBlock(n)), FTD: split(generateFtdLog(n, k + 1)), pf: split(generatePfLog(n, k + 1)) };
  for (const v of ['ASA', 'FTD', 'pf'] as const) {
    const lines = blocks[v];
    const t0 = cpu();
    total[v].bad += parseOnly(v, lines);
    const t1 = cpu();
    const p = new SyslogParser(v, { year: 2024 }, sink);
    for (let i = 0; i < lines.length; i++) p.line(lines[i]!, 0);
    const t2 = cpu();
    total[v].bad += p.summary().badLines;
    total[v].parse += t1 - t0;
    total[v].line += t2 - t1;
    total[v].n += lines.length;
  }
}

process.stdout.write(`node ${process.version}, ${N} lines a vendor, CPU µs/line (ratio to ASA), checksum ${check}\n`);
const asa = total.ASA;
for (const v of ['ASA', 'FTD', 'pf'] as const) {
  const t = total[v];
  const p = t.parse / t.n, l = t.line / t.n;
  process.stdout.write(`${v.padEnd(4)} parse ${p.toFixed(3)} (${(p / (asa.parse / asa.n)).toFixed(2)}x)   line ${l.toFixed(3)} (${(l / (asa.line / asa.n)).toFixed(2)}x)   lines ${t.n}${t.bad ? `  UNREADABLE ${t.bad}` : ''}\n`);
}
