/**
 * The flow lines a command writes, in one of three modes (NDJSON, CSV rows, the table's rows):
 * the encoder of each, and the loop that writes a selection of connections with it. Every
 * connection of a large dataset goes through writeFlowLines' two threads instead (flow-share.ts).
 */
import { FlowLineEncoder, type ByteLines, type FlowSource, type LineEncoder } from './flow-bytes.js';
import { CsvLineEncoder } from './csv-bytes.js';
import { FlowCells, type CellSource } from './flow-cells.js';
import { FlowTableBytes } from './flow-table-bytes.js';

/** Connections a block: the lines written (and their events read ahead) together. */
export const LINES_BLOCK = 2048;

/** How the lines are written: NDJSON (neither), CSV rows, or the table's rows in given widths. */
export interface LinesMode {
  /** CSV rows (csv-bytes.ts) instead of NDJSON lines: the same blocks, transcoded by the thread that wrote them */
  csv?: boolean;
  /** the table's rows in these widths (flow-table-bytes.ts) instead of NDJSON lines */
  tableWidths?: number[];
}

/** The encoder of a mode over a lines' source (and, for the table, its cells': made only then). */
export function lineEncoder(mode: LinesMode, flows: FlowSource, cells: () => CellSource): LineEncoder {
  if (mode.tableWidths) return new FlowTableBytes(mode.tableWidths, new FlowCells(cells()));
  const json = new FlowLineEncoder(flows);
  return mode.csv ? new CsvLineEncoder(json) : json;
}

/**
 * The lines of the selected connections `sel` (ascending) of n, their events read ahead a block
 * of connections at a time (prepare), in order to `out`; `pause` is awaited where it gives a
 * promise (a full stdout).
 */
export async function writeSelected(enc: LineEncoder, sel: Iterable<number>, n: number, out: ByteLines, pause?: () => Promise<void> | undefined): Promise<void> {
  let to = 0;
  for (const i of sel) {
    if (i >= to) enc.prepare(i, (to = Math.min(n, i + LINES_BLOCK)));
    enc.write(out, i);
    const full = pause?.();
    if (full) await full;
  }
}
