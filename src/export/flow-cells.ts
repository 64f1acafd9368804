/**
 * The cells of `rsttui flows`'s table, read straight from the connection and event columns: the
 * table of a 10 M-line log is 3.4 M rows, and a record object a row (with every event's line read
 * back from the log for a text the table does not show) took 16 s. The words a row repeats (its
 * second's date and time, its anomaly set, its vantages, an event's tag and reason) are made once.
 */
import { CONN_STATES, CLOSED_BY, NO_CONN_STATE, TEARDOWNS, anomalyNames } from '../model.js';
import { endpoint, roundUs } from './records.js';
import { datasetFlows, hostText, type FlowSource } from './flow-bytes.js';
import { S_REASON, STR_SLOTS } from '../read/fw-chunk.js';
import { eventTag } from '../read/vendors.js';
import { VENDORS } from '../read/syslog-envelope.js';
import type { Dataset } from '../flows/dataset.js';
import type { FwTable } from '../flows/fw-table.js';
import { stripControls } from '../text.js';
import { IsoUsClock } from './iso-time.js';

export const FLOW_HEADER = ['id', 'orig', 'resp', 'start (UTC)', 'dur s', 'pkts', 'bytes', 'state', 'history', 'teardown', 'closed', 'anomalies', 'vantages', 'firewall'];
/** the columns padded on the left */
export const FLOW_RIGHT = new Set([0, 4, 5, 6]);

/**
 * What the cells are read from: a dataset's (datasetCells), or the flow-lines worker's shared
 * columns and event chunks (flow-lines-worker.ts), which write the rows after the first ones on
 * both threads.
 */
export interface CellSource {
  /** the connection columns, histories, addresses and vantage names */
  flows: FlowSource;
  /** connection i's firewall events (indices into `fw`) */
  fwEvents(i: number): Uint32Array;
  fw: Pick<FwTable, 'chunk' | 'strings'>;
  /** the id connection i is known by */
  idOf(i: number): number;
}

/** A dataset's cells. */
export function datasetCells(ds: Dataset): CellSource {
  return { flows: datasetFlows(ds, false), fwEvents: (i) => ds.fwEvents(i), fw: ds.fw, idOf: (i) => (ds.live ? ds.live.idOf(i) : i + 1) };
}

export class FlowCells {
  private readonly clock = new IsoUsClock();
  private readonly anomalies = new Map<number, string>();
  private readonly vantages = new Map<number, string>();
  private readonly tags = new Map<number, string>();
  readonly flows: FlowSource;

  constructor(private readonly src: CellSource) {
    this.flows = src.flows;
  }

  /** Connection i's row. */
  cells(i: number): string[] {
    const c = this.flows;
    return [
      String(this.id(i)),
      endpoint(hostText(c, c.origAddr[i]!), c.origPort[i]!), endpoint(hostText(c, c.respAddr[i]!), c.respPort[i]!),
      this.startText(roundUs(c.firstTs[i]!)), this.durationText(i),
      String(this.pkts(i)), String(this.bytes(i)),
      this.stateText(i), this.historyText(i), this.teardownText(i), this.closedText(i),
      this.anomalyText(c.anomalies[i]!), this.vantageText(c.vantageMask[i]!), this.firewallText(i),
    ];
  }

  // (the cells both writers take as they are: here and flow-table-bytes.ts)
  id(i: number): number { return this.src.idOf(i); }
  /** packets and bytes, both sides (a log alone has none: its packet columns are not read, see FlowSource.noPackets) */
  pkts(i: number): number { return this.flows.noPackets ? 0 : this.flows.origPkts[i]! + this.flows.respPkts[i]!; }
  bytes(i: number): number { return this.flows.noPackets ? 0 : this.flows.origBytes[i]! + this.flows.respBytes[i]!; }
  durationText(i: number): string { return roundUs(this.flows.lastTs[i]! - this.flows.firstTs[i]!).toFixed(6); }
  stateText(i: number): string {
    const s = this.flows.connState[i]!;
    return s === NO_CONN_STATE ? '-' : CONN_STATES[s] ?? 'OTH';
  }
  historyText(i: number): string { return this.flows.connState[i] === NO_CONN_STATE ? '-' : this.flows.history(i); }
  teardownText(i: number): string { return TEARDOWNS[this.flows.teardown[i]!] ?? 'open'; }
  closedText(i: number): string { return CLOSED_BY[this.flows.closedBy[i]!] ?? 'none'; }

  /** isoUs(ts) (rows come in time order: IsoUsClock) */
  startText(ts: number): string {
    return this.clock.format(ts);
  }

  anomalyText(mask: number): string {
    let t = this.anomalies.get(mask);
    if (t === undefined) this.anomalies.set(mask, (t = anomalyNames(mask).join(',')));
    return t;
  }

  vantageText(mask: number): string {
    let t = this.vantages.get(mask);
    if (t === undefined) this.vantages.set(mask, (t = this.flows.vantageNames(mask).join(',')));
    return t;
  }

  /** The events in a few words: message ids, with the teardown reason (`302014(TCP FINs)`). */
  firewallText(i: number): string {
    const evs = this.src.fwEvents(i), fw = this.src.fw;
    let out = '';
    for (let k = 0; k < evs.length; k++) {
      const e = evs[k]!, ch = fw.chunk(e), r = e & 0xffff;
      const msgid = ch.msgid[r]!, reason = ch.str[r * STR_SLOTS + S_REASON]!, vendor = ch.vendor[r]!;
      // (one key for the three: a message id below 2^31, a pool id below 2^16, a vendor below 64)
      const key = msgid < 2 ** 31 && msgid >= 0 ? (msgid * 65536 + reason) * 64 + vendor : -1;
      let t = key >= 0 ? this.tags.get(key) : undefined;
      if (t === undefined) {
        const tag = eventTag(VENDORS[vendor] ?? 'ASA', msgid), why = reason ? fw.strings[reason] : undefined;
        t = why ? `${tag}(${stripControls(why)})` : tag;
        if (key >= 0) this.tags.set(key, t);
      }
      out += k ? ',' + t : t;
    }
    return out;
  }
}
