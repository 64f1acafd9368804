/**
 * eventsByConn (fw-verdicts.ts) on a worker of its own for a large log, while the main thread
 * sets the log's verdicts (applyLogVerdicts), which do not read its index: the two took ~1.4 s
 * one after the other at 10 M log lines. The worker is started before the matching, so that its
 * start-up is over by then; it reads the events' connections (made in shared memory for it by
 * fw-groups.ts) and times (shared where the log workers made them) and writes the index into
 * shared memory.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FwTable } from '../flows/fw-table.js';
import type { Correlation } from './firewall.js';
import { eventsByConn } from './fw-verdicts.js';
import { EVENTS_WORKER_MIN } from './fw-groups.js';

/** What the worker is sent (structured-cloneable; the arrays in shared memory where they are already). */
export interface EventsJob {
  /** each chunk's rows and their times */
  chunks: { n: number; ts: Float64Array }[];
  evConn: Int32Array[];
  extra: [number, number[]][];
  map: Uint32Array;
  n: number;
}


const URL_ = new URL('./events-worker.js', import.meta.url);
// (run from the TypeScript sources there is no compiled worker)
const built = existsSync(fileURLToPath(URL_));

export class EventsWorker {
  private constructor(private readonly worker: Worker) {}

  /** Started now (before the matching) where a log this large pays for it, in a worker mode (workers.ts). */
  static start(events: number, mode: 'auto' | 'always' | 'never'): EventsWorker | undefined {
    if (!built || mode === 'never' || (mode === 'auto' && events < EVENTS_WORKER_MIN)) return undefined;
    try {
      const w = new Worker(URL_);
      // (it must not keep the process alive should the load fail before it is used: run refs it)
      w.unref();
      return new EventsWorker(w);
    } catch {
      return undefined;
    }
  }

  /**
   * The index, made by the worker (shared memory) while the caller goes on; made here instead if
   * the worker fails. The correlation's evConn must stay as it is until this resolves.
   */
  run(table: FwTable, corr: Correlation, map: Uint32Array, n: number): Promise<{ start: Uint32Array; events: Uint32Array }> {
    const w = this.worker;
    const here = (): { start: Uint32Array; events: Uint32Array } => eventsByConn(table, corr, map, n, true);
    // (awaited: the worker keeps the process alive till it answers)
    w.ref();
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: { start: Uint32Array; events: Uint32Array } | undefined): void => {
        if (done) return;
        done = true;
        void w.terminate();
        resolve(r ?? here());
      };
      w.once('message', (r: { start: Uint32Array; events: Uint32Array }) => finish(r));
      w.once('error', () => finish(undefined));
      w.once('exit', () => finish(undefined));
      try {
        const job: EventsJob = { chunks: table.chunks.map((c) => ({ n: c.n, ts: c.ts })), evConn: corr.evConn, extra: [...corr.extra], map, n };
        w.postMessage(job);
      } catch {
        finish(undefined);
      }
    });
  }

  /** Not needed after all. */
  stop(): void {
    void this.worker.terminate();
  }
}
