/**
 * A row of the timeline. Packet rows keep numbers and references and make their texts when they
 * are drawn: a connection of 200 k packets opens without 200 k labels, notes and briefs built
 * (and held) of which a screen shows twenty.
 */
import { eventTag } from '../../read/vendors.js';
import { nflogTag } from '../../export/records.js';
import { MARK_RESP, flagLetters } from '../../model.js';
import { joinExplain, type ExplainParts } from '../../analysis/explain.js';
import type { ConnPackets } from '../../analysis/conn-packets.js';
import { SAY_FW } from '../../analysis/glossary.js';
import type { FwEvent } from '../../read/asa.js';
import type { NflogNote } from '../../flows/nflog-notes.js';
import { stripControls } from '../../text.js';

export interface LadderRow {
  kind: 'packet' | 'fw';
  /** packet index within the connection (packet rows), -1 for firewall rows */
  k: number;
  ts: number;
  fromResp: boolean;
  /** an anomaly points at this row (n/N stop here) */
  anomaly: boolean;
  /** the arrow's label / the firewall row's text */
  label: string;
  /** second line: the explanation, or the log line */
  note: string;
  /** what the time column shows instead of a delta (firewall rows: the log's own stamp) */
  when?: string;
  /** firewall rows: the side the event's packet came from, where the log says (an arrow is drawn) */
  dir?: 'orig' | 'resp';
  /** the one-line layout: the arrow's text (flags, length; a firewall row: its message) */
  arrow: string;
  /** the one-line layout: a few words beside the arrow (the explanation's first clause) */
  brief: string;
  /** TCP flags (packet rows; 0 for firewall rows) */
  flags: number;
  /** packet rows: the explanation in its parts, and what the note puts before it (deny, vantage, NFLOG) */
  parts?: ExplainParts;
  prefix?: string;
  /** packet rows: the anomalies this packet is evidence of (bits of ANOMALIES) */
  evidence?: number;
  /** packet rows: the capture it was read from and its frame number there */
  vantage?: string;
  frame?: number;
  /** firewall rows: where the log line is (`asa.log:29`) and its text, control characters stripped */
  where?: string;
  text?: string;
}

/** What the packet rows of one connection share. */
export interface PacketRowsOf {
  p: ConnPackets;
  rel: { seq: Uint32Array; ack: Uint32Array };
  parts: ExplainParts[];
}

const NO_PARTS: ExplainParts = { say: '', states: '', when: '', causes: '' };

/**
 * The first clause of an explanation (up to its first colon or semicolon): the few words the
 * one-line layout shows beside the arrow; the pane under the ladder has the rest.
 */
export function firstClause(say: string): string {
  const m = /[:;] /.exec(say);
  return m ? say.slice(0, m.index) : say;
}

export class PacketRow implements LadderRow {
  readonly kind = 'packet' as const;
  constructor(
    private readonly c: PacketRowsOf,
    readonly k: number,
    readonly anomaly: boolean,
    /** anomalies this packet is evidence of (bits of ANOMALIES) */
    readonly evidence: number,
    /** the firewall's deny of this packet */
    private readonly denied: FwEvent | undefined,
    /** its NFLOG group and prefix (an NFLOG capture) */
    private readonly nf: NflogNote | undefined,
    /** not seen at the other vantage(s) */
    private readonly missing: boolean,
    /** ... and seen nowhere else: labelled `[only here]` */
    private readonly onlyHere: boolean,
    readonly vantage: string | undefined,
    readonly frame: number | undefined,
  ) {}

  get ts(): number { return this.c.p.ts[this.k]!; }
  get fromResp(): boolean { return (this.c.p.mark[this.k]! & MARK_RESP) !== 0; }
  get flags(): number { return this.c.p.flags[this.k]!; }
  get parts(): ExplainParts { return this.c.parts[this.k] ?? NO_PARTS; }

  private get verdictWord(): string {
    return `${this.denied ? ' DENIED' : ''}${this.nf?.dropped ? ' DROPPED' : ''}`;
  }

  /** `DENIED by the firewall (106015): `, `not seen at the other capture: `, the NFLOG tag */
  get prefix(): string {
    const d = this.denied;
    let s = '';
    if (d) s = `DENIED by the firewall (${eventTag(d.vendor ?? 'ASA', d.msgid)}${d.reason ? ' ' + d.reason : ''}): `;
    if (this.missing) s = `not seen at the other capture: ${s}`;
    const nf = this.nf;
    // (an NFLOG capture: the rule's prefix says whether the firewall dropped the packet)
    if (nf) s = `${nflogTag(nf)}: ${nf.dropped ? `${SAY_FW.nflogDropped(this.fromResp ? 'client' : 'server')}: ` : ''}${s}`;
    return stripControls(s);
  }

  get label(): string {
    const { rel, p } = this.c;
    const k = this.k;
    const ack = rel.ack[k] ? ` ack=${rel.ack[k]}` : '';
    return `${flagLetters(p.flags[k]!) || '.'} seq=${rel.seq[k]}${ack} len=${p.len[k]}${this.verdictWord}${this.onlyHere ? ' [only here]' : ''}`;
  }

  get note(): string { return this.prefix + stripControls(joinExplain(this.parts)); }

  get arrow(): string {
    const len = this.c.p.len[this.k]!;
    return `${flagLetters(this.flags) || '.'}${len ? ` len=${len}` : ''}${this.verdictWord}`;
  }

  /** (without its subject: the arrow says who sends it) */
  get brief(): string { return stripControls(firstClause(this.parts.say).replace(/^(client|server) /, '')); }
}
