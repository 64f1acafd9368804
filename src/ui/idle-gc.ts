/**
 * Full garbage collections between the user's keys, once the heap has grown.
 *
 * Every repaint leaves garbage, and some of it lives long enough to be promoted (the screen's
 * rows and explanations, React's work); V8 lets its old generation grow to about twice what was
 * live before it collects. At 1 M connections that was +80 MB of V8 heap over a minute of
 * filters and timelines (bench:ui), the UI's memory peak. A full collection then costs ~15-30 ms,
 * so it is run where a key is unlikely to wait for it: after a pause in the keys (pauseMs) once
 * the heap has grown by pauseGrowth since the last one; and, if the keys never pause, shortly
 * after a key (afterKeyMs: its repaint is done by then, and a typist's next key is further off)
 * once it has grown by growth.
 */
import { getHeapStatistics } from 'node:v8';
import { collectGarbage } from '../flows/memory.js';

export interface IdleGcOptions {
  pauseMs: number;
  pauseGrowth: number;
  afterKeyMs: number;
  growth: number;
  /** bytes of heap in use */
  used: () => number;
  collect: () => void;
}

export const IDLE_GC: IdleGcOptions = {
  pauseMs: 500,
  pauseGrowth: 16 << 20,
  afterKeyMs: 30,
  growth: 32 << 20,
  used: () => getHeapStatistics().used_heap_size,
  collect: collectGarbage,
};

/** The function to call on every key. */
export function idleCollector(o: IdleGcOptions): () => void {
  let pause: NodeJS.Timeout | undefined;
  let soon: NodeJS.Timeout | undefined;
  /** heap in use after the last collection (until the first key: what is in use then) */
  let live = -1;
  const grown = (): number => o.used() - live;
  const collect = (): void => {
    clearTimeout(pause);
    clearTimeout(soon);
    pause = soon = undefined;
    o.collect();
    live = o.used();
  };
  return () => {
    if (live < 0) live = o.used();
    clearTimeout(pause);
    pause = setTimeout(() => (grown() >= o.pauseGrowth ? collect() : (pause = undefined)), o.pauseMs);
    pause.unref?.();
    if (!soon && grown() >= o.growth) {
      soon = setTimeout(collect, o.afterKeyMs);
      soon.unref?.();
    }
  };
}

/** A key came in (called by the key router). */
export const afterInput = idleCollector(IDLE_GC);
