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
const lit = (s: string): Uint8Array => enc.encode(s);
const TS = lit('{"ts":');
const MSGID = lit(',"msgid":');
/** `,"vendor":"ASA"` and the others, by the vendor index stored per event */
const VENDOR = VENDORS.map((v) => lit(`,"vendor":${JSON.stringify(v)}`));
const TEXT = lit(',"text":');
const REASON = lit(',"reason":');
const NULL = lit('null');
const ROW_MASK = 0xffff;

/** The most bytes a head takes (a number is at most 24 characters, a message id 10). */
export const HEAD_MAX = TS.length + 24 + Math.max(...VENDOR.map((v) => v.length)) + MSGID.length + 10 + TEXT.length;

export function put(b: Uint8Array, p: number, a: Uint8Array): number {
  for (let k = 0; k < a.length; k++) b[p + k] = a[k]!;
  return p + a.length;
}

export class EventJson {
  /** each reason's JSON string, by string id */
  private readonly reasons: (Uint8Array | undefined)[] = [];

  constructor(private readonly fw: Pick<FwTable, 'ts' | 'msgid' | 'chunk' | 'strings'>) {}

  /** Event e's head at b[p] (HEAD_MAX bytes free); returns where it ends. */
  head(b: Uint8Array, p: number, e: number): number {
    const fw = this.fw;
    p = put(b, p, TS);
    p = putUs(b, p, fw.ts(e));
    p = put(b, p, VENDOR[fw.chunk(e).vendor[e & ROW_MASK]!] ?? VENDOR[0]!);
    p = put(b, p, MSGID);
    p = putUint(b, p, fw.msgid(e));
    return put(b, p, TEXT);
  }

  /** The bytes event e's tail takes. */
  tailLength(e: number): number {
    return REASON.length + this.reason(e).length + 1;
  }

  /** Event e's tail at b[p] (tailLength(e) bytes free); returns where it ends. */
  tail(b: Uint8Array, p: number, e: number): number {
    p = put(b, p, REASON);
    p = put(b, p, this.reason(e));
    b[p++] = 125; // }
    return p;
  }

  /** Event e's reason as JSON (null when none). */
  private reason(e: number): Uint8Array {
    const fw = this.fw;
    const id = fw.chunk(e).str[(e & ROW_MASK) * STR_SLOTS + S_REASON]!;
    if (id === 0) return NULL;
    let r = this.reasons[id];
    if (!r) this.reasons[id] = r = lit(JSON.stringify(fw.strings[id]!));
    return r;
  }
}
