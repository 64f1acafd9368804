/**
 * A FilterTarget built from plain rows, for the filter tests. Deliberately written without the
 * filter's own code (its own address parsing, its own flag letters), so the tests do not check
 * the filter against itself.
 */
import { ANOMALIES, CLOSED_BY, CONN_STATES, TEARDOWNS } from '../src/model.js';
import type { FilterTarget } from '../src/filter/target.js';

export interface Row {
  /** address text as the table prints it (dotted quad, RFC 5952) */
  orig: string;
  resp: string;
  sport: number;
  dport: number;
  /** flag letters of every packet each side sent: F S R P A U */
  flagsOrig?: string;
  flagsResp?: string;
  teardown?: (typeof TEARDOWNS)[number];
  closedBy?: (typeof CLOSED_BY)[number];
  connState?: (typeof CONN_STATES)[number];
  anomalies?: (typeof ANOMALIES)[number][];
  history?: string;
  duration?: number;
  packets?: number;
  bytes?: number;
  vantages?: string[];
  fwMsgids?: number[];
  fwReasons?: string[];
  fwKinds?: string[];
  fwVendors?: string[];
  fwDevices?: string[];
  tls?: boolean;
  /** impact: undefined is unknown */
  unackedOrig?: number;
  unackedResp?: number;
  dataLost?: boolean;
}

const LETTER: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32 };

function letters(s: string): number {
  let v = 0;
  for (const c of s) v |= LETTER[c] ?? 0;
  return v;
}

/** Test-only address parser: dotted quads and IPv6 with `::` and an optional dotted tail. */
function addrBytes(s: string): Uint8Array {
  if (!s.includes(':')) return Uint8Array.from(s.split('.').map(Number));
  let tail: number[] = [];
  let body = s;
  const m = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (m) {
    const q = m[1]!.split('.').map(Number);
    tail = [(q[0]! << 8) | q[1]!, (q[2]! << 8) | q[3]!];
    body = s.slice(0, -m[1]!.length).replace(/:$/, s.endsWith('::' + m[1]) ? ':' : '');
  }
  const [h, t] = body.split('::') as [string, string | undefined];
  const hs = h === '' ? [] : h.split(':').map((x) => parseInt(x, 16));
  const ts = t === undefined || t === '' ? [] : t.split(':').map((x) => parseInt(x, 16));
  const all = [...ts, ...tail];
  const words = t === undefined ? [...hs, ...tail] : [...hs, ...new Array<number>(8 - hs.length - all.length).fill(0), ...all];
  const out = new Uint8Array(16);
  words.forEach((w, k) => {
    out[2 * k] = w >> 8;
    out[2 * k + 1] = w & 0xff;
  });
  return out;
}

export function fromRows(rows: Row[], vantageNames: string[] = ['inside', 'outside']): FilterTarget {
  const texts: string[] = [];
  const ids = new Map<string, number>();
  const intern = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = texts.length;
      ids.set(s, id);
      texts.push(s);
    }
    return id;
  };
  const bytes = new Map<number, Uint8Array>();
  const n = rows.length;
  const t = {
    count: n,
    addrs: {
      get count() {
        return texts.length;
      },
      bytes(id: number): Uint8Array {
        let b = bytes.get(id);
        if (b === undefined) bytes.set(id, (b = addrBytes(texts[id]!)));
        return b;
      },
      text: (id: number): string => texts[id]!,
    },
    origAddr: Uint32Array.from(rows, (r) => intern(r.orig)),
    respAddr: Uint32Array.from(rows, (r) => intern(r.resp)),
    origPort: Uint16Array.from(rows, (r) => r.sport),
    respPort: Uint16Array.from(rows, (r) => r.dport),
    flagsOrig: Uint8Array.from(rows, (r) => letters(r.flagsOrig ?? '')),
    flagsResp: Uint8Array.from(rows, (r) => letters(r.flagsResp ?? '')),
    teardown: Uint8Array.from(rows, (r) => TEARDOWNS.indexOf(r.teardown ?? 'open')),
    closedBy: Uint8Array.from(rows, (r) => CLOSED_BY.indexOf(r.closedBy ?? 'none')),
    connState: Uint8Array.from(rows, (r) => CONN_STATES.indexOf(r.connState ?? 'OTH')),
    anomalies: Uint32Array.from(rows, (r) => (r.anomalies ?? []).reduce((m, a) => m | (1 << ANOMALIES.indexOf(a)), 0)),
    history: (i: number): string => rows[i]!.history ?? '',
    duration: Float64Array.from(rows, (r) => r.duration ?? 0),
    packets: Uint32Array.from(rows, (r) => r.packets ?? 0),
    bytes: Float64Array.from(rows, (r) => r.bytes ?? 0),
    unackedOrig: Float64Array.from(rows, (r) => r.unackedOrig ?? NaN),
    unackedResp: Float64Array.from(rows, (r) => r.unackedResp ?? NaN),
    dataLost: Uint8Array.from(rows, (r) => (r.dataLost === undefined ? 2 : r.dataLost ? 1 : 0)),
    vantageMask: Uint32Array.from(rows, (r) => (r.vantages ?? []).reduce((m, v) => m | (1 << vantageNames.indexOf(v)), 0)),
    vantageNames,
    fwMsgids: (i: number): readonly number[] => rows[i]!.fwMsgids ?? [],
    fwReasons: (i: number): readonly string[] => rows[i]!.fwReasons ?? [],
    fwKinds: (i: number): readonly string[] => rows[i]!.fwKinds ?? [],
    fwVendors: (i: number): readonly string[] => rows[i]!.fwVendors ?? [],
    fwDevices: (i: number): readonly string[] => rows[i]!.fwDevices ?? [],
    tls: Uint8Array.from(rows, (r) => (r.tls ? 1 : 0)),
    describe(i: number): string {
      const r = rows[i]!;
      const ep = (a: string, p: number): string => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
      return [
        `#${i + 1}`,
        ep(r.orig, r.sport),
        '->',
        ep(r.resp, r.dport),
        r.teardown ?? 'open',
        r.connState ?? 'OTH',
        ...(r.anomalies ?? []),
        r.history ?? '',
      ].join(' ');
    },
  };
  return t;
}

/**
 * Rows modelled on the seed case (connection 1 is the incident, 2 the clean reference) plus one
 * row for each other shape the filter must tell apart. Ids are index + 1.
 */
export const ROWS: Row[] = [
  // 1: the incident: client FIN+RST, server FIN and late RST, denied by the ASA
  {
    orig: '203.0.113.147', sport: 43918, resp: '172.17.77.250', dport: 443,
    flagsOrig: 'SAPFR', flagsResp: 'SAPFR', teardown: 'fin-then-rst', closedBy: 'both', connState: 'RSTO',
    anomalies: ['rst-after-fin', 'late-rst', 'rst-denied', 'no-close-notify'], history: 'ShADadFfRr',
    duration: 12.5, packets: 40, bytes: 5000, vantages: ['inside', 'outside'],
    fwMsgids: [302013, 302014, 106015], fwReasons: ['TCP FINs'], fwVendors: ['ASA'], fwDevices: ['fw01'], tls: true,
  },
  // 2: the clean reference close
  {
    orig: '192.0.2.167', sport: 3954, resp: '172.17.77.250', dport: 443,
    flagsOrig: 'SAPF', flagsResp: 'SAPF', teardown: 'graceful', closedBy: 'both', connState: 'SF',
    history: 'ShADadFf', duration: 3.2, packets: 20, bytes: 2500, vantages: ['inside', 'outside'],
    fwMsgids: [302013, 302014], fwReasons: ['TCP FINs'], tls: true,
  },
  // 3: IPv6, aborted by the responder
  {
    orig: '2001:db8::10', sport: 51000, resp: '2001:db8:1::', dport: 443,
    flagsOrig: 'SAP', flagsResp: 'SAPR', teardown: 'abort', closedBy: 'resp', connState: 'RSTR',
    anomalies: ['data-after-rst'], history: 'ShADadr', duration: 0.8, packets: 9, bytes: 800, vantages: ['inside'], tls: true,
  },
  // 4: rejected (RST+ACK to the SYN)
  {
    orig: '198.51.100.7', sport: 40000, resp: '172.17.77.250', dport: 22,
    flagsOrig: 'S', flagsResp: 'RA', teardown: 'rejected', closedBy: 'resp', connState: 'REJ',
    history: 'Sr', duration: 0.001, packets: 2, bytes: 0, vantages: ['outside'], fwMsgids: [106023],
  },
  // 5: unanswered SYNs
  {
    orig: '10.1.2.3', sport: 5000, resp: '10.9.9.9', dport: 80,
    flagsOrig: 'S', teardown: 'unanswered', closedBy: 'none', connState: 'S0',
    history: 'S', duration: 3, packets: 3, bytes: 0, vantages: ['inside'],
  },
  // 6: IPv4-mapped IPv6 originator, midstream: an IPv4 block must not match it
  {
    orig: '::ffff:10.1.2.3', sport: 6000, resp: '2001:db8:1::', dport: 80,
    flagsOrig: 'AP', flagsResp: 'AP', teardown: 'open', closedBy: 'none', connState: 'OTH',
    anomalies: ['midstream'], history: 'ADad', duration: 60, packets: 100, bytes: 100000, vantages: ['outside'],
  },
  // 7: half-closed, between two hosts of the incident's /24, URG seen
  {
    orig: '203.0.113.9', sport: 1024, resp: '203.0.113.147', dport: 8443,
    flagsOrig: 'SAPFU', flagsResp: 'SAP', teardown: 'half-closed', closedBy: 'orig', connState: 'SH',
    anomalies: ['zero-window', 'retransmission'], history: 'ShADaF', duration: 1.5, packets: 15, bytes: 1200,
    vantages: ['outside'], fwMsgids: [302014], fwReasons: ['Connection timeout'], fwVendors: ['PAN-OS'], fwDevices: ['pa-edge'], tls: true,
  },
  // 8: fin-then-rst without a late RST, seen by no named vantage; port 0 and 65535
  {
    orig: '10.100.0.1', sport: 65535, resp: '10.0.0.2', dport: 0,
    flagsOrig: 'SAFR', flagsResp: 'SA', teardown: 'fin-then-rst', closedBy: 'orig', connState: 'RSTO',
    anomalies: ['rst-after-fin'], history: 'ShAFR', duration: 0.2, packets: 6, bytes: 0, vantages: [],
  },
];
