/**
 * One firewall event of a flow line's `firewall` array as JSON bytes, around its text:
 * `{"ts":…,"vendor":"…","msgid":…,"text":` (head), the text, `,"reason":…}` (tail). Shared by
 * the read-ahead (fw-batch.ts) and the per-event way (fw-bytes.ts), so both write the same bytes.
 */
import type { FwTable } from '../flows/fw-table.js';
import { STR_SLOTS, S_REASON } from '../read/fw-chunk.js';
import { VENDORS } from '../read/syslog-envelope.js';
import { putUint, putUs } from './flow-bytes.js';

const enc = new TextEncoder();
/** A literal's bytes. */
export const lit = (s: string): Uint8Array => enc.encode(s);
const TS = lit('{"ts":');
const MSGID = lit(',"msgid":');
/** `,"vendor":"ASA"` and the others, by the vendor index stored per event */
const VENDOR = VENDORS.map((v) => lit(`,"vendor":${JSON.stringify(v)}`));
const TEXT = lit(',"text":');
const ROW_MASK = 0xffff;

/** The most bytes a head takes (a number is at most 24 characters, a message id 10). */
export const HEAD_MAX = TS.length + 24 + Math.max(...VENDOR.map((v) => v.length)) + MSGID.length + 10 + TEXT.length;

export function put(b: Uint8Array, p: number, a: Uint8Array): number {
  for (let k = 0; k < a.length; k++) b[p + k] = a[k]!;
  return p + a.length;
}

export class EventJson {
  /** `,"reason":…}` by reason string id (0: null) */
  private readonly tails: (Uint8Array | undefined)[] = [];
  /** `,"vendor":"…","msgid":…,"text":` by vendor and message id (a few distinct ones: one copy instead of four parts) */
  private readonly mids = new Map<number, Uint8Array>();
  private lastKey = -1;
  private lastMid: Uint8Array | undefined;

  constructor(private readonly fw: Pick<FwTable, 'ts' | 'msgid' | 'chunk' | 'strings'>) {}

  /** Event e's head at b[p] (HEAD_MAX bytes free); returns where it ends. */
  head(b: Uint8Array, p: number, e: number): number {
    const fw = this.fw;
    p = put(b, p, TS);
    p = putUs(b, p, fw.ts(e));
    const vendor = fw.chunk(e).vendor[e & ROW_MASK]!, msgid = fw.msgid(e);
    const key = msgid * 256 + vendor;
    // (the same message id as the event before, most often: no lookup)
    let mid = key === this.lastKey ? this.lastMid : this.mids.get(key);
    if (mid === undefined) {
      const m = new Uint8Array(HEAD_MAX);
      let q = put(m, 0, VENDOR[vendor] ?? VENDOR[0]!);
      q = put(m, q, MSGID);
      q = putUint(m, q, msgid);
      mid = m.slice(0, put(m, q, TEXT));
      this.mids.set(key, mid);
    }
    this.lastKey = key;
    this.lastMid = mid;
    b.set(mid, p);
    return p + mid.length;
  }

  /** The bytes event e's tail takes. */
  tailLength(e: number): number {
    return this.tail(e).length;
  }

  /** Event e's tail at b[p] (tailLength(e) bytes free); returns where it ends. */
  putTail(b: Uint8Array, p: number, e: number): number {
    const t = this.tail(e);
    b.set(t, p);
    return p + t.length;
  }

  /** Event e's tail: its reason as JSON (null when none) and the closing brace. */
  private tail(e: number): Uint8Array {
    const fw = this.fw;
    const id = fw.chunk(e).str[(e & ROW_MASK) * STR_SLOTS + S_REASON]!;
    let t = this.tails[id];
    if (!t) this.tails[id] = t = lit(`,"reason":${id === 0 ? 'null' : JSON.stringify(fw.strings[id]!)}}`);
    return t;
  }
}
