/**
 * Headless live: `rsttui flows --follow FILE` (and, wired by the capture sources, `-i IFACE`).
 * Each connection's NDJSON record (the fields of `flows --format ndjson`) is written when the
 * connection is over, one line at a time, straight to the output: `| jq` and a log shipper get
 * each as it is made. `-c COUNT` stops after COUNT records, `--duration SECONDS` after that much
 * wall time; when the input ends or the run is stopped (duration, signal), the connections still
 * held are written as they stand, and the summary goes to stderr.
 */
import './out.js'; // (a closed stdout pipe ends the program quietly)
import { formatIssue } from '../model.js';
import { flowRecord } from '../export/records.js';
import { LiveSession, type LiveInputs, type LiveSessionOptions } from '../flows/live-session.js';
import { everyRow } from '../flows/live-view.js';
import { stripControls } from '../text.js';
import { summarize } from '../analysis/summary.js';
import { summaryLines } from './summary.js';

export interface LiveFlowsOptions extends LiveSessionOptions {
  /** -c: stop after this many records */
  count?: number;
  /** --duration: stop after this many seconds (wall clock) */
  duration?: number;
}

export interface LiveFlowsResult {
  records: number;
  /** why it stopped: the inputs ended, -c, --duration, or the signal */
  reason: 'end' | 'count' | 'duration' | 'signal';
  /** 1 when an input could not be used at all */
  status: number;
}

/**
 * Run live until the inputs end, COUNT records, DURATION seconds or `inputs.signal`: records to
 * `out` as connections end, issues and the summary to `err`. The caller ends its capture process
 * once this returns.
 */
export async function runLiveFlows(opts: LiveFlowsOptions, inputs: LiveInputs, out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr, onSession?: (s: LiveSession) => void): Promise<LiveFlowsResult> {
  let records = 0;
  let reason = 'end' as LiveFlowsResult['reason'];
  let stop: (() => void) | undefined;
  const stopped = new Promise<void>((r) => { stop = r; });
  let issuesSeen = 0;
  const session = new LiveSession(opts, inputs, {
    onFinal: (ds, i) => {
      if (opts.count !== undefined && records >= opts.count) return;
      out.write(JSON.stringify({ ...flowRecord(ds, i), id: session.idOf(i) }) + '\n');
      records++;
      if (opts.count !== undefined && records >= opts.count) {
        reason = 'count';
        stop!();
      }
    },
    onTick: () => {
      // issues as they come (a damaged record, an unreadable log line)
      const is = session.engine.issues;
      for (; issuesSeen < is.length; issuesSeen++) err.write(stripControls(formatIssue(is[issuesSeen]!)) + '\n');
    },
  });
  onSession?.(session);
  const timer = opts.duration !== undefined ? setTimeout(() => { reason = 'duration'; stop!(); }, opts.duration * 1000) : undefined;
  const onAbort = (): void => { reason = 'signal'; stop!(); };
  inputs.signal?.addEventListener('abort', onAbort);
  if (inputs.signal?.aborted) onAbort();
  const ended = session.start();
  await Promise.race([ended, stopped]);
  if (timer) clearTimeout(timer);
  inputs.signal?.removeEventListener('abort', onAbort);
  // (-c: exactly COUNT records; otherwise what is left is written as it stands)
  session.stop(reason !== 'count');
  const is = session.engine.issues;
  for (; issuesSeen < is.length; issuesSeen++) err.write(stripControls(formatIssue(is[issuesSeen]!)) + '\n');
  const ds = session.view();
  const s = session.stats();
  err.write(`live: ${records} records written, ${s.packets} packets, ${s.conns} connections held, ${s.droppedConns} dropped by --keep` +
    `${s.captureDropped !== undefined ? `, ${s.captureDropped} dropped by the capture` : ''}${s.late ? `, ${s.late} packets after their record` : ''}\n`);
  for (const l of summaryLines(summarize(ds, everyRow(ds)))) err.write(l + '\n');
  return { records, reason, status: is.some((i) => i.fatal) ? 1 : 0 };
}
