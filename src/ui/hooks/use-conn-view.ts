/**
 * What the connection list shows: the filter (draft in the bar, last good one applied), the
 * filtered indices, their sort order, and the marked rows. Index arrays are Uint32Arrays built
 * when the filter or sort changes; a key press that only moves the cursor touches none of this.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Dataset } from '../../flows/dataset.js';
import { datasetTarget } from '../../flows/filter-target.js';
import { compileFilter, formatFilterError, matchingRows, type FilterTarget } from '../../filter/index.js';
import { allIndices, knownWords, mayBeFuzzy } from '../view/filter-edit.js';
import { nextSortKey, sortIndices, type SortKey } from '../view/list.js';
import { newLiveRows, shownRows, takeView, type LiveRows } from '../view/live-rows.js';

/** fuse.js costs ~270 ms per query at 100 k rows: wait for a pause in typing first */
export const FUZZY_DEBOUNCE_MS = 150;
/**
 * Above this many connections a fuzzy search (seconds at 1 M rows, measured by bench/ui.ts) runs
 * only when the user presses Enter: word prefixes typed on the way to a field name ("ip", "ip.")
 * are bare words too, and a pause in typing must never freeze the screen.
 */
export const FUZZY_LIVE_MAX_ROWS = 50_000;

export interface ConnView {
  target: FilterTarget | undefined;
  /** the text in the filter bar */
  draft: string;
  /** the filter in force (the last one that compiled) */
  applied: string;
  /** why the draft does not compile (the applied filter stays) */
  error: string | undefined;
  /** a fuzzy search is waiting for the typing to pause */
  pending: boolean;
  /** shown connections, in sort order */
  order: Uint32Array;
  total: number;
  sort: SortKey;
  reverse: boolean;
  marks: Uint8Array;
  markCount: number;
  setFilter(text: string, now?: boolean): void;
  cycleSort(): void;
  reverseSort(): void;
  toggleMark(i: number): void;
  /** what an export writes: the marked rows, else the shown ones */
  exportIndices(): Uint32Array;
}

const EMPTY = new Uint32Array(0);

export function useConnView(ds: Dataset | undefined): ConnView {
  // a live run's views are taken in by what each one changed (live-rows.ts)
  const liveRows = useRef<LiveRows>(newLiveRows());
  const target = useMemo(() => (ds ? (ds.live ? takeView(liveRows.current, ds) : datasetTarget(ds)) : undefined), [ds]);
  const known = useMemo(() => knownWords(target), [target]);
  const [draft, setDraft] = useState('');
  const [applied, setApplied] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [pending, setPending] = useState(false);
  // every connection until a filter applies: derived, not set by an effect, so the rows are
  // there in the same render as the dataset
  const all = useMemo(() => (ds && !ds.live ? allIndices(ds.conns.count) : EMPTY), [ds]);
  const [filtered, setShown] = useState<Uint32Array | undefined>(undefined);
  const shown = filtered ?? all;
  const [sort, setSort] = useState<SortKey>('id');
  const [reverse, setReverse] = useState(false);
  const [markCountState, setMarkCount] = useState(0);
  const marks = useMemo(() => (ds?.live ? liveRows.current.marks : new Uint8Array(ds?.conns.count ?? 0)), [ds]);
  const markCount = ds?.live ? liveRows.current.markCount : markCountState;
  const timer = useRef<NodeJS.Timeout | undefined>(undefined);
  // Filter results go into two arrays of a row per connection, used in turn: the one on screen
  // is never the one being written. A fresh array a keystroke (up to 4 MB at 1 M rows) lived
  // until the next one, and those promoted waited for a full collection: typing five filters at
  // 1 M connections peaked with 11 MB more array buffers and 12 MB more RSS (measured).
  const results = useRef<{ bufs: Uint32Array[]; turn: number }>({ bufs: [], turn: 0 });

  const run = useCallback(
    (text: string) => {
      if (!target) return;
      setPending(false);
      if (text.trim() === '') {
        setShown(undefined);
        setApplied('');
        setError(undefined);
        return;
      }
      const c = compileFilter(text, target);
      if (!c.ok) {
        setError(formatFilterError(c.error));
        return;
      }
      setError(undefined);
      setApplied(text);
      if (ds?.live) return; // (the shown rows follow from the filter applied: liveShown below)
      const r = results.current;
      if ((r.bufs[0]?.length ?? -1) < target.count) r.bufs = [new Uint32Array(target.count), new Uint32Array(target.count)];
      r.turn ^= 1;
      setShown(matchingRows(target.count, c.test, r.bufs[r.turn]));
    },
    [target, ds],
  );

  const setFilter = useCallback(
    (text: string, now = false) => {
      setDraft(text);
      if (timer.current) clearTimeout(timer.current);
      timer.current = undefined;
      if (!now && mayBeFuzzy(text, known)) {
        setPending(true);
        if ((target?.count ?? 0) <= FUZZY_LIVE_MAX_ROWS) timer.current = setTimeout(() => run(text), FUZZY_DEBOUNCE_MS);
        return;
      }
      run(text);
    },
    [known, run, target],
  );

  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
  // a filter typed while loading applies when the data arrives
  useEffect(() => {
    if (target && draft.trim() !== '' && !ds?.live) run(draft);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [target]);
  // live: the filter applied to each view's new and changed rows
  const liveShown = useMemo(() => (ds?.live && target ? shownRows(liveRows.current, target, applied) : undefined), [target, applied, ds]);
  const shownNow = liveShown ?? shown;

  const order = useMemo(() => (ds ? sortIndices(ds, shownNow, sort, reverse) : EMPTY), [ds, shownNow, sort, reverse]);

  return {
    target,
    draft,
    applied,
    error,
    pending,
    order,
    total: ds?.conns.count ?? 0,
    sort,
    reverse,
    marks,
    markCount,
    setFilter,
    cycleSort: () => setSort((s) => nextSortKey(s)),
    reverseSort: () => setReverse((r) => !r),
    toggleMark: (i: number) => {
      if (i < 0 || i >= marks.length) return;
      marks[i] = marks[i] ? 0 : 1;
      if (ds?.live) liveRows.current.markCount += marks[i] ? 1 : -1;
      setMarkCount((n) => n + (marks[i] ? 1 : -1));
    },
    exportIndices: () => {
      // (a copy: the shown rows may be in a result array that a later filter writes over)
      if (markCount === 0) return order.slice();
      const out: number[] = [];
      for (let i = 0; i < marks.length; i++) if (marks[i]) out.push(i);
      return Uint32Array.from(out);
    },
  };
}
