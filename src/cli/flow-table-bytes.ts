/**
 * The rows of `rsttui flows`'s table after its first ones (TableWriter: they set the widths),
 * written as bytes straight into the output buffer: the same text as TableWriter's rows of
 * FlowCells' cells, without a string a cell, an array a row and the UTF-8 encoding of the joined
 * line (the table of a 10 M-line log is 3.4 M rows: 8.6 s on strings). Numbers are written from
 * their digits; words a row repeats are FlowCells' (made once).
 */
import { putText, putUint, uintDigits, type ByteLines } from '../export/flow-bytes.js';
import { roundUs } from '../export/records.js';
import type { Dataset } from '../flows/dataset.js';
import type { FlowCells } from './flow-cells.js';

const SPACE = 32;

const isCount = (x: number): boolean => x >= 0 && x <= Number.MAX_SAFE_INTEGER && Math.floor(x) === x;

export class FlowTableBytes {
  private b: Uint8Array = new Uint8Array(0);
  private p = 0;

  constructor(private readonly ds: Dataset, private readonly widths: readonly number[], private readonly words: FlowCells) {}

  /** Connection i's row and its newline. */
  write(out: ByteLines, i: number): void {
    const ds = this.ds, c = ds.conns, w = this.words;
    const history = w.historyText(i);
    const anomalies = w.anomalyText(c.anomalies[i]!), vantages = w.vantageText(ds.vantageMask(i)), firewall = w.firewallText(i);
    const o = ds.addrs.text(c.origAddr[i]!), r = ds.addrs.text(c.respAddr[i]!);
    // (room: every width, and each text three bytes a character at most)
    let room = 64;
    for (const x of this.widths) room += x + 2;
    room += 3 * (history.length + anomalies.length + vantages.length + firewall.length + o.length + r.length) + 160;
    this.p = out.reserve(room);
    this.b = out.buffer;
    this.count(0, w.id(i));
    this.endpoint(1, o, c.origPort[i]!);
    this.endpoint(2, r, c.respPort[i]!);
    this.text(3, w.startText(roundUs(c.firstTs[i]!)));
    this.text(4, w.durationText(i), true);
    this.count(5, c.origPkts[i]! + c.respPkts[i]!);
    this.count(6, c.origBytes[i]! + c.respBytes[i]!);
    this.text(7, w.stateText(i));
    this.text(8, history);
    this.text(9, w.teardownText(i));
    this.text(10, w.closedText(i));
    this.text(11, anomalies);
    this.text(12, vantages);
    this.text(13, firewall);
    // (as trimEnd: the padding of empty last cells)
    let p = this.p;
    while (p > 0 && this.b[p - 1] === SPACE) p--;
    this.b[p++] = 10;
    out.commit(p);
  }

  /** The two spaces before column k (none before the first). */
  private gap(k: number): void {
    if (k === 0) return;
    this.b[this.p++] = SPACE;
    this.b[this.p++] = SPACE;
  }

  private pad(n: number): void {
    for (; n > 0; n--) this.b[this.p++] = SPACE;
  }

  /** Cell k, `s` padded to the column's width (on the left where `right`); a wider one as it is. */
  private text(k: number, s: string, right = false): void {
    this.gap(k);
    const pad = (this.widths[k] ?? 0) - s.length;
    if (right) this.pad(pad);
    this.p = putText(this.b, this.p, s);
    if (!right) this.pad(pad);
  }

  /** A right-aligned number cell (String(x) for any that is not a count). */
  private count(k: number, x: number): void {
    if (!isCount(x)) {
      this.text(k, String(x), true);
      return;
    }
    this.gap(k);
    this.pad((this.widths[k] ?? 0) - uintDigits(x));
    this.p = putUint(this.b, this.p, x);
  }

  /** `host:port`, `[host]:port` for IPv6 (records.ts endpoint), left-aligned. */
  private endpoint(k: number, host: string, port: number): void {
    this.gap(k);
    const v6 = host.includes(':');
    const start = this.p;
    if (v6) this.b[this.p++] = 91; // [
    this.p = putText(this.b, this.p, host);
    if (v6) this.b[this.p++] = 93; // ]
    this.b[this.p++] = 58; // :
    this.p = putUint(this.b, this.p, port);
    // (addresses are ASCII: their bytes are their characters)
    this.pad((this.widths[k] ?? 0) - (this.p - start));
  }
}
