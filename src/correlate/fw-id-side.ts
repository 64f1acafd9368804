/**
 * The grouping's id side (fw-groups.ts): Built <-> Teardown by the firewall's connection id, and
 * notes <-> their connection by id. It makes the log's connection groups (G_CONN) and lists, in
 * event order, every Built and Teardown with its group (`Regs`), marked when a deny may name its
 * tuples, for the tuple side, which registers those and asks the local-host index about each. It
 * never reads a deny, nor writes a group's anomalies: the tuple side does, in another thread when
 * the log is large. (The local hosts moved there: the tuple side's thread waited for this one a
 * third of the time at 10 M lines.)
 */
import { K_BUILT, K_OTHER, K_TEARDOWN } from '../read/asa.js';
import { B_PROTO, connIdAt } from '../read/fw-chunk.js';
import { CHUNK_BITS, type FwTable } from '../flows/fw-table.js';
import { lazyBuffer } from '../flows/memory.js';
import { EventPairs, G_CONN, NOTE_SLACK, PROTO_TCP, RowTuples, type Groups } from './fw-groups.js';
import { IdHash, type TupleFilter } from './tuple-hash.js';

/**
 * The Builts and Teardowns for the tuple side, as (event, group), in event order, the group as ~g
 * (negative) when no deny of the log may name the row's tuples (TupleFilter): sized for
 * one a row the id side reads (pages never reached cost nothing), in shared memory for a worker.
 */
export class Regs {
  n = 0;
  readonly a: Int32Array;
  constructor(cap: number, shared = false, over?: Int32Array) {
    this.a = over ?? new Int32Array(lazyBuffer(8 * Math.max(1, cap), shared), 0, 2 * Math.max(1, cap));
  }
  push(e: number, g: number): void {
    this.a[2 * this.n] = e;
    this.a[2 * this.n++ + 1] = g;
  }
}

/** Where the id side tells how far it got, for the tuple side in another thread (fw-group-thread.ts). */
export const P_CHUNKS = 0;
export const P_REGS = 1;
/** the worker's state: running (0), done, failed */
export const P_STATE = 2;
export const S_DONE = 1;
export const S_FAILED = 2;
/** groups made */
export const P_GROUPS = 3;

export interface IdSideInput {
  table: Pick<FwTable, 'chunks' | 'ts' | 'duration'>;
  /** the filter of the tuples each log's denies name (none: the log has no deny) */
  filters: Map<number, TupleFilter>;
  /** logs with notes */
  notes: Set<number>;
}

export interface IdSideResult {
  /** a Built logged again while its connection was open, and the notes, as (event, group) */
  pairs: EventPairs;
}

/**
 * The id side over every chunk in order, into `groups` and `regs`; it yields the events passed
 * after each chunk, and (`progress`) stores the chunks passed and the registrations made, in that
 * order, after each.
 */
export function* idSideSteps(inp: IdSideInput, groups: Groups, regs: Regs, progress?: Int32Array): Generator<number, IdSideResult, void> {
  const { table } = inp;
  const rt = new RowTuples();
  const pairs = new EventPairs(0);
  let log = -1;
  let byId = new IdHash();
  let filter: TupleFilter | undefined;
  // notes: those waiting for their connection, by id, and the last ended connection of each id
  let notes = false;
  let pending = new Map<number, number[]>();
  let ended = new Map<number, number>();
  const spans = (g: number, e: number): boolean => {
    const bt = groups.built(g), td = groups.teardown(g), t = table.ts(e);
    const start = bt >= 0 ? table.ts(bt) : table.ts(td) - (Number.isFinite(table.duration(td)) ? table.duration(td) : 0);
    return t >= start - NOTE_SLACK && (td < 0 || t <= table.ts(td) + NOTE_SLACK);
  };

  let passed = 0;
  yield passed;
  const chunks = table.chunks;
  for (let ci = 0; ci < chunks.length; ci++) {
    const c = chunks[ci]!;
    if (ci > 0) yield passed;
    passed += c.n;
    if (c.log !== log) {
      // a firewall's connection ids are its own: each log starts afresh
      log = c.log;
      byId = new IdHash();
      notes = inp.notes.has(log);
      pending = new Map();
      ended = new Map();
      filter = inp.filters.get(log);
    }
    for (let r = 0; r < c.n; r++) {
      const kind = c.kind[r]!;
      if ((kind !== K_BUILT && kind !== K_TEARDOWN && kind !== K_OTHER) || ((c.bits[r]! >> B_PROTO) & 3) !== PROTO_TCP) continue;
      const e = (ci << CHUNK_BITS) | r;
      if (kind !== K_OTHER) {
        const id = connIdAt(c, r);
        if (Number.isNaN(id) || !rt.of(c, r)) continue;
        const t = c.ts[r]!;
        let g = byId.get(id);
        if (g < 0) {
          g = groups.add(G_CONN, e, t);
          if (kind === K_BUILT) byId.set(id, g);
        } else if (kind === K_TEARDOWN) byId.delete(id);
        if (kind === K_BUILT) {
          // (a Built again while the connection is open: the group keeps the last, the earlier is one of its events)
          const was = groups.built(g);
          if (was >= 0) pairs.push(was, g);
          groups.setBuilt(g, e);
        } else groups.setTeardown(g, e);
        groups.span(g, t);
        regs.push(e, filter && rt.anyIn(filter) ? g : ~g);
        if (notes) {
          if (kind === K_TEARDOWN) ended.set(id, g);
          const waiting = pending.get(id);
          if (waiting) {
            pending.delete(id);
            for (const x of waiting) if (spans(g, x)) pairs.push(x, g);
          }
        }
      } else {
        const id = connIdAt(c, r);
        if (!notes || Number.isNaN(id)) continue;
        let g = byId.get(id);
        if (g < 0) {
          const h = ended.get(id);
          if (h !== undefined && spans(h, e)) g = h;
        }
        if (g >= 0) pairs.push(e, g);
        else (pending.get(id) ?? pending.set(id, []).get(id)!).push(e);
      }
    }
    if (progress) {
      Atomics.store(progress, P_REGS, regs.n);
      Atomics.store(progress, P_GROUPS, groups.n);
      Atomics.store(progress, P_CHUNKS, ci + 1);
      Atomics.notify(progress, P_CHUNKS);
    }
  }
  return { pairs };
}
