/**
 * The rows of `rsttui flows`'s table after its first ones (TableWriter: they set the widths),
 * written as bytes straight into the output buffer: the same text as TableWriter's rows of
 * FlowCells' cells, without a string a cell, an array a row and the UTF-8 encoding of the joined
 * line (the table of a 10 M-line log is 3.4 M rows: 8.6 s on strings). Numbers are written from
 * their digits; words a row repeats are FlowCells' (made once).
 */
import { putHost, putText, putUint, uintDigits, type ByteLines, type LineEncoder } from './flow-bytes.js';
import { roundUs } from './records.js';
import type { FlowCells } from './flow-cells.js';

const SPACE = 32;

const isCount = (x: number): boolean => x >= 0 && x <= Number.MAX_SAFE_INTEGER && Math.floor(x) === x;

export class FlowTableBytes implements LineEncoder {
  private b: Uint8Array = new Uint8Array(0);
  private p = 0;

  constructor(private readonly widths: readonly number[], private readonly words: FlowCells) {}

  /** (nothing is read ahead) */
  prepare(): void {}

  /** Connection i's row and its newline. */
  write(out: ByteLines, i: number): void {
    const w = this.words, c = w.flows;
    const history = w.historyText(i);
    const anomalies = w.anomalyText(c.anomalies[i]!), vantages = w.vantageText(c.vantageMask[i]!), firewall = w.firewallText(i);
    // (room: every width, and each text three bytes a character at most)
    let room = 64 + this.hostRoom(c.origAddr[i]!) + this.hostRoom(c.respAddr[i]!);
    for (const x of this.widths) room += x + 2;
    room += 3 * (history.length + anomalies.length + vantages.length + firewall.length) + 160;
    this.p = out.reserve(room);
    this.b = out.buffer;
    this.count(0, w.id(i));
    this.endpoint(1, c.origAddr[i]!, c.origPort[i]!);
    this.endpoint(2, c.respAddr[i]!, c.respPort[i]!);
    this.text(3, w.startText(roundUs(c.firstTs[i]!)));
    this.text(4, w.durationText(i), true);
    this.count(5, w.pkts(i));
    this.count(6, w.bytes(i));
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

  /** The most bytes address `id` takes, brackets included. */
  private hostRoom(id: number): number {
    const f = this.words.flows;
    return f.v4Value(id) >= 0 ? 15 : 3 * f.text(id).length + 2;
  }

  /** `host:port`, `[host]:port` for IPv6 (records.ts endpoint), left-aligned. */
  private endpoint(k: number, id: number, port: number): void {
    this.gap(k);
    const start = this.p, f = this.words.flows;
    if (f.v4Value(id) >= 0) this.p = putHost(f, this.b, this.p, id);
    else {
      const host = f.text(id), v6 = host.includes(':');
      if (v6) this.b[this.p++] = 91; // [
      this.p = putText(this.b, this.p, host);
      if (v6) this.b[this.p++] = 93; // ]
    }
    this.b[this.p++] = 58; // :
    this.p = putUint(this.b, this.p, port);
    // (addresses are ASCII: their bytes are their characters)
    this.pad((this.widths[k] ?? 0) - (this.p - start));
  }
}
