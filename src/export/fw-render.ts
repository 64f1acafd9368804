/**
 * A firewall event's body written again from its columns, where the byte reader vouched that the
 * line says exactly that (fw-chunk.ts TEXT_CANON: a Teardown in its plain form). The flow lines
 * then write its text without reading the log: most of their reads were for Teardown lines, far
 * ahead in the file of their connection's Built line (fw-batch.ts), one read each.
 */
import { A_DST, A_SRC, B_PROTO, S_DIF, S_REASON, S_RFROM, S_SIF, STR_SLOTS, type FwChunk } from '../read/fw-chunk.js';
import { putHost, putUint, type FlowSource } from './flow-bytes.js';
import { lit, put } from './fw-event-json.js';

/** The address texts (an address-table id's). */
export type Hosts = Pick<FlowSource, 'v4Value' | 'text'>;
/** The columns a body is written from. */
export type RenderColumns = Pick<FwChunk, 'cid' | 'nbytes' | 'duration' | 'addr' | 'port' | 'str' | 'bits'>;

const TEARDOWN = [lit('Teardown TCP connection '), lit('Teardown UDP connection ')] as const;
const FOR = lit(' for ');
const TO = lit(' to ');
const DURATION = lit(' duration ');
const BYTES = lit(' bytes ');
const FROM = lit(' from ');

/**
 * The most bytes a body takes besides its strings, as put() writes it: the literals, a 32-bit id
 * and byte count, two `:address/port`, hours below 2^24 s (4 digits, 5 allowed) and `:mm:ss`, the
 * space before the reason.
 */
const FIXED_MAX = TEARDOWN[0].length + 10 + FOR.length + 2 * (1 + 15 + 1 + 5) + TO.length + DURATION.length + 5 + 6 + BYTES.length + 10 + 1 + FROM.length;

export class BodyWriter {
  /** pool strings as bytes, by id (printable ASCII: the byte reader takes no other into a TEXT_CANON row) */
  private readonly bytes: (Uint8Array | undefined)[] = [];

  constructor(
    private readonly strings: readonly string[],
    private readonly hosts: Hosts,
  ) {}

  /** The most bytes row r's body takes. */
  bound(c: RenderColumns, r: number): number {
    const o = r * STR_SLOTS, s = c.str;
    return FIXED_MAX + this.of(s[o + S_SIF]!).length + this.of(s[o + S_DIF]!).length + this.of(s[o + S_REASON]!).length + this.of(s[o + S_RFROM]!).length;
  }

  /** Row r's body at b[p] (bound(c, r) bytes free): `Teardown TCP connection ID for IF:A/P to IF:A/P duration H:MM:SS bytes N[ REASON[ from IF]]`. */
  put(b: Uint8Array, p: number, c: RenderColumns, r: number): number {
    const o = r * STR_SLOTS, s = c.str, a = r * 4;
    p = put(b, p, TEARDOWN[((c.bits[r]! >> B_PROTO) & 3) === 2 ? 1 : 0]);
    p = putUint(b, p, c.cid[r]!);
    p = put(b, p, FOR);
    p = this.endpoint(b, p, s[o + S_SIF]!, c.addr[a + A_SRC]!, c.port[a + A_SRC]!);
    p = put(b, p, TO);
    p = this.endpoint(b, p, s[o + S_DIF]!, c.addr[a + A_DST]!, c.port[a + A_DST]!);
    p = put(b, p, DURATION);
    const d = c.duration[r]!, h = Math.floor(d / 3600), m = Math.floor((d - h * 3600) / 60), sec = d - h * 3600 - m * 60;
    p = putUint(b, p, h);
    b[p++] = 58;
    b[p++] = 48 + Math.floor(m / 10);
    b[p++] = 48 + (m % 10);
    b[p++] = 58;
    b[p++] = 48 + Math.floor(sec / 10);
    b[p++] = 48 + (sec % 10);
    p = put(b, p, BYTES);
    p = putUint(b, p, c.nbytes[r]!);
    const reason = s[o + S_REASON]!;
    if (reason === 0) return p;
    b[p++] = 32;
    p = put(b, p, this.of(reason));
    const from = s[o + S_RFROM]!;
    return from === 0 ? p : put(b, put(b, p, FROM), this.of(from));
  }

  private endpoint(b: Uint8Array, p: number, iface: number, addr: number, port: number): number {
    p = put(b, p, this.of(iface));
    b[p++] = 58;
    p = putHost(this.hosts, b, p, addr);
    b[p++] = 47;
    return putUint(b, p, port);
  }

  private of(id: number): Uint8Array {
    return (this.bytes[id] ??= lit(this.strings[id] ?? ''));
  }
}
