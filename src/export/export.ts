/**
 * Export the chosen connections of a Dataset to a file: their original packets (pcap, pcapng)
 * or their flow records (csv, ndjson, Zeek conn.log, ECS). The CLI's `export` and the UI both call
 * exportFlows; it writes nothing to stdout/stderr and never exits: every problem is an
 * ExportError (message + exit status), and a failed export leaves no file behind (atomic.ts).
 *
 * Packet order is input order: the inputs in the order they were given, each one's records in
 * file order (a multi-input pcap is therefore not sorted by time; mergecap can do that).
 */
import type { Dataset } from '../flows/dataset.js';
import { ANOMALIES } from '../model.js';
import { assertRereadable, captureHeader, rereadFrames, RereadError, type CaptureHeader } from '../read/reread.js';
import { ExportError, writeAtomic, type OutFile } from './atomic.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';
import { flowRecord, FLOW_FIELDS } from './records.js';
import { ecsFlow } from './ecs.js';
import { csvHeader } from './text-formats.js';
import { FlowLineEncoder } from './flow-bytes.js';
import { CsvLineEncoder } from './csv-bytes.js';
import { useFlowLinesWorker, writeFlowLines } from './flow-share.js';
import { writeSelected } from './lines-mode.js';
import { workerMode } from '../flows/workers.js';
import { zeekFooter, zeekHeader, zeekRow } from './zeek.js';

export { ExportError } from './atomic.js';

export const EXPORT_FORMATS = ['pcap', 'pcapng', 'csv', 'ndjson', 'zeek', 'ecs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Formats that copy packet bytes (and so read the inputs again). */
export const needsPackets = (f: ExportFormat): boolean => f === 'pcap' || f === 'pcapng';

const EXTENSIONS: [string, ExportFormat][] = [
  ['.pcapng', 'pcapng'], ['.pcap', 'pcap'], ['.csv', 'csv'], ['.ndjson', 'ndjson'], ['.jsonl', 'ndjson'], ['.log', 'zeek'], ['.zeek', 'zeek'],
];

/** The format an output name asks for by its extension (case-insensitive), if any. */
export function formatFromPath(path: string): ExportFormat | undefined {
  const p = path.toLowerCase();
  return EXTENSIONS.find(([ext]) => p.endsWith(ext))?.[1];
}

export interface ExportOptions {
  /** default: from the output's extension */
  format?: ExportFormat;
  /** replace an existing output file (never an input) */
  force?: boolean;
  /** more files the output must not be (the captures of `ds` are always protected) */
  inputs?: readonly string[];
  /** program name and version for the pcapng section header */
  userappl?: string;
}

export interface ExportResult {
  connections: number;
  /** packets written (pcap, pcapng), or packets of the written connections (text formats) */
  packets: number;
  path: string;
  format: ExportFormat;
  /** packets of the selected connections that could not be copied (from text listings) */
  skipped?: number;
  /** things the user should know about the output (one sentence each) */
  notes?: string[];
}

/** Write the connections `connIndices` (0-based) of `ds` to `out`. */
export async function exportFlows(ds: Dataset, connIndices: Iterable<number>, out: string, opts: ExportOptions = {}): Promise<ExportResult> {
  const format = opts.format ?? formatFromPath(out);
  if (format === undefined) {
    throw new ExportError(`cannot tell the export format from the name ${out}: use an extension (.pcap .pcapng .csv .ndjson .jsonl .log .zeek) or give the format`, 2, 'unknown-format');
  }
  if (!EXPORT_FORMATS.includes(format)) throw new ExportError(`unknown export format '${String(format)}' (one of ${EXPORT_FORMATS.join(', ')})`, 2, 'unknown-format');
  const n = ds.conns.count;
  const keep = new Uint8Array(n);
  for (const i of connIndices) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new ExportError(`no connection index ${i} (the dataset has ${n})`, 2, 'bad-connection');
    keep[i] = 1;
  }
  const conns: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) conns.push(i);
  const target = { force: opts.force === true, inputs: [...ds.files.map((f) => f.path), ...ds.logs.map((l) => l.path), ...(opts.inputs ?? [])] };

  if (!needsPackets(format)) {
    let packets = 0;
    for (const i of conns) packets += ds.conns.origPkts[i]! + ds.conns.respPkts[i]!;
    await writeAtomic(out, target, (o) => writeRecords(ds, conns, format, o));
    return { connections: conns.length, packets, path: out, format };
  }

  // which rows of which file: packet-table rows of one file are in frame order already
  const perFile = ds.files.map(() => [] as number[]);
  for (let f = 0; f < ds.files.length; f++) {
    const file = ds.files[f]!;
    for (let row = file.first; row < file.end; row++) if (keep[ds.packets.conn(row)]) perFile[f]!.push(row);
  }
  // refuse what cannot be read back before creating anything
  const headers: (CaptureHeader | undefined)[] = [];
  let skipped = 0;
  const skippedFiles: string[] = [];
  try {
    for (let f = 0; f < ds.files.length; f++) {
      const file = ds.files[f]!;
      if (perFile[f]!.length === 0) {
        headers.push(undefined);
        continue;
      }
      if (file.kind !== 'pcap' && file.kind !== 'pcapng') {
        // a text listing (tcpdump, ASA show capture) has no packet bytes: its packets are left out
        skipped += perFile[f]!.length;
        skippedFiles.push(file.path);
        perFile[f] = [];
        headers.push(undefined);
        continue;
      }
      assertRereadable(file.path);
      headers.push(await captureHeader(file.path));
    }
  } catch (e) {
    throw asExportError(e);
  }

  const packets = await writeAtomic(out, target, async (o) => {
    try {
      return format === 'pcap' ? await writePcap(ds, perFile, headers, o) : await writePcapng(ds, conns, perFile, headers, o, opts.userappl ?? 'rsttui');
    } catch (e) {
      throw asExportError(e);
    }
  });
  const r: ExportResult = { connections: conns.length, packets, path: out, format };
  if (skipped > 0) {
    r.skipped = skipped;
    r.notes = [`${skipped} packet${skipped === 1 ? '' : 's'} from text listings (${skippedFiles.join(', ')}) left out: a listing has no packet bytes to copy`];
  }
  return r;
}

function asExportError(e: unknown): unknown {
  if (e instanceof RereadError) {
    const stdin = e.file === 'stdin';
    return new ExportError(e.message, stdin ? 2 : 1, stdin ? 'stdin-not-rereadable' : 'reread-failed');
  }
  return e;
}

async function writeRecords(ds: Dataset, conns: readonly number[], format: ExportFormat, o: OutFile): Promise<void> {
  if (format === 'csv' || format === 'ndjson') {
    // the bytes `flows --format csv|ndjson` writes (flow-bytes.ts, csv-bytes.ts): every connection
    // on two threads when there are many, a selection here, its events' lines read ahead in blocks
    const csv = format === 'csv';
    if (csv) o.text(csvHeader(FLOW_FIELDS) + '\n');
    const n = ds.conns.count;
    if (conns.length === n && useFlowLinesWorker(n, workerMode(undefined))) {
      await writeFlowLines(ds, (b) => {
        o.bytesFrom(b, 0, b.length);
        return true;
      }, { csv });
      return;
    }
    const json = new FlowLineEncoder(ds);
    await writeSelected(csv ? new CsvLineEncoder(json) : json, conns, n, o);
  } else if (format === 'ecs') {
    for (const i of conns) o.text(JSON.stringify(ecsFlow(ds, i)) + '\n');
  } else {
    const now = new Date();
    o.text(zeekHeader(now) + '\n');
    for (const i of conns) o.text(zeekRow(flowRecord(ds, i)) + '\n');
    o.text(zeekFooter(now) + '\n');
  }
}

/** Rows of file f, with their frame numbers and offsets, for rereadFrames. */
function request(ds: Dataset, f: number, rows: readonly number[]): { path: string; frames: Uint32Array; offsets: Float64Array } {
  const frames = new Uint32Array(rows.length);
  const offsets = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    frames[k] = ds.packets.frame(rows[k]!);
    offsets[k] = ds.packets.offset(rows[k]!);
  }
  return { path: ds.files[f]!.path, frames, offsets };
}

/**
 * The record read back must be the one loaded: same timestamp, computed the same way as the
 * ingest does. A file replaced or rewritten since loading fails here instead of exporting
 * someone else's packets.
 */
function checkSame(ds: Dataset, f: number, row: number, frame: number, tsSec: number, tsNsec: number): void {
  if (tsSec + tsNsec / 1e9 !== ds.packets.ts(row)) {
    throw new ExportError(`${ds.files[f]!.path} changed since it was loaded: record ${frame} has another timestamp now; load it again`, 1, 'input-changed');
  }
}

async function writePcap(ds: Dataset, perFile: number[][], headers: (CaptureHeader | undefined)[], o: OutFile): Promise<number> {
  const used = headers.filter((h): h is CaptureHeader => h !== undefined);
  const nsec = ds.files.some((file, f) => headers[f] !== undefined && (file.nsec || headers[f]!.nsec));
  const snaplen = used.reduce((m, h) => Math.max(m, h.kind === 'pcap' && h.snaplen > 0 ? h.snaplen : 262144), 0) || 262144;
  // keep the raw link-type field (FCS bits) when every contributing input is a pcap with the same one
  const fields = new Set(used.map((h) => h.linktypeField));
  const sameField = fields.size === 1 && used[0]!.kind === 'pcap' ? used[0]!.linktypeField : -1;
  const first = ds.files.find((_, f) => headers[f] !== undefined) ?? ds.files[0];
  const emptyLinktype = first !== undefined && first.linktypes.size > 0 ? [...first.linktypes][0]! : 1;
  const w = new PcapWriter(o, {
    nsec,
    snaplen,
    emptyLinktype,
    linktypeField: (lt) => (sameField >= 0 && (sameField & 0xffff) === lt ? sameField : lt),
  });
  for (let f = 0; f < ds.files.length; f++) {
    const rows = perFile[f]!;
    if (rows.length === 0) continue;
    let frameNow = 0;
    const where = (): string => `${ds.files[f]!.path} record ${frameNow}`;
    await rereadFrames(request(ds, f, rows), (k, data, off, caplen, origlen, tsSec, tsNsec, linktype, _iface, frame) => {
      checkSame(ds, f, rows[k]!, frame, tsSec, tsNsec);
      frameNow = frame;
      w.record(data, off, caplen, origlen, tsSec, tsNsec, linktype, where);
    });
  }
  w.finish();
  return w.count;
}

/** Per-packet comments: `rsttui flow N`, and at the packets that show an anomaly, `rsttui flow N: name, ...`. */
function anomalyComments(ds: Dataset, conns: readonly number[]): Map<number, string> {
  const byRow = new Map<number, string[]>();
  for (const i of conns) {
    if (ds.conns.anomalies[i] === 0) continue;
    const v = ds.verdict(i);
    // evidence indexes the connection's packets at its primary vantage
    const rows = ds.primaryRows(i);
    // ANOMALIES order, so that a packet showing two anomalies always lists them the same way
    for (const name of ANOMALIES) {
      for (const k of v.evidence[name] ?? []) {
        const row = rows[k];
        if (row === undefined) continue;
        const list = byRow.get(row);
        if (list === undefined) byRow.set(row, [name]);
        else if (!list.includes(name)) list.push(name);
      }
    }
  }
  const out = new Map<number, string>();
  for (const [row, names] of byRow) out.set(row, `rsttui flow ${ds.packets.conn(row) + 1}: ${names.join(', ')}`);
  return out;
}

async function writePcapng(ds: Dataset, conns: readonly number[], perFile: number[][], headers: (CaptureHeader | undefined)[], o: OutFile, userappl: string): Promise<number> {
  const w = new PcapngWriter(o, userappl);
  const special = anomalyComments(ds, conns);
  const plain: string[] = [];
  for (let f = 0; f < ds.files.length; f++) {
    const rows = perFile[f]!;
    const h = headers[f];
    if (rows.length === 0 || h === undefined) continue;
    const file = ds.files[f]!;
    const nsec = file.nsec || h.nsec;
    await rereadFrames(request(ds, f, rows), (k, data, off, caplen, origlen, tsSec, tsNsec, linktype, _iface, frame) => {
      const row = rows[k]!;
      checkSame(ds, f, row, frame, tsSec, tsNsec);
      const c = ds.packets.conn(row);
      const comment = special.get(row) ?? (plain[c] ??= `rsttui flow ${c + 1}`);
      const id = w.iface(f, file.name, linktype, nsec, h.snaplen);
      w.packet(id, data, off, caplen, origlen, tsSec, tsNsec, comment);
    });
  }
  return w.count;
}
