/** Plain-text tables for the headless `--format table` output. */

/**
 * Rows whose cells set the columns' widths. A longer table is written as its rows come, in the
 * widths of the first ones (a wider cell later pushes the rest of its row right), as tshark and
 * ps write theirs: a table of every connection of a 10 M-line log is 3 M rows, which were held
 * whole (and measured with Math.max over 3 M arguments, past the call stack's limit) before its
 * first line was written.
 */
export const TABLE_SAMPLE = 1000;

/** A plain-text table written row by row to `emit`: columns two spaces apart, `rightAlign` ones padded on the left. */
export class TableWriter {
  /** the columns' widths, once the first rows have set them (then rows may be written elsewhere in them: flow-table-bytes.ts) */
  widths: number[] | undefined;
  private held: (readonly string[])[] = [];

  /** `least`: widths known beforehand (the digits of the largest id), by column */
  constructor(private readonly header: readonly string[], private readonly rightAlign: ReadonlySet<number>, private readonly emit: (line: string) => void,
    private readonly least: readonly number[] = []) {}

  row(cells: readonly string[]): void {
    if (this.widths) this.emit(this.format(cells));
    else {
      this.held.push(cells);
      if (this.held.length >= TABLE_SAMPLE) this.release();
    }
  }

  /** The end of the rows (a table shorter than TABLE_SAMPLE is written now). */
  end(): void {
    if (!this.widths) this.release();
  }

  /** The header and the held rows, in the widths they set. */
  private release(): void {
    this.measure(this.held);
    for (const r of this.held) this.emit(this.format(r));
    this.held = [];
  }

  /**
   * The widths `rows` set, and the header written in them, the rows not: every row is written
   * elsewhere in those widths (the flow-lines writer, on two threads: flows.ts).
   */
  measure(rows: readonly (readonly string[])[]): number[] {
    const w = this.header.map((h, k) => Math.max(h.length, this.least[k] ?? 0));
    for (const r of rows) for (let k = 0; k < w.length; k++) w[k] = Math.max(w[k]!, (r[k] ?? '').length);
    this.widths = w;
    this.emit(this.format(this.header));
    return w;
  }

  private format(r: readonly string[]): string {
    // (a string built cell by cell, spaces cut from one long run: no array, padStart or join a row)
    const w = this.widths!, right = this.rightAlign;
    let s = '';
    for (let k = 0; k < r.length; k++) {
      const c = r[k]!, pad = (w[k] ?? 0) - c.length;
      if (k) s += '  ';
      if (pad <= 0) s += c;
      else if (right.has(k)) s += spaces(pad) + c;
      else s += c + spaces(pad);
    }
    return s.trimEnd();
  }
}

let SPACES = ' '.repeat(256);
const spaces = (n: number): string => {
  if (n > SPACES.length) SPACES = ' '.repeat(n);
  return SPACES.slice(0, n);
};
