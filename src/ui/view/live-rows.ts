/**
 * The connection list over a live run: each new view (a few a second) is taken in by the rows it
 * added and the rows it changed (Dataset.live), not by going over every row again: the filter's
 * derived columns, the list of all rows, which rows match the filter, and the marks grow and are
 * brought up to date there. A view that does not follow the last one taken (the display was paused,
 * or a screen other than the list was open) or comes from compacted tables (--keep) is taken whole.
 */
import type { Dataset } from '../../flows/dataset.js';
import { datasetTarget, deriveRows, type DerivedColumns } from '../../flows/filter-target.js';
import { compileFilter, type FilterTarget, type RowTest } from '../../filter/index.js';

export interface LiveRows {
  seq: number;
  gen: number;
  count: number;
  derived: DerivedColumns;
  /** 0, 1, 2, ... (the first `count` are the list without a filter) */
  all: Uint32Array;
  /** the filter the membership is for, and its test */
  filter: string;
  test: RowTest | undefined;
  fuzzy: boolean;
  /** 1: row i matches the filter */
  match: Uint8Array;
  marks: Uint8Array;
  markCount: number;
  /** the view the state was last brought to */
  view: Dataset | undefined;
  /** the membership must be computed whole (a view was taken whole since) */
  whole: boolean;
  /** rows the membership is up to date for */
  matched: number;
  /** the older rows the last view changed (when it followed the one before) */
  changedRows: Uint32Array | undefined;
}

export function newLiveRows(): LiveRows {
  return {
    seq: -1, gen: -1, count: 0, derived: { packets: new Uint32Array(0), bytes: new Float64Array(0), duration: new Float64Array(0) },
    all: new Uint32Array(0), filter: '', test: undefined, fuzzy: false, match: new Uint8Array(0), marks: new Uint8Array(0), markCount: 0,
    view: undefined, whole: true, matched: 0, changedRows: undefined,
  };
}

function grown<T extends Uint8Array | Uint32Array | Float64Array>(a: T, n: number): T {
  if (a.length >= n) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2, 1024));
  b.set(a);
  return b;
}

/** Bring the state to view `ds` (once per view); returns the filter target over it. */
export function takeView(st: LiveRows, ds: Dataset): FilterTarget {
  if (st.view === ds) return datasetTarget(ds, st.derived);
  const live = ds.live;
  const n = ds.conns.count;
  const follows = live !== undefined && live.gen === st.gen && live.seq === st.seq + 1 && live.from === st.count && n >= st.count;
  // (a compaction since: marks follow their connections, when it is the one just before this view)
  if (live && live.gen !== st.gen && st.gen >= 0) remapMarks(st, live.remapFrom?.(st.gen));
  const d = st.derived;
  st.derived = { packets: grown(d.packets, n), bytes: grown(d.bytes, n), duration: grown(d.duration, n) };
  st.all = grown(st.all, n);
  for (let i = st.count < n && follows ? st.count : 0; i < n; i++) st.all[i] = i;
  if (follows) deriveRows(ds, st.derived, st.count, n, live!.changed);
  else deriveRows(ds, st.derived, 0, n);
  st.marks = grown(st.marks, n);
  if (!follows) st.whole = true;
  st.seq = live?.seq ?? -1;
  st.gen = live?.gen ?? -1;
  st.count = n;
  st.view = ds;
  // (the membership is brought up to date by `shown`, which knows the filter)
  st.changedRows = follows ? live!.changed : undefined;
  return datasetTarget(ds, st.derived);
}

/** Marks follow their connections into compacted tables (dropped ones are gone). */
function remapMarks(st: LiveRows, remap: Int32Array | undefined): void {
  const old = st.marks;
  st.marks = new Uint8Array(old.length);
  st.markCount = 0;
  if (!remap) return;
  for (let i = 0; i < Math.min(old.length, remap.length); i++) {
    if (old[i] && remap[i]! >= 0) {
      st.marks[remap[i]!] = 1;
      st.markCount++;
    }
  }
}

/**
 * The rows the list shows for filter `text` (already known to compile, '' for none), in id order:
 * the new rows and the changed ones tested, the others as they were; all of them when the filter
 * or the view's continuity changed.
 */
export function shownRows(st: LiveRows, target: FilterTarget, text: string): Uint32Array {
  const n = st.count;
  const empty = text.trim() === '';
  // (live on several interfaces: a connection merged into its row at another vantage is not a row)
  const hidden = st.view?.live?.hidden;
  if (empty && !hidden) {
    st.filter = '';
    st.test = undefined;
    return st.all.subarray(0, n);
  }
  const again = text !== st.filter || st.whole || (!empty && st.test === undefined);
  if (empty) {
    st.test = undefined;
    st.fuzzy = false;
  } else if (again || !st.fuzzy) {
    // (a fuzzy word search ranks every row once: it is kept as it was, and new rows do not match it)
    const c = compileFilter(text, target);
    if (!c.ok) return st.all.subarray(0, 0);
    st.test = c.test;
    st.fuzzy = c.fuzzy;
  }
  const f = st.test;
  const test = !hidden ? f! : f ? (i: number) => !hidden(i) && f(i) : (i: number) => !hidden(i);
  st.match = grown(st.match, n);
  const m = st.match;
  const from = again ? 0 : st.matched;
  for (let i = from; i < n; i++) m[i] = test(i) ? 1 : 0;
  if (!again && st.changedRows) for (const i of st.changedRows) if (i < from) m[i] = test(i) ? 1 : 0;
  st.matched = n;
  st.filter = text;
  st.whole = false;
  let k = 0;
  for (let i = 0; i < n; i++) k += m[i]!;
  const out = new Uint32Array(k);
  for (let i = 0, j = 0; i < n; i++) if (m[i]) out[j++] = i;
  return out;
}

