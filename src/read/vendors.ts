/**
 * Firewalls other than the `%ASA-` family: one reader file per vendor format, each turning its
 * lines into the same events as the ASA reader (session start = 'built', session end with a reason
 * = 'teardown', denied by policy = 'deny', denied packet of no session = 'deny-no-conn', NAT), so
 * that the store (fw-chunk.ts), the joins (src/correlate) and the verdicts are the same for all.
 *
 * A reader is sniffed by content: `tag` finds its marker in a line whatever syslog envelope is
 * around it (RFC 3164, RFC 5424, a relay's prefix, or none); the text before the message is read
 * as its header by syslog-envelope.ts's headerBefore, by the same rules as the ASA's.
 */
import type { AsaFields } from './asa.js';
import type { ReasonClass } from './asa-reasons.js';
import { isCisco, type Stamp, type Vendor } from './syslog-envelope.js';
import { PANOS_READER } from './panos.js';
import { FORTIGATE } from './fortigate.js';
import { srxReader } from './srx.js';
import { NETFILTER_READER } from './netfilter.js';
import { pfReader } from './pf.js';

/** One line read by a vendor's reader. */
export interface VendorLine {
  vendor: Vendor;
  /** the vendor's own numeric message id where it has one (FortiGate `logid`), else 0 */
  msgid: number;
  /** syslog severity 0-7 as the message gives it; 6 (informational) when it gives none */
  severity: number;
  /** where the message starts in the line: the text before it is its syslog header (time, host) */
  at: number;
  /** the message as shown to the user (from `at`), control characters stripped */
  body: string;
  /**
   * The event. Session messages put the client (originator) in `src` and set `initiator: 'src'`;
   * packet messages (denies) put the packet's source in `src`. `reason` is the vendor's word as
   * written (its reason table below gives the class). `bytes` is both directions' sum.
   */
  fields: AsaFields;
  /** a time the message itself carries as epoch seconds (FortiGate `eventtime`, `conntrack -o timestamp`): beats the header's */
  epoch?: number;
  /** a wall-clock time the message itself carries (PAN-OS generated time, FortiGate date/time): beats the header's */
  stamp?: Stamp;
  /** the device's own name from the message (FortiGate `devname`, PAN-OS `device_name`): beats the header's host */
  device?: string;
}

/** A vendor's reasons: what each means for the teardown class and closing side, and in plain words. */
export interface VendorReason extends ReasonClass {
  meaning: string;
}
export type ReasonTable = Readonly<Record<string, VendorReason>>;

/** Options a reader may need (given on the command line). */
export interface ReaderOptions {
  /** netfilter: more `--log-prefix` words that mean the packet was dropped (--fw-drop-prefix) */
  dropPrefixes?: readonly string[];
}

export interface VendorReader {
  vendor: Vendor;
  /** this vendor's marker in a line (no g / y flag): sniffs an input and picks the reader */
  tag: RegExp;
  /** the line as one of this vendor's messages; null: not one (another reader may try); error: its message, unreadable */
  parse(line: string, opts: ReaderOptions): VendorLine | { error: string } | null;
  /** reasons by their spelling in the log, matched without regard to case */
  reasons: ReasonTable;
}

/** Every reader, tried in this order on a line that is no `%ASA-` message. */
export const VENDOR_READERS: readonly VendorReader[] = [
  // (one entry a vendor, kept in this order: PAN-OS, FortiGate, SRX, netfilter, pf)
  PANOS_READER,
  FORTIGATE,
  srxReader,
  NETFILTER_READER,
  pfReader,
];

/** Any firewall line rsttui reads: the ASA family or one of the readers above. */
export const ANY_FIREWALL_TAG = new RegExp(['%(?:ASA|FTD|PIX)-', ...VENDOR_READERS.map((r) => `(?:${r.tag.source})`)].join('|'));

/** The reader of a vendor (undefined for the ASA family). */
export const readerOf = (v: Vendor): VendorReader | undefined => VENDOR_READERS.find((r) => r.vendor === v);

/** How an event is named in tables and timelines: the ASA family's message id, else the vendor (and its id, if any). */
export function eventTag(vendor: string, msgid: number): string {
  if (isCisco(vendor)) return String(msgid);
  return msgid ? `${vendor}-${msgid}` : vendor;
}
