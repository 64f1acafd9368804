/**
 * A connection's `firewall` array as the NDJSON flow line writes it, encoded as bytes straight
 * from the event columns and the log's own bytes: a plain line's message text is copied from the
 * cached block with only `"` and `\` escaped. On a log-only load of millions of lines this array
 * is most of the output. Exactly JSON.stringify(firewallRecords(ds, i)) (a test holds it to that).
 */
import type { FwTable } from '../flows/fw-table.js';
import type { LogText } from '../flows/log-text.js';
import { putNumber, putText, putUint } from './flow-bytes.js';
import { STR_SLOTS, S_REASON } from '../read/fw-chunk.js';
import { VENDORS } from '../read/syslog-envelope.js';

const enc = new TextEncoder();
const lit = (s: string): Uint8Array => enc.encode(s);
const TS = lit('{"ts":');
const MSGID = lit(',"msgid":');
/** `,"vendor":"ASA"` and the others, by the vendor index stored per event */
const VENDOR = VENDORS.map((v) => lit(`,"vendor":${JSON.stringify(v)}`));
const TEXT = lit(',"text":');
const REASON = lit(',"reason":');
const NULL = lit('null');

function put(b: Uint8Array, p: number, a: Uint8Array): number {
  for (let k = 0; k < a.length; k++) b[p + k] = a[k]!;
  return p + a.length;
}

/**
 * What the arrays are made of: the event table, each connection's events and their text. A
 * dataset is one; the flow-lines worker (flow-lines-worker.ts) makes its own from a share.
 */
export interface FirewallEvents {
  readonly fw: Pick<FwTable, 'ts' | 'msgid' | 'chunk' | 'strings'>;
  /** connection i's event indices, in time order */
  fwEvents(i: number): Uint32Array;
  readonly fwText: Pick<LogText, 'bodySpan' | 'body'>;
}

export class FirewallBytes {
  private buf = new Uint8Array(1 << 16);
  private readonly reasons = new Map<number, Uint8Array>();

  constructor(private readonly ds: FirewallEvents) {}

  /** Room for n more bytes at p. */
  private room(p: number, n: number): void {
    if (p + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, p + n + 1024));
    b.set(this.buf.subarray(0, p));
    this.buf = b;
  }

  /** Connection i's array, bytes [0, returned length) of `bytes`. */
  encode(i: number): number {
    const ds = this.ds, fw = ds.fw, evs = ds.fwEvents(i);
    let p = 0;
    this.room(0, 2);
    this.buf[p++] = 91; // [
    for (let k = 0; k < evs.length; k++) {
      const e = evs[k]!;
      this.room(p, 96);
      let b = this.buf;
      if (k) b[p++] = 44;
      p = put(b, p, TS);
      p = putNumber(b, p, fw.ts(e));
      p = put(b, p, VENDOR[fw.chunk(e).vendor[e & 0xffff]!] ?? VENDOR[0]!);
      p = put(b, p, MSGID);
      p = putUint(b, p, fw.msgid(e));
      p = put(b, p, TEXT);
      const span = ds.fwText.bodySpan(e);
      let done = false;
      if (span) {
        const { buf: src, start, end } = span;
        this.room(p, 2 * (end - start) + 2);
        b = this.buf;
        const p0 = p;
        b[p++] = 34;
        let plain = true;
        for (let j = start; j < end; j++) {
          const ch = src[j]!;
          if (ch < 0x20 || ch > 0x7e) {
            plain = false;
            break;
          }
          if (ch === 34 || ch === 92) b[p++] = 92;
          b[p++] = ch;
        }
        if (plain) {
          b[p++] = 34;
          done = true;
        } else p = p0;
      }
      if (!done) {
        const s = JSON.stringify(ds.fwText.body(e));
        this.room(p, 3 * s.length);
        b = this.buf;
        p = putText(b, p, s);
      }
      this.room(p, 16);
      b = this.buf;
      p = put(b, p, REASON);
      p = this.putReason(p, e);
      this.room(p, 2);
      this.buf[p++] = 125; // }
    }
    this.room(p, 1);
    this.buf[p++] = 93; // ]
    return p;
  }

  get bytes(): Uint8Array {
    return this.buf;
  }

  private putReason(p: number, e: number): number {
    const fw = this.ds.fw;
    const id = fw.chunk(e).str[(e & 0xffff) * STR_SLOTS + S_REASON]!;
    if (id === 0) {
      this.room(p, 4);
      return put(this.buf, p, NULL);
    }
    let r = this.reasons.get(id);
    if (!r) {
      r = lit(JSON.stringify(fw.strings[id]!));
      this.reasons.set(id, r);
    }
    this.room(p, r.length);
    return put(this.buf, p, r);
  }
}
