/**
 * 609001/609002 (Built/Teardown local-host) name a host, not a connection: one goes with the
 * connections of that host whose Built (or Teardown) is within TOL of it (the firewall builds a
 * host's state with its first connection and removes it with its last). The grouping pass
 * (fw-groups.ts) asks at each Built and Teardown, as it reads them in log order, which local-host
 * lines of its hosts are that close (`near`); which of those candidates stand is known once the
 * groups are matched (firewall.ts): the group must have become a connection, and a Built must
 * still be its group's Built. This was a pass of its own over every event, reading each one's
 * group at random.
 */
import { A_DST, A_SRC, type FwChunk } from '../read/fw-chunk.js';
import { K_BUILT, K_LH_BUILT, K_LH_TEARDOWN } from '../read/asa.js';
import { CHUNK_BITS, type FwTable } from '../flows/fw-table.js';
import { chunkIndex } from '../read/fw-chunk-index.js';
import { lazyArray } from '../flows/memory.js';

/** slack around a connection's packets once the offset is applied, seconds (firewall.ts TOL) */
export const LH_TOL = 2;

export class LocalHosts {
  /** hosts with local-host lines, a bit each by address id (read first: most connections' ends have none) */
  private readonly has: Uint8Array;
  // the local-host events of each host, in log order (nearly time order): host h's are
  // byHost[start[h], start[h+1]) (address ids are dense), their times and kinds beside them: the
  // window search reads these small arrays, not the event columns (a random read into a
  // gigabyte of events per step at 10 M lines)
  private readonly start: Uint32Array;
  private readonly byHost: Uint32Array;
  private readonly hostTs: Float64Array;
  private readonly hostKind: Uint8Array;

  private constructor(table: Pick<FwTable, 'chunks'>, n: number, nAddrs: number) {
    // (the arrays mapped from the OS, given back to it when freed: the grouping's worker makes them,
    // and what a thread frees from the C heap stays with that thread's arena when it ends, ~30 MB)
    const has = (this.has = lazyArray(Uint8Array, (nAddrs >>> 3) + 1));
    // (a counting sort by host, read straight from the chunks' columns: ~1 M of these lines at 10 M
    // log lines; start[h] counts host h's, then is where they end, then, placed from the last back,
    // where they begin)
    const start = (this.start = lazyArray(Uint32Array, nAddrs + 1));
    const chunks = table.chunks;
    for (const c of chunks) {
      const addr = c.addr;
      for (const r of chunkIndex(c).lhRows) {
        const a = addr[r * 4 + A_SRC]!;
        has[a >>> 3]! |= 1 << (a & 7);
        start[a]!++;
      }
    }
    for (let h = 1; h <= nAddrs; h++) start[h]! += start[h - 1]!;
    const byHost = (this.byHost = lazyArray(Uint32Array, n));
    const hostTs = (this.hostTs = lazyArray(Float64Array, n));
    const hostKind = (this.hostKind = lazyArray(Uint8Array, n));
    for (let ci = chunks.length - 1; ci >= 0; ci--) {
      const c = chunks[ci]!, rows = chunkIndex(c).lhRows, addr = c.addr;
      for (let k = rows.length - 1; k >= 0; k--) {
        const r = rows[k]!;
        const i = --start[addr[r * 4 + A_SRC]!]!;
        byHost[i] = (ci << CHUNK_BITS) | r;
        hostTs[i] = c.ts[r]!;
        hostKind[i] = c.kind[r]!;
      }
    }
  }

  /** The index of the table's local-host events (those naming their host), undefined when it has none. */
  static of(table: Pick<FwTable, 'chunks'>, nAddrs: number): LocalHosts | undefined {
    let n = 0;
    for (const c of table.chunks) n += chunkIndex(c).lhRows.length;
    return n ? new LocalHosts(table, n, nAddrs) : undefined;
  }

  /**
   * Row r of chunk c, a Built or Teardown (kind) of group g: push (local-host event, g, event) to
   * `out` for each local-host line of the same kind of either of its hosts within LH_TOL of it.
   */
  near(c: FwChunk, r: number, kind: number, g: number, e: number, out: number[]): void {
    const { has, start, byHost, hostTs, hostKind } = this;
    const amask = c.amask[r]!, addr = c.addr;
    const want = kind === K_BUILT ? K_LH_BUILT : K_LH_TEARDOWN;
    const t = c.ts[r]!;
    for (let slot = A_SRC; slot <= A_DST; slot++) {
      const a = addr[r * 4 + slot]!;
      if (!(amask & (1 << slot)) || !(has[a >>> 3]! & (1 << (a & 7)))) continue;
      // the window around t: a binary search (a few seconds of slack for lines a little out of order)
      let lo = start[a]!, hi = start[a + 1]!;
      const end = hi;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (hostTs[mid]! < t - LH_TOL - 5) lo = mid + 1;
        else hi = mid;
      }
      for (let x = lo; x < end && hostTs[x]! <= t + LH_TOL + 5; x++) {
        if (hostKind[x] !== want || Math.abs(hostTs[x]! - t) > LH_TOL) continue;
        out.push(byHost[x]!, g, e);
      }
    }
  }
}
