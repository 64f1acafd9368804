/**
 * One fuzz input through everything a user can run on it: the readers and the analysis
 * (loadDataset), every connection's record, ECS document, explanation and explain text, the
 * summary, the flow lines of `flows --format ndjson` (both writers), and every export format into
 * a scratch directory, each read back. Returns what went wrong (empty: nothing); an exception
 * escaping any of it is caught here and is a failure too.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { explain } from '../src/analysis/explain.js';
import { flowRecord } from '../src/export/records.js';
import { ecsFlow } from '../src/export/ecs.js';
import { exportFlows, ExportError, type ExportFormat } from '../src/export/export.js';
import { writeFlowLines } from '../src/export/flow-share.js';
import { explainLines } from '../src/cli/explain.js';
import { summarize } from '../src/analysis/summary.js';
import { summaryLines } from '../src/cli/summary.js';
import { packetRecord } from '../src/export/records.js';
import { rereadFrames } from '../src/read/reread.js';
import { decodeDetail } from '../src/decode/detail.js';
import { MARK_SYNTH } from '../src/model.js';
import { buildTimeline } from '../src/ui/view/ladder.js';
import { hexDump, layerLines } from '../src/ui/view/hexdump.js';
import { issueFault, type InputFacts } from './issue-rule.js';

/** Connections (packets) past this many get no per-connection (per-packet) checks: the loads stay quick. */
const CONN_CAP = 3000;
const PACKET_CAP = 5000;
// (what stripControls takes out: C0 but tab, DEL, C1, bidi overrides)
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Decompressed size and line count of an input (a damaged gzip: as far as it inflates). */
export async function inputFacts(path: string): Promise<InputFacts> {
  const head = readFileSync(path).subarray(0, 2);
  let size = 0, lines = 0;
  const count = (c: Buffer): void => {
    size += c.length;
    for (let k = c.indexOf(10); k >= 0; k = c.indexOf(10, k + 1)) lines++;
  };
  const src = createReadStream(path);
  const stream = head[0] === 0x1f && head[1] === 0x8b ? src.pipe(createGunzip()) : src;
  await new Promise<void>((resolve) => {
    stream.on('data', (c: Buffer) => count(c));
    stream.on('error', () => resolve());
    stream.on('end', () => resolve());
    src.on('error', () => resolve());
  });
  return { file: path, size, lines: lines + 1 };
}

const FORMATS: [ExportFormat, string][] = [['ndjson', 'ndjson'], ['zeek', 'log'], ['ecs', 'ecs.ndjson'], ['csv', 'csv'], ['pcap', 'pcap'], ['pcapng', 'pcapng']];

const msg = (e: unknown): string => (e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 6).join('\n') : String(e));

function linesOf(path: string): string[] {
  const t = readFileSync(path, 'utf8');
  return t === '' ? [] : t.replace(/\n$/, '').split('\n');
}

/** Parse NDJSON flow lines, checking each is one JSON object. */
function parseLines(text: string, what: string, fail: (m: string) => void): unknown[] {
  const out: unknown[] = [];
  for (const l of text.split('\n')) {
    if (l === '') continue;
    try {
      out.push(JSON.parse(l));
    } catch (e) {
      fail(`${what}: a line is not JSON (${msg(e).split('\n')[0]}): ${l.slice(0, 120)}`);
      return out;
    }
  }
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

async function checkExports(ds: Dataset, all: number[], outDir: string, fail: (m: string) => void): Promise<void> {
  for (const [format, ext] of FORMATS) {
    const out = join(outDir, `export.${ext}`);
    let res;
    try {
      res = await exportFlows(ds, all, out, { format, force: true });
    } catch (e) {
      // refusals the user is told about (several link types in one pcap) are not faults
      if (e instanceof ExportError && e.code === 'mixed-linktypes') continue;
      fail(`export ${format}: ${msg(e)}`);
      continue;
    }
    if (format === 'ndjson' || format === 'ecs') {
      const rows = parseLines(readFileSync(out, 'utf8'), `export ${format}`, fail);
      if (rows.length !== all.length) fail(`export ${format}: ${rows.length} lines for ${all.length} connections`);
    } else if (format === 'zeek') {
      const ls = linesOf(out);
      const fields = (ls.find((l) => l.startsWith('#fields'))?.split('\t').length ?? 1) - 1;
      const rows = ls.filter((l) => !l.startsWith('#'));
      if (rows.length !== all.length) fail(`export zeek: ${rows.length} rows for ${all.length} connections`);
      const bad = rows.find((r) => r.split('\t').length !== fields);
      if (bad !== undefined) fail(`export zeek: a row of ${bad.split('\t').length} fields, the header has ${fields}: ${bad.slice(0, 160)}`);
    } else if (format === 'pcap' || format === 'pcapng') {
      // the written capture loads back without an error, with every packet written
      const back = await loadDataset([out], { worker: 'never' });
      const errors = back.issues.filter((i) => i.severity === 'error');
      if (errors.length) fail(`export ${format}: reading it back: ${errors[0]!.message}`);
      const tcp = back.files[0]?.stats.tcp ?? 0;
      if (tcp !== res.packets) fail(`export ${format}: wrote ${res.packets} packets, reading it back gives ${tcp}`);
    }
  }
}

/**
 * Every packet as `packets` prints it, and as the packet detail shows it: read back from its
 * file, decoded layer by layer, dumped in hex; what the terminal gets has no control characters.
 */
async function checkPackets(ds: Dataset, fail: (m: string) => void): Promise<void> {
  let budget = PACKET_CAP;
  for (let f = 0; f < ds.files.length && budget > 0; f++) {
    const file = ds.files[f]!;
    const rows: number[] = [];
    for (let r = file.first; r < file.end && budget > 0; r++, budget--) {
      JSON.stringify(packetRecord(ds, r, f));
      if (!(ds.packets.mark(r) & MARK_SYNTH)) rows.push(r);
    }
    if (rows.length === 0 || (file.kind !== 'pcap' && file.kind !== 'pcapng')) continue;
    const frames = Uint32Array.from(rows, (r) => ds.packets.frame(r));
    const offsets = Float64Array.from(rows, (r) => ds.packets.offset(r));
    let seen = 0;
    await rereadFrames({ path: file.path, frames, offsets }, (k, data, off, caplen, origlen, _s, _ns, linktype) => {
      seen++;
      const lines = [...layerLines(decodeDetail(data, off, caplen, origlen, linktype)), ...hexDump(data.subarray(off, off + caplen))];
      const bad = lines.find((l) => CONTROL.test(l));
      if (bad !== undefined) fail(`${file.path} record ${frames[k]}: the packet detail carries control characters: ${JSON.stringify(bad.slice(0, 160))}`);
    });
    if (seen !== rows.length) fail(`${file.path}: ${rows.length} records asked for, ${seen} read back`);
  }
}

/** Everything, on the inputs `paths`; scratch files go to `outDir`. */
export async function checkInput(paths: readonly string[], outDir: string): Promise<string[]> {
  const faults: string[] = [];
  const fail = (m: string): void => {
    if (faults.length < 20) faults.push(m);
  };
  let step = 'load';
  try {
    const facts = await Promise.all(paths.map(inputFacts));
    const chunks: Uint8Array[] = [];
    const ds = await loadDataset(paths, { worker: 'never', flowLines: (b) => chunks.push(b.slice()) });
    for (const i of ds.issues) {
      const f = issueFault(i, facts);
      if (f) fail(`issue ${f}: ${JSON.stringify(i)}`);
    }
    const n = ds.conns.count;
    const all = Array.from({ length: n }, (_, i) => i);
    const records: unknown[] = [];
    step = 'per connection';
    for (let i = 0; i < Math.min(n, CONN_CAP); i++) {
      step = `connection ${i + 1}: record`;
      const rec = flowRecord(ds, i);
      records.push(JSON.parse(JSON.stringify(rec)));
      step = `connection ${i + 1}: ecs`;
      JSON.stringify(ecsFlow(ds, i));
      step = `connection ${i + 1}: explain`;
      const words = explain(ds.connPackets(i), ds.verdict(i));
      if (words.some((l) => typeof l !== 'string')) fail(`connection ${i + 1}: explain gave a non-string line`);
      step = `connection ${i + 1}: explain text`;
      const text = explainLines(ds, i);
      const bad = text.find((l) => CONTROL.test(l));
      if (bad !== undefined) fail(`connection ${i + 1}: explain text carries control characters: ${JSON.stringify(bad.slice(0, 160))}`);
      step = `connection ${i + 1}: timeline`;
      const tl = buildTimeline(ds, i);
      const shown = [...tl.header, tl.client, tl.server, ...tl.rows.flatMap((x) => [x.label, x.note, x.when ?? ''])];
      const ctl = shown.find((x) => CONTROL.test(x));
      if (ctl !== undefined) fail(`connection ${i + 1}: the timeline carries control characters: ${JSON.stringify(ctl.slice(0, 200))}`);
    }
    step = 'packets';
    await checkPackets(ds, fail);
    step = 'summary';
    summaryLines(summarize(ds, all));
    step = 'flow lines';
    if (ds.flowLinesWritten) {
      const during = parseLines(Buffer.concat(chunks).toString('utf8'), 'flow lines written while analysing', fail);
      if (during.length !== n) fail(`flow lines written while analysing: ${during.length} lines for ${n} connections`);
      const k = during.findIndex((x, i) => i < records.length && !sameJson(x, records[i]));
      if (k >= 0) fail(`connection ${k + 1}: the flow line written while analysing differs from its record:\n  ${JSON.stringify(during[k])}\n  ${JSON.stringify(records[k])}`);
    }
    const parts: Uint8Array[] = [];
    await writeFlowLines(ds, (b) => { parts.push(b.slice()); return true; }, { worker: 'never' });
    const lines = parseLines(Buffer.concat(parts).toString('utf8'), 'flow lines', fail);
    if (lines.length !== n) fail(`flow lines: ${lines.length} lines for ${n} connections`);
    const k = lines.findIndex((x, i) => i < records.length && !sameJson(x, records[i]));
    if (k >= 0) fail(`connection ${k + 1}: its flow line differs from its record:\n  ${JSON.stringify(lines[k])}\n  ${JSON.stringify(records[k])}`);
    step = 'exports';
    await checkExports(ds, all, outDir, fail);
  } catch (e) {
    fail(`exception (${step}): ${msg(e)}`);
  }
  return faults;
}
