/**
 * The cells of `rsttui flows`'s table, read straight from the connection and event columns: the
 * table of a 10 M-line log is 3.4 M rows, and a record object a row (with every event's line read
 * back from the log for a text the table does not show) took 16 s. The words a row repeats (its
 * second's date and time, its anomaly set, its vantages, an event's tag and reason) are made once.
 */
import { CONN_STATES, CLOSED_BY, NO_CONN_STATE, TEARDOWNS, anomalyNames } from '../model.js';
import { endpoint, roundUs, vantageNames } from '../export/records.js';
import { S_REASON, STR_SLOTS } from '../read/fw-chunk.js';
import { eventTag } from '../read/vendors.js';
import { VENDORS } from '../read/syslog-envelope.js';
import type { Dataset } from '../flows/dataset.js';
import { stripControls } from '../text.js';
import { IsoUsClock } from './table.js';

export const FLOW_HEADER = ['id', 'orig', 'resp', 'start (UTC)', 'dur s', 'pkts', 'bytes', 'state', 'history', 'teardown', 'closed', 'anomalies', 'vantages', 'firewall'];
/** the columns padded on the left */
export const FLOW_RIGHT = new Set([0, 4, 5, 6]);

export class FlowCells {
  private readonly clock = new IsoUsClock();
  private readonly anomalies = new Map<number, string>();
  private readonly vantages = new Map<number, string>();
  private readonly tags = new Map<number, string>();

  constructor(private readonly ds: Dataset) {}

  /** Connection i's row. */
  cells(i: number): string[] {
    const ds = this.ds, c = ds.conns;
    return [
      String(this.id(i)),
      endpoint(ds.addrs.text(c.origAddr[i]!), c.origPort[i]!), endpoint(ds.addrs.text(c.respAddr[i]!), c.respPort[i]!),
      this.startText(roundUs(c.firstTs[i]!)), this.durationText(i),
      String(c.origPkts[i]! + c.respPkts[i]!), String(c.origBytes[i]! + c.respBytes[i]!),
      this.stateText(i), this.historyText(i), this.teardownText(i), this.closedText(i),
      this.anomalyText(c.anomalies[i]!), this.vantageText(ds.vantageMask(i)), this.firewallText(i),
    ];
  }

  // (the cells both writers take as they are: here and flow-table-bytes.ts)
  id(i: number): number { return this.ds.live ? this.ds.live.idOf(i) : i + 1; }
  durationText(i: number): string { return roundUs(this.ds.conns.lastTs[i]! - this.ds.conns.firstTs[i]!).toFixed(6); }
  stateText(i: number): string {
    const s = this.ds.conns.connState[i]!;
    return s === NO_CONN_STATE ? '-' : CONN_STATES[s] ?? 'OTH';
  }
  historyText(i: number): string { return this.ds.conns.connState[i] === NO_CONN_STATE ? '-' : this.ds.conns.histories[i] ?? ''; }
  teardownText(i: number): string { return TEARDOWNS[this.ds.conns.teardown[i]!] ?? 'open'; }
  closedText(i: number): string { return CLOSED_BY[this.ds.conns.closedBy[i]!] ?? 'none'; }

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
    if (t === undefined) this.vantages.set(mask, (t = vantageNames(this.ds, mask).join(',')));
    return t;
  }

  /** The events in a few words: message ids, with the teardown reason (`302014(TCP FINs)`). */
  firewallText(i: number): string {
    const evs = this.ds.fwEvents(i), fw = this.ds.fw;
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
