/**
 * Text that came from the network or a log (payload bytes, hostnames, log lines) must never carry
 * control characters to the terminal: an ESC in a syslog line could repaint or retitle it.
 */
// C0 controls except tab, DEL, C1 controls, and the Unicode bidi overrides that reorder text
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function stripControls(s: string): string {
  return s.replace(CONTROLS, (ch) => (ch === '\n' || ch === '\r' ? ' ' : '\ufffd'));
}
