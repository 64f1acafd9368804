/**
 * What the filter language evaluates over: the connection table in compact (column) form.
 * The connection table implements this; tests may build one from plain rows (see fromRows in
 * filter tests). Indices are 0-based connection indices (id = index + 1).
 */
export interface FilterTarget {
  readonly count: number;
  /** interned addresses: `origAddr[i]` is an id into this table */
  readonly addrs: {
    readonly count: number;
    /** 4 bytes (IPv4) or 16 bytes (IPv6), network order */
    bytes(id: number): Uint8Array;
    /** printable form (dotted quad, RFC 5952 IPv6) */
    text(id: number): string;
    /**
     * Optional: every address in one buffer, 16 bytes per id, with its length (4 or 16), so that
     * address tests over a million addresses allocate no view per address.
     */
    readonly packed?: { readonly bytes: Uint8Array; readonly len: Uint8Array };
  };
  readonly origAddr: Uint32Array;
  readonly respAddr: Uint32Array;
  readonly origPort: Uint16Array;
  readonly respPort: Uint16Array;
  /** OR of the TCP flag bytes of every packet the originator / responder sent */
  readonly flagsOrig: Uint8Array;
  readonly flagsResp: Uint8Array;
  /** index into TEARDOWNS, CLOSED_BY, CONN_STATES (src/model.ts) */
  readonly teardown: Uint8Array;
  readonly closedBy: Uint8Array;
  readonly connState: Uint8Array;
  /** bit mask over ANOMALIES */
  readonly anomalies: Uint32Array;
  history(i: number): string;
  /** seconds */
  readonly duration: Float64Array;
  /** packets (both sides) and payload bytes (both sides) */
  readonly packets: Uint32Array;
  readonly bytes: Float64Array;
  /** impact (analysis/impact.ts): unacknowledged bytes per side (NaN: unknown); data lost 0 no, 1 yes, 2 unknown */
  readonly unackedOrig: Float64Array;
  readonly unackedResp: Float64Array;
  readonly dataLost: Uint8Array;
  /** Zeek lifetime splits of a 4-tuple (ConnTable.splitFrom/splitTo: index + 1, 0 none; splitWhy SPLIT_*); absent: none */
  readonly splitFrom?: Uint32Array;
  readonly splitTo?: Uint32Array;
  readonly splitWhy?: Uint8Array;
  /** bit v set when vantage v saw the connection; names in `vantageNames` */
  readonly vantageMask: Uint32Array;
  readonly vantageNames: readonly string[];
  /** firewall events attached to connection i (empty for most): message ids and teardown reasons */
  fwMsgids(i: number): readonly number[];
  fwReasons(i: number): readonly string[];
  fwKinds(i: number): readonly string[];
  fwVendors(i: number): readonly string[];
  fwDevices(i: number): readonly string[];
  /** 1 when the connection carries TLS records */
  readonly tls: Uint8Array;
  /**
   * Optional: every connection's finding (src/analysis/findings.ts) as an index into `names`,
   * computed on the first call and kept (the `finding` field).
   */
  findings?(): { index: ArrayLike<number>; names: readonly string[] };
  /** one line describing connection i, for fuzzy search over bare words */
  describe(i: number): string;
  /** the id connection i is listed by, when it is not i + 1 (a live run whose tables were compacted) */
  idOf?(i: number): number;
}

const NONE: readonly string[] = [];

/**
 * A target with no connections, to check a filter's values before the inputs are loaded: what is
 * wrong in it there (an unknown class or anomaly, a bad number, address or regex) is wrong on any
 * input. Vantage names are the inputs' own: none are known here.
 */
export function emptyTarget(): FilterTarget {
  return {
    count: 0,
    addrs: { count: 0, bytes: () => new Uint8Array(4), text: () => '' },
    origAddr: new Uint32Array(0), respAddr: new Uint32Array(0), origPort: new Uint16Array(0), respPort: new Uint16Array(0),
    flagsOrig: new Uint8Array(0), flagsResp: new Uint8Array(0), teardown: new Uint8Array(0), closedBy: new Uint8Array(0),
    connState: new Uint8Array(0), anomalies: new Uint32Array(0), history: () => '', duration: new Float64Array(0),
    packets: new Uint32Array(0), bytes: new Float64Array(0), unackedOrig: new Float64Array(0), unackedResp: new Float64Array(0),
    dataLost: new Uint8Array(0), vantageMask: new Uint32Array(0), vantageNames: NONE,
    fwMsgids: () => [], fwReasons: () => NONE, fwKinds: () => NONE, fwVendors: () => NONE, fwDevices: () => NONE,
    tls: new Uint8Array(0), describe: () => '',
  };
}
