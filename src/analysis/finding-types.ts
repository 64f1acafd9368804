/**
 * The shape of a finding: connections grouped into one pattern by what ended them (teardown class
 * x closing side x anomaly set x the firewall's outcome x impact), with the words a ticket needs.
 * Computed by findings.ts in the analysis core; presented by `summary`, `report` and the UI's
 * Findings screen. Kept in its own file so that presenters depend on the shape only.
 */
export type Severity = 'info' | 'warn' | 'error';

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ['error', 'warn', 'info'];

export interface Ranked<T> {
  value: T;
  count: number;
}

export interface Finding {
  /** stable identifier, lower-case words joined by '-' (e.g. the seed's pattern); usable in `finding == NAME` */
  name: string;
  /** one line, plain words */
  title: string;
  /** like Wireshark's Expert Info: info = harmless noise, warn = worth a look, error = lost data or broken connections */
  severity: Severity;
  /** connections in it */
  count: number;
  /** first and last activity of its connections, epoch seconds (capture clock) */
  first: number;
  last: number;
  /** top originator hosts, responder hosts and responder ports, most connections first (at most 5 each) */
  clients: Ranked<string>[];
  servers: Ranked<string>[];
  ports: Ranked<number>[];
  /** up to 3 example connection ids (dataset index + 1), the first one the most typical */
  examples: number[];
  /** what the connections share, one plain line each (class, closing side, anomalies, firewall outcome, impact) */
  evidence: string[];
  /** likely cause, who can act, what to do: one or two sentences each */
  cause: string;
  who: string;
  action: string;
  /** a filter expression that selects exactly its connections */
  filter: string;
  /** of its connections, those with a RST (as the summary's RST histogram counts them) */
  rstEnded?: number;
  /** the firewall's "no connection" denies (kind deny-no-conn, every vendor) joined to its connections */
  noConnDenies?: number;
}
