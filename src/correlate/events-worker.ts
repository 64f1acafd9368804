/**
 * The events-by-connection worker (fw-verdicts.ts eventsByConn, run by events-job.ts): the index
 * of each connection's firewall events, made beside the main thread's log verdicts. At 10 M log
 * lines each takes ~0.5-0.9 s, one after the other before.
 */
import { parentPort } from 'node:worker_threads';
import { eventsByConn } from './fw-verdicts.js';
import type { EventsJob } from './events-job.js';
import type { FwTable } from '../flows/fw-table.js';
import type { Correlation } from './firewall.js';

const port = parentPort!;
port.once('message', (job: EventsJob) => {
  // (what eventsByConn reads of the table and the correlation: the events' times, and the
  // connection of each event)
  const table = { chunks: job.chunks, ts: (e: number) => job.chunks[e >>> 16]!.ts[e & 0xffff]! } as unknown as FwTable;
  const corr = { evConn: job.evConn, extra: new Map(job.extra) } as unknown as Correlation;
  const r = eventsByConn(table, corr, job.map, job.n, true);
  port.postMessage(r);
});
