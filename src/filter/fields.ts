/**
 * The field table of the filter language: name, type, description, and how each field reads a
 * FilterTarget. A field never evaluates a comparison itself: the compiler hands it a predicate
 * over ONE value (an address id, a port, an enum index, a string...) and a quantifier, and the
 * field turns that into a row test. Fields over small domains (addresses, ports, enums, flags)
 * evaluate the predicate once per domain value into a table, so the row test is a lookup.
 */
import { FW_KINDS } from '../read/asa.js';
import { ACK, ANOMALIES, CLOSED_BY, CONN_STATES, CWR, ECE, FIN, PSH, RST, SYN, TEARDOWNS, URG } from '../model.js';
import type { FilterTarget } from './target.js';
import { addrLen } from './addr.js';
import { closest } from './suggest.js';
import { FINDING_FIELD } from './finding-field.js';
import { SPLIT_FIELD, RELATED_FIELD } from './split-field.js';

export const FIELD_TYPES = ['address', 'port', 'number', 'boolean', 'enum', 'string'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** `any`: some value of the field satisfies the test (`==`); `all`: every value does (`===`). */
export type Quant = 'any' | 'all';
/**
 * Whether row i passes. A test may carry `scan`: every passing row of 0..n-1 in one tight loop,
 * for the tests a filter bar sees most (address, port, enum and anomaly tables), where a call per
 * row costs most of the time at a million rows.
 */
export type RowTest = ((i: number) => boolean) & { scan?: (n: number, into?: Uint32Array) => Uint32Array };
/** A test of one value; `table`, when present, gives its answers for 0..n-1 at once (see cidrTest). */
export type NumTest = ((v: number) => boolean) & { table?: (n: number) => Uint8Array };
export type StrTest = (s: string) => boolean;

/**
 * The rows of 0..n-1 that pass `test`, in order: a fresh array, or a view of `into` (at least n
 * long) when given, for a caller that recycles its result arrays (the UI's filter bar).
 */
export function matchingRows(n: number, test: RowTest, into?: Uint32Array): Uint32Array {
  if (test.scan) return test.scan(n, into);
  const out = into ?? scratch(n);
  let k = 0;
  for (let i = 0; i < n; i++) if (test(i)) out[k++] = i;
  return fit(out, k, into);
}

/**
 * Every scan writes into one scratch array and copies its k results out (fit). A fresh array a
 * scan, 4 MB at 1 M rows, lived a keystroke or two, long enough to be promoted, and then waited
 * for a full collection: the UI's RSS rose ~38 MB over a run of filters (measured). The copy of
 * half a million results takes well under a millisecond. (Scans never nest: matchingRows runs one.)
 * A caller that keeps one result at a time passes arrays of its own instead (`into`), and then
 * nothing is allocated per scan.
 */
let scratchRows = new Uint32Array(0);
function scratch(n: number): Uint32Array {
  if (scratchRows.length < n) scratchRows = new Uint32Array(n);
  return scratchRows;
}

/** The first k entries: copied out of the scratch array, or a view of the caller's array. */
function fit(out: Uint32Array, k: number, into: Uint32Array | undefined): Uint32Array {
  return into ? into.subarray(0, k) : out.slice(0, k);
}

// (the scans write every index and advance past the passing ones: no branch to mispredict when
// half the rows pass, as with a /8 over a mix of addresses; the tables hold 0 or 1)
const withScan = (test: (i: number) => boolean, scan: (n: number, into?: Uint32Array) => Uint32Array): RowTest => Object.assign(test, { scan });

interface FieldBase {
  name: string;
  description: string;
  /** several values per connection (`ip.addr`: both ends; `anomaly`: a list) */
  multi: boolean;
  /** the field alone: a presence / boolean test */
  present(t: FilterTarget): RowTest;
}
/**
 * Values are numbers: an address id (`address`), a port, a number, 0/1 (`boolean`) or an index
 * into `values` (`enum`).
 */
export interface NumField extends FieldBase {
  type: 'address' | 'port' | 'number' | 'boolean' | 'enum';
  /** `enum` only: the value names, from the model or (vantage) from the target */
  values?: (t: FilterTarget | undefined) => readonly string[];
  /** `address` only: the field holds IPv6 addresses only */
  v6only?: boolean;
  lift(t: FilterTarget, p: NumTest, q: Quant): RowTest;
}
export interface StrField extends FieldBase {
  type: 'string';
  lift(t: FilterTarget, p: StrTest, q: Quant): RowTest;
}
export type FieldDef = NumField | StrField;

const ALWAYS: RowTest = () => true;
const NEVER: RowTest = () => false;

function tableOf(n: number, p: NumTest): Uint8Array {
  if (p.table) return p.table(n);
  const tb = new Uint8Array(n);
  for (let v = 0; v < n; v++) if (p(v)) tb[v] = 1;
  return tb;
}

type Col = Uint8Array | Uint16Array | Uint32Array;

/** A value read through a lookup table: one column (`ip.src`) or two (`ip.addr`). */
function liftTable(cols: readonly Col[], tb: Uint8Array, q: Quant): RowTest {
  // (one column reads as two equal ones)
  const a = cols[0]!, b = cols[1] ?? a;
  if (q === 'any' || cols.length === 1) {
    return withScan((i) => (tb[a[i]!]! | tb[b[i]!]!) === 1, (n, into) => {
      const out = into ?? scratch(n);
      let k = 0;
      for (let i = 0; i < n; i++) {
        out[k] = i;
        k += tb[a[i]!]! | tb[b[i]!]!;
      }
      return fit(out, k, into);
    });
  }
  return withScan((i) => (tb[a[i]!]! & tb[b[i]!]!) === 1, (n, into) => {
    const out = into ?? scratch(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      out[k] = i;
      k += tb[a[i]!]! & tb[b[i]!]!;
    }
    return fit(out, k, into);
  });
}

function addrField(name: string, description: string, which: 'orig' | 'resp' | 'both', v6only = false): NumField {
  const cols = (t: FilterTarget): Col[] =>
    which === 'orig' ? [t.origAddr] : which === 'resp' ? [t.respAddr] : [t.origAddr, t.respAddr];
  const v6 = (t: FilterTarget): Uint8Array => tableOf(t.addrs.count, (id) => addrLen(t, id) === 16);
  return {
    name,
    type: 'address',
    description,
    multi: which === 'both',
    v6only,
    present: (t) => (v6only ? liftTable(cols(t), v6(t), 'any') : ALWAYS),
    lift: (t, p, q) => {
      const tb = tableOf(t.addrs.count, v6only ? (id) => addrLen(t, id) === 16 && p(id) : p);
      return liftTable(cols(t), tb, q);
    },
  };
}

function portField(name: string, description: string, which: 'orig' | 'resp' | 'both'): NumField {
  return {
    name,
    type: 'port',
    description,
    multi: which === 'both',
    present: () => ALWAYS,
    lift: (t, p, q) => {
      const cols = which === 'orig' ? [t.origPort] : which === 'resp' ? [t.respPort] : [t.origPort, t.respPort];
      return liftTable(cols, tableOf(65536, p), q);
    },
  };
}

/** A scalar number column (duration, packets, bytes). */
function numField(name: string, description: string, col: (t: FilterTarget) => ArrayLike<number>): NumField {
  return {
    name,
    type: 'number',
    description,
    multi: false,
    present: () => ALWAYS,
    lift: (t, p) => {
      const a = col(t);
      return (i) => p(a[i]!);
    },
  };
}

/** A count that may be unknown (NaN): alone, it is known; no comparison holds for an unknown one (`!=`, being `not ==`, does). */
function countField(name: string, description: string, col: (t: FilterTarget) => Float64Array): NumField {
  return {
    ...numField(name, description, col),
    present: (t) => {
      const a = col(t);
      return (i) => a[i] === a[i];
    },
  };
}

/** A yes / no / unknown column (0, 1, 2): alone, yes; `== false` holds for a known no only. */
function triField(name: string, description: string, col: (t: FilterTarget) => Uint8Array): NumField {
  return {
    name,
    type: 'boolean',
    description,
    multi: false,
    present: (t) => {
      const a = col(t);
      return (i) => a[i] === 1;
    },
    lift: (t, p) => {
      const a = col(t);
      const tb = Uint8Array.of(p(0) ? 1 : 0, p(1) ? 1 : 0, 0);
      return (i) => tb[a[i]!] === 1;
    },
  };
}

const FLAG_BITS = { syn: SYN, ack: ACK, fin: FIN, reset: RST, push: PSH, urg: URG, ece: ECE, cwr: CWR } as const;

function flagField(flag: keyof typeof FLAG_BITS, side: 'any' | 'orig' | 'resp'): NumField {
  const bit = FLAG_BITS[flag];
  const who = side === 'any' ? 'either side' : side === 'orig' ? 'the originator' : 'the responder';
  const has = (t: FilterTarget): RowTest => {
    const o = t.flagsOrig;
    const r = t.flagsResp;
    if (side === 'orig') return (i) => (o[i]! & bit) !== 0;
    if (side === 'resp') return (i) => (r[i]! & bit) !== 0;
    return (i) => ((o[i]! | r[i]!) & bit) !== 0;
  };
  return {
    name: `tcp.flags.${flag}${side === 'any' ? '' : '.' + side}`,
    type: 'boolean',
    description: `some packet from ${who} carries ${flag.toUpperCase()}`,
    multi: false,
    present: has,
    lift: (t, p) => boolLift(has(t), p),
  };
}

function boolLift(has: RowTest, p: NumTest): RowTest {
  const f = p(0);
  const tr = p(1);
  if (f && tr) return ALWAYS;
  if (!f && !tr) return NEVER;
  return tr ? has : (i) => !has(i);
}

/** An enum stored as an index per row (teardown, closed_by, conn_state). */
function enumField(name: string, description: string, names: readonly string[], col: (t: FilterTarget) => Uint8Array): NumField {
  return {
    name,
    type: 'enum',
    description,
    multi: false,
    values: () => names,
    present: () => ALWAYS,
    lift: (t, p) => liftTable([col(t)], tableOf(names.length, p), 'any'),
  };
}

/** An enum set stored as a bit mask per row (anomaly, vantage). */
function maskField(
  name: string,
  description: string,
  names: (t: FilterTarget | undefined) => readonly string[],
  col: (t: FilterTarget) => Uint32Array,
): NumField {
  return {
    name,
    type: 'enum',
    description,
    multi: true,
    values: names,
    present: (t) => {
      const a = col(t);
      return (i) => a[i] !== 0;
    },
    lift: (t, p, q) => {
      const a = col(t);
      const n = Math.min(32, names(t).length);
      let m = 0;
      for (let v = 0; v < n; v++) if (p(v)) m |= 1 << v;
      if (q === 'any') {
        if (m === 0) return NEVER;
        return withScan((i) => (a[i]! & m) !== 0, (n, into) => {
          const out = into ?? scratch(n);
          let k = 0;
          for (let i = 0; i < n; i++) {
            out[k] = i;
            k += (a[i]! & m) !== 0 ? 1 : 0;
          }
          return fit(out, k, into);
        });
      }
      // every member satisfies it; an empty set satisfies no `===` (as Wireshark's all_eq on an absent field)
      return (i) => a[i] !== 0 && (a[i]! & ~m) === 0;
    },
  };
}

/** A per-row list read through a function (firewall events: usually empty). */
function listLift<T>(get: (i: number) => readonly T[], p: (v: T) => boolean, q: Quant): RowTest {
  if (q === 'any') return (i) => get(i).some(p);
  return (i) => {
    const l = get(i);
    return l.length > 0 && l.every(p);
  };
}

/** A list of values per row read through the target's firewall events (usually empty: listLift). */
function fwListField<T extends number | string>(name: string, type: T extends number ? 'number' : 'string', description: string,
  get: (t: FilterTarget) => (i: number) => readonly T[]): FieldDef {
  return {
    name, type, description, multi: true,
    present: (t: FilterTarget) => {
      const l = get(t);
      return (i: number) => l(i).length > 0;
    },
    lift: (t: FilterTarget, p: (v: T) => boolean, q: Quant) => listLift(get(t), p, q),
  } as FieldDef;
}

/** Histories repeat a lot (`ShADadFf`); remember the answer per distinct string, boundedly. */
function memo(p: StrTest): StrTest {
  const seen = new Map<string, boolean>();
  return (s) => {
    let r = seen.get(s);
    if (r === undefined) {
      r = p(s);
      if (seen.size < 100_000) seen.set(s, r);
    }
    return r;
  };
}

const flagFields: NumField[] = [];
for (const f of Object.keys(FLAG_BITS) as (keyof typeof FLAG_BITS)[]) {
  for (const side of ['any', 'orig', 'resp'] as const) flagFields.push(flagField(f, side));
}

export const FIELDS: readonly FieldDef[] = [
  addrField('ip.addr', 'either address (IPv4 or IPv6)', 'both'),
  addrField('ip.src', "the originator's address", 'orig'),
  addrField('ip.dst', "the responder's address", 'resp'),
  addrField('ipv6.addr', 'either address, IPv6 connections only', 'both', true),
  addrField('ipv6.src', "the originator's address, IPv6 connections only", 'orig', true),
  addrField('ipv6.dst', "the responder's address, IPv6 connections only", 'resp', true),
  portField('tcp.port', 'either port', 'both'),
  portField('tcp.srcport', "the originator's port", 'orig'),
  portField('tcp.dstport', "the responder's port", 'resp'),
  ...flagFields,
  enumField('teardown', `teardown class: ${TEARDOWNS.join(', ')}`, TEARDOWNS, (t) => t.teardown),
  maskField('anomaly', `anomalies of the connection (alone: any anomaly): ${ANOMALIES.join(', ')}`, () => ANOMALIES, (t) => t.anomalies),
  enumField('closed_by', `who closed: ${CLOSED_BY.join(', ')}`, CLOSED_BY, (t) => t.closedBy),
  enumField('conn_state', `Zeek conn_state: ${CONN_STATES.join(', ')}`, CONN_STATES, (t) => t.connState),
  {
    name: 'history',
    type: 'string',
    description: 'Zeek history string (upper case: originator, lower case: responder)',
    multi: false,
    present: (t) => (i) => t.history(i) !== '',
    lift: (t, p) => {
      const m = memo(p);
      return (i) => m(t.history(i));
    },
  },
  numField('duration', 'seconds from first to last packet', (t) => t.duration),
  numField('packets', 'packets, both sides', (t) => t.packets),
  numField('bytes', 'payload bytes, both sides', (t) => t.bytes),
  countField('unacked_orig', "payload bytes the originator had sent and the responder had not acknowledged at the first RST (else at the end of the capture); alone: known", (t) => t.unackedOrig),
  countField('unacked_resp', "payload bytes the responder had sent and the originator had not acknowledged at the first RST (else at the end of the capture); alone: known", (t) => t.unackedResp),
  SPLIT_FIELD,
  RELATED_FIELD,
  triField('data_lost', 'a side had bytes unacknowledged at a RST, or data came after one (unknown: matches neither true nor false)', (t) => t.dataLost),
  {
    ...numField('id', 'connection id (as listed)', () => []),
    lift: (t: FilterTarget, p: NumTest): RowTest => (t.idOf ? ((i) => p(t.idOf!(i))) : (i) => p(i + 1)),
  },
  maskField('vantage', 'names of the captures (vantage points) that saw the connection', (t) => t?.vantageNames ?? [], (t) => t.vantageMask),
  fwListField('fw.msgid', 'number', 'message ids of attached firewall events (alone: any firewall event)', (t) => (i) => t.fwMsgids(i)),
  fwListField('fw.reason', 'string', 'teardown reasons of attached firewall events (e.g. "TCP FINs")', (t) => (i) => t.fwReasons(i)),
  fwListField('fw.kind', 'string', `kinds of attached firewall events, any vendor: ${FW_KINDS.join(', ')} (deny-no-conn: a packet of no connection, the late RST of the seed)`, (t) => (i) => t.fwKinds(i)),
  fwListField('fw.vendor', 'string', 'vendors of attached firewall events: ASA, FTD, PIX, PAN-OS, FortiGate, SRX, netfilter, pf', (t) => (i) => t.fwVendors(i)),
  fwListField('fw.device', 'string', "device names of attached firewall events (the log's host or the message's device name)", (t) => (i) => t.fwDevices(i)),
  {
    name: 'tls',
    type: 'boolean',
    description: 'the connection carries TLS records',
    multi: false,
    present: (t) => {
      const a = t.tls;
      return (i) => a[i] === 1;
    },
    lift: (t, p) => {
      const a = t.tls;
      return boolLift((i) => a[i] === 1, p);
    },
  },
  FINDING_FIELD,
];

export const FIELD_BY_NAME: ReadonlyMap<string, FieldDef> = new Map(FIELDS.map((f) => [f.name, f]));

/** First segments of dotted field names (`ip`, `tcp`...): a dotted word starting with one is a field typo. */
export const FIELD_NAMESPACES: ReadonlySet<string> = new Set(
  FIELDS.filter((f) => f.name.includes('.')).map((f) => f.name.slice(0, f.name.indexOf('.'))),
);

/** Enum fields whose values a bare word may name (`late-rst`, `RSTO`, `fin-then-rst`). */
export const BARE_ENUM_FIELDS = ['teardown', 'anomaly', 'conn_state', 'closed_by', 'vantage'] as const;

export function suggestField(word: string): string | undefined {
  return closest(
    word,
    FIELDS.map((f) => f.name),
  );
}
