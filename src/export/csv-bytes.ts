/**
 * `flows --format csv` as bytes: each row transcoded from the connection's NDJSON line
 * (FlowLineEncoder, which is exactly `JSON.stringify(flowRecord(ds, i))`; its keys come in
 * FLOW_FIELDS order), by csvCell's rules (text-formats.ts):
 * - a string as it is (its JSON escapes undone), a number or boolean as written, null as nothing;
 * - an array's items joined by `;`, a string item as it is, an object item as its JSON;
 * - a cell holding `"`, `,`, CR or LF in quotes, its quotes doubled.
 * A test holds the rows to csvRow(flowRecord) on every fixture. Why: the CSV of a 10 M-line log
 * took 2.2x its NDJSON, on one thread, with a record, a string a cell and the row's UTF-8 encoding
 * a row; this is a byte pass over the NDJSON line, on the threads that write the NDJSON
 * (flow-share.ts writeFlowLines).
 */
import { GrowingLines, type ByteLines, type LineEncoder } from './flow-bytes.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const SEMICOLON = 0x3b;
const OBJECT_TEXT = new TextEncoder().encode('[object Object]');

/** CSV rows from an NDJSON line encoder: the same calls, CSV bytes out. */
export class CsvLineEncoder implements LineEncoder {
  /** the NDJSON line a CSV row is made from (emptied for each) */
  private readonly line = new GrowingLines(1 << 14);
  private readonly t = new CsvTranscoder();
  constructor(private readonly json: LineEncoder) {}

  prepare(from: number, to: number): void {
    this.json.prepare(from, to);
  }

  write(out: ByteLines, i: number): void {
    const line = this.line;
    line.end = 0;
    this.json.write(line, i);
    let n = line.end;
    if (n > 0 && line.buffer[n - 1] === 10) n--;
    // (a cell grows by its quotes, and by a doubled `"` for each `"` of the line at most)
    const p = out.reserve(2 * n + 64);
    const end = this.t.row(line.buffer, n, out.buffer, p);
    out.buffer[end] = 10;
    out.commit(end + 1);
  }
}

/** The row of one NDJSON line (a flat object; values strings, numbers, literals, arrays). */
export class CsvTranscoder {
  /** position in the JSON line, and in the output */
  private i = 0;
  private p = 0;
  private s: Uint8Array = new Uint8Array(0);
  private b: Uint8Array = new Uint8Array(0);

  /** The row of line s[0, n) into b from p (no newline); its end. */
  row(s: Uint8Array, n: number, b: Uint8Array, p: number): number {
    // (the line alone: the native searches stop at its end)
    this.s = s.subarray(0, n);
    this.b = b;
    this.p = p;
    this.i = 1; // past `{`
    let first = true;
    while (this.i < n && s[this.i] !== 0x7d) {
      if (s[this.i] === COMMA) this.i++;
      this.i = this.stringEnd(this.i) + 1; // the key
      this.i++; // `:`
      if (!first) this.b[this.p++] = COMMA;
      first = false;
      this.cell();
    }
    return this.p;
  }

  /** The value at i as a cell; i then after it. */
  private cell(): void {
    const s = this.s, c = s[this.i]!;
    if (c === 0x5b && s[this.i + 1] === 0x7b && s[this.i + 2] !== 0x7d && this.objects()) return;
    if (c === QUOTE || c === 0x5b) {
      const end = c === QUOTE ? this.stringEnd(this.i) + 1 : this.valueEnd(this.i);
      const quoted = this.needsQuotes(this.i, end, c === 0x5b);
      if (quoted) this.b[this.p++] = QUOTE;
      if (c === QUOTE) this.string(this.i, quoted);
      else this.items(this.i, end, quoted);
      if (quoted) this.b[this.p++] = QUOTE;
      this.i = end;
    } else if (c === 0x7b) {
      // (String of an object; no flow field is one)
      this.b.set(OBJECT_TEXT, this.p);
      this.p += OBJECT_TEXT.length;
      this.i = this.valueEnd(this.i);
    } else if (c === 0x6e) this.i += 4; // null: nothing
    else {
      // a number or literal, as written
      const end = this.valueEnd(this.i);
      for (let k = this.i; k < end; k++) this.b[this.p++] = s[k]!;
      this.i = end;
    }
  }

  /**
   * An array whose first item is an object with a member (the firewall events), in one pass: a
   * quoted cell (the object's keys are quoted), its items' JSON with their quotes doubled, joined
   * by `;`; i then after it. False, with nothing written, where an item is a string (it would be
   * written as it is, not as JSON: the general path's).
   */
  private objects(): boolean {
    const s = this.s, b = this.b;
    const p0 = this.p;
    let p = p0, depth = 0, k = this.i + 1;
    /** the line's next backslash at or after the string being copied (-1: none; -2: not looked for yet) */
    let escape = -2;
    b[p++] = QUOTE;
    for (;; k++) {
      const ch = s[k];
      if (ch === undefined) break;
      if (ch === QUOTE) {
        if (depth === 0) return false;
        // a string inside an item: to its closing quote, `\"` kept as JSON has it, quotes doubled
        b[p++] = QUOTE;
        b[p++] = QUOTE;
        // (most have no escape: copied natively up to the quote, the event texts' hundreds of bytes)
        const q = s.indexOf(QUOTE, k + 1);
        if (escape < k && escape !== -1) escape = s.indexOf(BACKSLASH, k);
        if (q > k && (escape < 0 || escape > q)) {
          if (q - k > 16) b.set(s.subarray(k + 1, q), p);
          else for (let x = k + 1; x < q; x++) b[p + x - k - 1] = s[x]!;
          p += q - k - 1;
          k = q;
        } else for (k++; ; k++) {
          const x = s[k];
          if (x === QUOTE || x === undefined) break;
          b[p++] = x;
          if (x === BACKSLASH) {
            const y = s[++k]!;
            if (y === QUOTE) b[p++] = QUOTE;
            b[p++] = y;
          }
        }
        b[p++] = QUOTE;
        b[p++] = QUOTE;
        continue;
      }
      if (ch === 0x5b || ch === 0x7b) depth++;
      else if (ch === 0x5d || ch === 0x7d) {
        if (depth === 0) {
          k++;
          break;
        }
        depth--;
      } else if (ch === COMMA && depth === 0) {
        b[p++] = SEMICOLON;
        continue;
      }
      b[p++] = ch;
    }
    b[p++] = QUOTE;
    this.p = p;
    this.i = k;
    return true;
  }

  /** The index of the closing quote of the JSON string opening at i. */
  private stringEnd(i: number): number {
    const s = this.s;
    for (let k = i + 1; ; k++) {
      const ch = s[k];
      if (ch === BACKSLASH) k++;
      else if (ch === QUOTE || ch === undefined) return k;
    }
  }

  /** The end of the value at i (past a string's quote, an array's or object's bracket; a number's last digit). */
  private valueEnd(i: number): number {
    const s = this.s;
    const c = s[i];
    if (c === QUOTE) return this.stringEnd(i) + 1;
    if (c !== 0x5b && c !== 0x7b) {
      let k = i;
      while (k < s.length && s[k] !== COMMA && s[k] !== 0x7d && s[k] !== 0x5d) k++;
      return k;
    }
    let depth = 0;
    for (let k = i; k < s.length; k++) {
      const ch = s[k];
      if (ch === QUOTE) k = this.stringEnd(k);
      else if (ch === 0x5b || ch === 0x7b) depth++;
      else if ((ch === 0x5d || ch === 0x7d) && --depth === 0) return k + 1;
    }
    return s.length;
  }

  /**
   * Whether the cell of the value s[i, end) holds `"`, `,`, CR or LF: in a string (its own, or an
   * array's string item) an escaped quote, CR or LF or a comma; anywhere in an array's object or
   * array item (copied as its JSON) a quote or comma. An array's own commas become `;`.
   */
  private needsQuotes(i: number, end: number, array: boolean): boolean {
    const s = this.s;
    let depth = array ? 0 : 1;
    let inString = false;
    for (let k = i; k < end; k++) {
      const ch = s[k]!;
      if (inString) {
        if (ch === QUOTE) {
          inString = false;
          if (depth > 1) return true;
        } else if (ch === COMMA) return true;
        else if (ch === BACKSLASH) {
          const x = s[++k]!;
          if (x === QUOTE || x === 0x6e || x === 0x72) return true;
          if (x === 0x75 && s[k + 1] === 0x30 && s[k + 2] === 0x30 && s[k + 3] === 0x30 && (s[k + 4] === 0x61 || s[k + 4] === 0x64 || s[k + 4] === 0x41 || s[k + 4] === 0x44)) return true;
        }
      } else if (ch === QUOTE) {
        if (depth > 1) return true;
        inString = true;
      } else if (ch === 0x5b || ch === 0x7b) depth++;
      else if (ch === 0x5d || ch === 0x7d) depth--;
      else if (ch === COMMA && depth > 1) return true;
    }
    return false;
  }

  /** The array's items at s[i, end) (i at `[`), joined by `;`. */
  private items(i: number, end: number, quoted: boolean): void {
    const s = this.s, b = this.b;
    let k = i + 1;
    let first = true;
    while (k < end - 1) {
      if (s[k] === COMMA) k++;
      if (!first) b[this.p++] = SEMICOLON;
      first = false;
      const c = s[k]!;
      const to = this.valueEnd(k);
      if (c === QUOTE) this.string(k, quoted);
      else if (quoted) {
        // (an object or array item: its JSON, quotes doubled)
        let p = this.p;
        for (let q = k; q < to; q++) {
          const ch = s[q]!;
          if (ch === QUOTE) b[p++] = QUOTE;
          b[p++] = ch;
        }
        this.p = p;
      } else {
        b.set(s.subarray(k, to), this.p);
        this.p += to - k;
      }
      k = to;
    }
  }

  /** The JSON string at i, its escapes undone, `"` doubled when quoted, as UTF-8. */
  private string(i: number, quoted: boolean): void {
    const s = this.s, b = this.b;
    let p = this.p;
    for (let k = i + 1; ; k++) {
      const ch = s[k];
      if (ch === QUOTE || ch === undefined) break;
      if (ch !== BACKSLASH) {
        b[p++] = ch;
        continue;
      }
      const x = s[++k]!;
      switch (x) {
        case QUOTE:
          if (quoted) b[p++] = QUOTE;
          b[p++] = QUOTE;
          break;
        case 0x62: b[p++] = 8; break;
        case 0x66: b[p++] = 12; break;
        case 0x6e: b[p++] = 10; break;
        case 0x72: b[p++] = 13; break;
        case 0x74: b[p++] = 9; break;
        case 0x75: {
          let u = hex4(s, k + 1);
          k += 4;
          if (u >= 0xd800 && u <= 0xdbff && s[k + 1] === BACKSLASH && s[k + 2] === 0x75) {
            const lo = hex4(s, k + 3);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
              k += 6;
            }
          }
          // (a lone surrogate is written as U+FFFD, as a string's UTF-8 encoding writes it)
          if (u >= 0xd800 && u <= 0xdfff) u = 0xfffd;
          p = putCodePoint(b, p, u);
          break;
        }
        default: b[p++] = x; // `\\`, `/`
      }
    }
    this.p = p;
  }
}

function hexDigit(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

function hex4(s: Uint8Array, k: number): number {
  return (hexDigit(s[k]!) << 12) | (hexDigit(s[k + 1]!) << 8) | (hexDigit(s[k + 2]!) << 4) | hexDigit(s[k + 3]!);
}

function putCodePoint(b: Uint8Array, p: number, u: number): number {
  if (u < 0x80) b[p++] = u;
  else if (u < 0x800) {
    b[p++] = 0xc0 | (u >> 6);
    b[p++] = 0x80 | (u & 63);
  } else if (u < 0x10000) {
    b[p++] = 0xe0 | (u >> 12);
    b[p++] = 0x80 | ((u >> 6) & 63);
    b[p++] = 0x80 | (u & 63);
  } else {
    b[p++] = 0xf0 | (u >> 18);
    b[p++] = 0x80 | ((u >> 12) & 63);
    b[p++] = 0x80 | ((u >> 6) & 63);
    b[p++] = 0x80 | (u & 63);
  }
  return p;
}
