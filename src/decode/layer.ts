/**
 * What the packet-detail view shows for one protocol layer. Built only on the cold path
 * (one packet at a time), so plain objects and strings are fine here.
 */

export interface Field {
  name: string;
  value: string;
}

export interface Layer {
  /** protocol name, e.g. `Ethernet II`, `IPv4`, `TCP` */
  name: string;
  /** one-line summary, Wireshark style */
  summary: string;
  fields: Field[];
  /** byte range of this layer relative to the record's first byte, for hex highlighting (end exclusive) */
  start: number;
  end: number;
}

/** Name of the field that says bytes ran out inside a layer. */
export const TRUNCATED = 'truncated';

export function layer(name: string, summary: string, start: number, end: number): Layer {
  return { name, summary, fields: [], start, end };
}

export function field(l: Layer, name: string, value: string | number): void {
  l.fields.push({ name, value: String(value) });
}

/** Note that a layer needs `need` bytes from its start but only `have` were captured. */
export function truncated(l: Layer, what: string, need: number, have: number): void {
  l.fields.push({ name: TRUNCATED, value: `${what}: needs ${need} bytes, ${Math.max(0, have)} captured` });
}
