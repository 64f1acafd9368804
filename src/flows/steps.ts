/**
 * Long computations as steps: a generator that yields how far it got (a count) and returns its
 * result (correlate/fw-group-thread.ts groupEventSteps, the grouping of a log's events). Run at once
 * (finish), reporting now and then (stepsReporting: a terminal's progress line), or handing the
 * event loop a turn now and then (stepsYielding: the UI's keys and progress bar).
 */

/** Run steps to their end: their result. */
export function finish<T>(steps: Generator<unknown, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/**
 * Run steps (a generator of progress counts) to their end, reporting the count and handing the
 * event loop a turn once every `everyMs` of work.
 */
export async function stepsYielding<T>(steps: Generator<number, T, void>, everyMs: number, report?: (done: number) => void): Promise<T> {
  let until = performance.now() + everyMs;
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
    if (performance.now() < until) continue;
    report?.(r.value);
    await new Promise<void>((resolve) => setImmediate(resolve));
    until = performance.now() + everyMs;
  }
}

/** The same without a turn of the event loop: the report alone (a terminal's progress line is written at once). */
export function stepsReporting<T>(steps: Generator<number, T, void>, everyMs: number, report: (done: number) => void): T {
  let until = performance.now() + everyMs;
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
    if (performance.now() < until) continue;
    report(r.value);
    until = performance.now() + everyMs;
  }
}
