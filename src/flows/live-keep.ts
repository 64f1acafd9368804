/**
 * --keep for long live runs: the most recent connections whose records are final are held (by
 * count, or by how long ago their last packet was), older ones dropped with their packets. Dropping
 * is done in batches, by compacting the tables (copying what is kept into new ones) once the
 * connections to drop are half as many as those kept (or their packets half as many): each
 * compaction's copying is paid for by what it drops, so a long run costs the same per packet, and
 * its memory stays between the window's size and half as much again. Connections not over yet are
 * always kept.
 */
import { PacketTable } from './packet-table.js';
import { RowChains } from './live-conns.js';

export interface KeepOptions {
  /** hold the connections whose last packet is at most this many seconds old */
  seconds?: number;
  /** hold at most this many connections whose record is final */
  count?: number;
}

/** The packet rows of the kept connections, in their order, into new tables: their rows and the map old row -> new row (-1: dropped). */
export function compactPackets(old: PacketTable, newIndex: Int32Array): { packets: PacketTable; chains: RowChains; rowMap: Int32Array } {
  const packets = new PacketTable();
  const chains = new RowChains();
  const rowMap = new Int32Array(old.count).fill(-1);
  for (let r = 0; r < old.count; r++) {
    const c = newIndex[old.conn(r)]!;
    if (c < 0) continue;
    const r2 = packets.push(old.ts(r), old.offset(r), old.frame(r), c, old.seq(r), old.ack(r), old.len(r), old.win(r), old.flags(r), old.mark(r));
    chains.add(r2, c);
    rowMap[r] = r2;
  }
  return { packets, chains, rowMap };
}

/** The final connections in the order they became final, and those marked to be dropped. */
export class KeepWindow {
  private queue: number[] = [];
  private head = 0;
  /** marked, not yet compacted away: connections and their packets */
  pendingConns = 0;
  pendingPackets = 0;

  constructor(readonly opts: KeepOptions) {}

  /** Connection c's record became final. */
  final(c: number): void {
    this.queue.push(c);
  }

  /**
   * Mark the connections past the window (`drop(c)` marks one and returns its packets); true when
   * enough are marked for a compaction to pay: `kept` connections and `keptPackets` held in all.
   */
  advance(now: number, lastOf: (c: number) => number, drop: (c: number) => number, kept: number, keptPackets: number): boolean {
    const { seconds, count } = this.opts;
    const q = this.queue;
    while (this.head < q.length) {
      const c = q[this.head]!;
      const over = (count !== undefined && q.length - this.head > count) || (seconds !== undefined && Number.isFinite(now) && lastOf(c) < now - seconds);
      if (!over) break;
      this.head++;
      this.pendingConns++;
      this.pendingPackets += drop(c);
    }
    if (this.head > 4096 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
    return this.pendingConns >= Math.max(1024, (kept - this.pendingConns) / 2) || this.pendingPackets >= Math.max(1 << 16, (keptPackets - this.pendingPackets) / 2);
  }

  /** After a compaction: the queue in the new numbering. */
  remap(newIndex: Int32Array): void {
    const q: number[] = [];
    for (let k = this.head; k < this.queue.length; k++) {
      const c = newIndex[this.queue[k]!]!;
      if (c >= 0) q.push(c);
    }
    this.queue = q;
    this.head = 0;
    this.pendingConns = 0;
    this.pendingPackets = 0;
  }
}

/** The last compactions' maps (old index -> new, -1 dropped), to follow a connection across several. */
export class RemapHistory {
  private maps: Int32Array[] = [];

  push(map: Int32Array): void {
    this.maps.push(map);
    if (this.maps.length > 8) this.maps.shift();
  }

  /** The map from generation `from`'s indices to generation `gen`'s (the current one); undefined when too old. */
  from(from: number, gen: number): Int32Array | undefined {
    const k = this.maps.length - (gen - from);
    if (from >= gen || k < 0) return undefined;
    const map = this.maps[k]!.slice();
    for (let j = k + 1; j < this.maps.length; j++) {
      const next = this.maps[j]!;
      for (let i = 0; i < map.length; i++) if (map[i]! >= 0) map[i] = next[map[i]!]!;
    }
    return map;
  }
}
