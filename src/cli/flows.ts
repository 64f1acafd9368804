/** `rsttui flows` and `rsttui packets`. */
import { endpoint, flowRecord, packetRecord, FLOW_FIELDS } from '../export/records.js';
import { FlowLineEncoder } from '../export/flow-bytes.js';
import { ecsFlow } from '../export/ecs.js';
import { useFlowLinesWorker, writeFlowLines } from '../export/flow-share.js';
import { writeSelected, type LinesMode } from '../export/lines-mode.js';
import { CsvLineEncoder } from '../export/csv-bytes.js';
import type { Dataset } from '../flows/dataset.js';
import { workerMode } from '../flows/workers.js';
import { csvHeader, ndjsonRow } from '../export/text-formats.js';
import { zeekFooter, zeekHeader, zeekRow } from '../export/zeek.js';
import { LineWriter } from './out.js';
import { loadForCommand } from './load.js';
import { TABLE_SAMPLE, TableWriter } from './table.js';
import { isoUs } from '../export/iso-time.js';
import { FLOW_HEADER, FLOW_RIGHT, FlowCells, datasetCells } from '../export/flow-cells.js';
import { FlowTableBytes } from '../export/flow-table-bytes.js';
import { UsageError, type Parsed } from './main.js';
import { filterOf, filterSyntaxError, selectConns } from './select.js';

function formatOf(p: Parsed, allowed: readonly string[]): string {
  const f = (p.values.format as string | undefined) ?? 'table';
  if (!allowed.includes(f)) throw new UsageError(`${p.cmd.name}: unknown --format '${f}' (one of ${allowed.join(', ')})`);
  return f;
}

export async function runFlows(p: Parsed): Promise<number> {
  const format = formatOf(p, ['table', 'ndjson', 'csv', 'zeek', 'ecs']);
  const bad = filterSyntaxError(p);
  if (bad !== undefined) return bad;
  const out = new LineWriter();
  // every line, in order: written during the verdict pass where the load can (flow-share.ts)
  const all = format === 'ndjson' && filterOf(p) === undefined;
  const { ds, status } = await loadForCommand(p, all ? { flowLines: (b) => out.bytes(b) } : {});
  const sel = selectConns(ds, p);
  if (typeof sel === 'number') return sel;
  if (ds.flowLinesWritten) {
    await out.end();
    return status;
  }
  if (format === 'table') {
    // the first rows as strings (they set the widths), the rest as bytes in those widths
    const table = new TableWriter(FLOW_HEADER, FLOW_RIGHT, (l) => out.line(l), [String(ds.conns.count).length]);
    const cells = new FlowCells(datasetCells(ds));
    let rows: FlowTableBytes | undefined;
    if (filterOf(p) === undefined && !ds.live && useFlowLinesWorker(ds.conns.count, workerMode(undefined))) {
      // every row: the first ones measured for the widths, then all written as bytes on both threads
      const sample: string[][] = [];
      for (let i = 0; i < Math.min(ds.conns.count, TABLE_SAMPLE); i++) sample.push(cells.cells(i));
      await writeAll(ds, out, { tableWidths: table.measure(sample) });
      await out.end();
      return status;
    }
    for (const i of sel) {
      if (rows) rows.write(out, i);
      else {
        table.row(cells.cells(i));
        if (table.widths) rows = new FlowTableBytes(table.widths, cells);
      }
      if (out.full) await out.drained();
    }
    table.end();
  } else if (format === 'csv') {
    out.line(csvHeader(FLOW_FIELDS));
    // each row transcoded from the connection's NDJSON bytes (csv-bytes.ts): every row on both
    // threads as the NDJSON is, a selection here, its events' lines read ahead in blocks of
    // connections in file order (fw-batch.ts), as the NDJSON lines' are
    if (filterOf(p) === undefined && useFlowLinesWorker(ds.conns.count, workerMode(undefined))) await writeAll(ds, out, { csv: true });
    else await writeSelected(new CsvLineEncoder(new FlowLineEncoder(ds)), sel, ds.conns.count, out, pause(out));
  } else if (format === 'zeek') {
    out.line(zeekHeader());
    // (conn.log has no firewall field: the events' texts are not read)
    for (const i of sel) {
      out.line(zeekRow(flowRecord(ds, i, [])));
      if (out.full) await out.drained();
    }
    out.line(zeekFooter());
  } else if (format === 'ecs') {
    // (one document a line, written as it is made: linear, nothing held but the dataset)
    for (const i of sel) {
      out.line(JSON.stringify(ecsFlow(ds, i)));
      if (out.full) await out.drained();
    }
  } else if (all && useFlowLinesWorker(ds.conns.count, workerMode(undefined))) {
    await writeAll(ds, out, {});
  } else await writeSelected(new FlowLineEncoder(ds), sel, ds.conns.count, out, pause(out));
  await out.end();
  return status;
}

/** A wait while stdout is full, for writeSelected. */
const pause = (out: LineWriter) => (): Promise<void> | undefined => (out.full ? out.drained() : undefined);

/**
 * Every connection's line (NDJSON, or CSV or table rows as `how` says), on both threads (a large
 * log: the firewall arrays are most of the bytes). A block's buffer is used again once stdout has
 * taken it (files, pipes, /dev/null at once), and no block is written while stdout is full: a slow
 * pipe would have the whole output queued.
 */
async function writeAll(ds: Dataset, out: LineWriter, how: LinesMode): Promise<void> {
  const stdout = process.stdout;
  const byWorker = await writeFlowLines(ds, (b) => {
    out.bytes(b);
    return stdout.writableLength === 0;
  }, { ...how, ready: () => (stdout.writableNeedDrain ? new Promise((r) => stdout.once('drain', r)) : undefined) });
  if (process.env.RSTTUI_REPORT) process.stderr.write(`rsttui-report output-worker blocks ${byWorker}\n`);
}

export async function runPackets(p: Parsed): Promise<number> {
  const format = formatOf(p, ['table', 'ndjson']);
  const bad = filterSyntaxError(p);
  if (bad !== undefined) return bad;
  const { ds, status } = await loadForCommand(p);
  const sel = selectConns(ds, p);
  if (typeof sel === 'number') return sel;
  const keep = new Uint8Array(ds.conns.count);
  for (const i of sel) keep[i] = 1;
  const out = new LineWriter();
  const header = ['file', 'frame', 'time (UTC)', 'src', 'dst', 'flags', 'seq', 'ack', 'len', 'win', 'flow'];
  // NFLOG captures: a last column with each packet's log group and prefix
  const nflog = ds.files.some((f) => f.nflog !== undefined);
  if (nflog) header.push('nflog');
  const table = format === 'table' ? new TableWriter(header, new Set([1, 6, 7, 8, 9, 10]), (l) => out.line(l), [0, String(ds.packets.count).length]) : undefined;
  for (let f = 0; f < ds.files.length; f++) {
    const file = ds.files[f]!;
    for (let row = file.first; row < file.end; row++) {
      if (!keep[ds.packets.conn(row)]) continue;
      const r = packetRecord(ds, row, f);
      if (format === 'ndjson') {
        out.line(ndjsonRow(r));
        if (out.full) await out.drained();
      }
      else {
        const cells = [r.vantage, String(r.frame), isoUs(r.ts), endpoint(r.src, r.sport), endpoint(r.dst, r.dport), r.flags || '.', String(r.seq), String(r.ack), String(r.len), String(r.win), String(r.flow)];
        if (nflog) cells.push(r.nflog_group === undefined ? '' : `${r.nflog_group} "${r.nflog_prefix}"`);
        table!.row(cells);
        if (out.full) await out.drained();
      }
    }
  }
  table?.end();
  await out.end();
  return status;
}
