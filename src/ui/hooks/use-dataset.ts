/**
 * Loading with progress. The loader runs in this thread (the engine awaits between chunks and
 * between the reader worker's batches, so keys are answered); progress reaches React at most 10
 * times a second.
 */
import { useEffect, useRef, useState } from 'react';
import type { Dataset } from '../../flows/dataset.js';
import type { LoadProgress } from '../../flows/ingest.js';

export type Loader = (onProgress: (p: LoadProgress) => void) => Promise<Dataset>;

export interface LoadState {
  ds: Dataset | undefined;
  progress: LoadProgress | undefined;
  /** ms since the load began (for packets/s) */
  elapsed: number;
  error: string | undefined;
  done: boolean;
}

/** (no loader: nothing to load, a live run's views come another way) */
export function useDataset(load: Loader | undefined): LoadState {
  const [st, setSt] = useState<LoadState>({ ds: undefined, progress: undefined, elapsed: 0, error: undefined, done: false });
  const last = useRef(0);
  useEffect(() => {
    if (!load) return;
    let live = true;
    const t0 = Date.now();
    load((p) => {
      const now = Date.now();
      if (now - last.current < 100) return;
      last.current = now;
      if (live) setSt((s) => ({ ...s, progress: p, elapsed: now - t0 }));
    }).then(
      (ds) => { if (live) setSt((s) => ({ ...s, ds, done: true, elapsed: Date.now() - t0 })); },
      (e: unknown) => { if (live) setSt((s) => ({ ...s, error: e instanceof Error ? e.message : String(e), done: true })); },
    );
    return () => {
      live = false;
    };
  }, [load]);
  return st;
}
