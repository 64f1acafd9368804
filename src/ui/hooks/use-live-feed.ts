/**
 * A live run's views for the UI: the latest one the engine published (a few a second), held while
 * `hold` is set (the display paused, or a screen other than the list open: the engine reads on),
 * and its figures for the status bar, which go on changing while held.
 */
import { useEffect, useState } from 'react';
import type { Dataset } from '../../flows/dataset.js';
import type { LiveStats } from '../../flows/live-session.js';
import { useLive } from './use-live.js';

/** What the UI reads of a live run (a LiveSession). */
export interface LiveFeed {
  view(): Dataset;
  stats(): LiveStats;
  /** called after every tick; returns the unsubscribe */
  subscribe(f: () => void): () => void;
  /** --keep is on (the status bar says how many were dropped) */
  readonly keeping?: boolean;
}

export function useLiveFeed(feed: LiveFeed | undefined, hold: boolean): { ds: Dataset | undefined; stats: LiveStats | undefined } {
  const [ds, setDs] = useState<Dataset | undefined>(() => feed?.view());
  const [stats, setStats] = useState<LiveStats | undefined>(() => feed?.stats());
  const holding = useLive(hold);
  useEffect(() => {
    if (!feed) return;
    return feed.subscribe(() => {
      setStats(feed.stats());
      if (!holding.current) setDs(feed.view());
    });
  }, [feed, holding]);
  // (on resume, the latest view at once)
  useEffect(() => {
    if (feed && !hold) setDs(feed.view());
  }, [feed, hold]);
  return { ds, stats };
}
