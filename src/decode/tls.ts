/**
 * TLS record headers in a TCP payload (RFC 5246 s. 6.2, RFC 8446 s. 5): content type 1 byte,
 * legacy version 2, length 2. rsttui only reads headers: enough to tell whether a side sent an
 * alert (close_notify above all) before it closed the connection.
 */
import { MARK_TLS, MARK_TLS_ALERT, MARK_TLS_UNKNOWN } from '../model.js';
import { type Layer, field, layer } from './layer.js';

export const TLS_CHANGE_CIPHER_SPEC = 20;
export const TLS_ALERT = 21;
export const TLS_HANDSHAKE = 22;
export const TLS_APPLICATION_DATA = 23;
export const TLS_HEARTBEAT = 24;

/** Largest record length: TLSCiphertext may carry 2^14 bytes plus 2048 of expansion (RFC 5246 6.2.3). */
const MAX_RECORD = 16384 + 2048;

/**
 * Lengths of a TLS 1.3 encrypted alert. In TLS 1.3 every record after the handshake keys is
 * sent as application_data (type 23); its real type is the last byte of the plaintext
 * (TLSInnerPlaintext, RFC 8446 5.2). An alert's plaintext is 2 bytes (level, description)
 * plus that 1 inner content-type byte, so 3 bytes, then the AEAD tag: 16 bytes for
 * AES-128/256-GCM, ChaCha20-Poly1305 and AES-CCM, 8 bytes for AES-CCM-8. So a type-23 record
 * of exactly 3 + 16 = 19 or 3 + 8 = 11 bytes is an alert. (A peer could pad an alert, which
 * would hide it; none of the common stacks do. A TLS 1.2 record with 3 bytes of data under
 * ChaCha20 would also be 19 bytes: that is why the check is limited to version 0x0303,
 * which every TLS 1.3 record carries, and why it is a mark for a human, not a verdict.)
 */
const TLS13_ALERT_LEN = 3 + 16;
const TLS13_ALERT_LEN_CCM8 = 3 + 8;

/** A record header at `q` (5 bytes known to be there) that a TLS stack could have sent. */
function plausible(data: Uint8Array, q: number): boolean {
  const type = data[q]!;
  if (type < TLS_CHANGE_CIPHER_SPEC || type > TLS_HEARTBEAT) return false;
  if (data[q + 1] !== 3 || data[q + 2]! > 4) return false; // 0x0300 (SSL 3.0) .. 0x0304
  const len = (data[q + 3]! << 8) | data[q + 4]!;
  // Only application data may be empty (TLS 1.0 CBC countermeasure records).
  return len <= MAX_RECORD && (len > 0 || type === TLS_APPLICATION_DATA);
}

/**
 * MARK_* bits for a TCP payload: MARK_TLS when it starts with a plausible record header;
 * MARK_TLS_ALERT when, walking consecutive records through the captured bytes, one is an
 * alert (type 21, or a TLS 1.3 alert-sized application_data record, see above);
 * MARK_TLS_UNKNOWN when the capture holds fewer than min(payloadLen, 5) payload bytes, so
 * the first header cannot be seen. A segment that starts mid-record gets no TLS mark: record
 * boundaries cannot be found without following the stream.
 */
export function tlsMark(data: Uint8Array, payloadOff: number, payloadCaptured: number, payloadLen: number): number {
  if (payloadCaptured < (payloadLen < 5 ? payloadLen : 5)) return MARK_TLS_UNKNOWN;
  const end = payloadOff + payloadCaptured;
  let q = payloadOff;
  if (q + 5 > end || q + 5 > data.length || !plausible(data, q)) return 0;
  let mark = MARK_TLS;
  while (q + 5 <= end && q + 5 <= data.length && plausible(data, q)) {
    const type = data[q]!;
    const len = (data[q + 3]! << 8) | data[q + 4]!;
    if (
      type === TLS_ALERT ||
      (type === TLS_APPLICATION_DATA && data[q + 2] === 3 && (len === TLS13_ALERT_LEN || len === TLS13_ALERT_LEN_CCM8))
    ) {
      mark |= MARK_TLS_ALERT;
    }
    q += 5 + len;
  }
  return mark;
}

// ---- detail view (cold path) ----

const TYPE_NAMES: Record<number, string> = {
  20: 'Change Cipher Spec', 21: 'Alert', 22: 'Handshake', 23: 'Application Data', 24: 'Heartbeat',
};

const VERSION_NAMES: Record<number, string> = {
  0x0300: 'SSL 3.0', 0x0301: 'TLS 1.0', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2', 0x0304: 'TLS 1.3',
};

const ALERT_DESCRIPTIONS: Record<number, string> = {
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 22: 'record_overflow',
  40: 'handshake_failure', 42: 'bad_certificate', 43: 'unsupported_certificate', 44: 'certificate_revoked',
  45: 'certificate_expired', 46: 'certificate_unknown', 47: 'illegal_parameter', 48: 'unknown_ca',
  49: 'access_denied', 50: 'decode_error', 51: 'decrypt_error', 70: 'protocol_version',
  71: 'insufficient_security', 80: 'internal_error', 86: 'inappropriate_fallback', 90: 'user_canceled',
  100: 'no_renegotiation', 109: 'missing_extension', 110: 'unsupported_extension', 112: 'unrecognized_name',
  113: 'bad_certificate_status_response', 115: 'unknown_psk_identity', 116: 'certificate_required',
  120: 'no_application_protocol',
};

const HANDSHAKE_NAMES: Record<number, string> = { 1: 'Client Hello', 2: 'Server Hello' };

/**
 * A TLS layer listing the record headers in the captured payload, or undefined when the
 * payload does not start with one. Record bodies are shown only where they are plaintext
 * for sure: a 2-byte alert, and a Hello whose inner length matches its record.
 */
export function tlsDetail(data: Uint8Array, off: number, payloadOff: number, payloadCaptured: number, payloadLen: number): Layer | undefined {
  const end = Math.min(payloadOff + payloadCaptured, data.length);
  if (payloadOff + 5 > end || !plausible(data, payloadOff)) {
    if (payloadCaptured < Math.min(payloadLen, 5)) {
      const l = layer('Transport Layer Security', 'record header not captured', payloadOff - off, end - off);
      field(l, 'truncated', `payload: ${payloadCaptured} of ${payloadLen} bytes captured, record header not visible`);
      return l;
    }
    return undefined;
  }
  const l = layer('Transport Layer Security', '', payloadOff - off, end - off);
  const names: string[] = [];
  let q = payloadOff;
  let n = 0;
  while (q + 5 <= end && plausible(data, q)) {
    const type = data[q]!;
    const version = (data[q + 1]! << 8) | data[q + 2]!;
    const len = (data[q + 3]! << 8) | data[q + 4]!;
    const tname = TYPE_NAMES[type] ?? String(type);
    let v = `${tname} (${type}), ${VERSION_NAMES[version] ?? version.toString(16)}, length ${len}`;
    const body = q + 5;
    if (type === TLS_ALERT && len === 2 && body + 2 <= end) {
      const level = data[body]!;
      const desc = data[body + 1]!;
      v += `: ${level === 1 ? 'warning' : level === 2 ? 'fatal' : 'level ' + level} ${ALERT_DESCRIPTIONS[desc] ?? 'description ' + desc}`;
    } else if (type === TLS_ALERT) {
      v += ': encrypted alert';
    } else if (type === TLS_APPLICATION_DATA && version === 0x0303 && (len === TLS13_ALERT_LEN || len === TLS13_ALERT_LEN_CCM8)) {
      v += ': alert-sized (a TLS 1.3 encrypted alert?)';
    } else if (type === TLS_HANDSHAKE && body + 4 <= end) {
      const hs = HANDSHAKE_NAMES[data[body]!];
      const hlen = (data[body + 1]! << 16) | (data[body + 2]! << 8) | data[body + 3]!;
      if (hs !== undefined && hlen + 4 === len) v += `: ${hs}`;
    }
    if (body + len > end) v += ` (${Math.max(0, end - body)} bytes captured)`;
    field(l, `Record ${++n}`, v);
    names.push(tname);
    q = body + len;
  }
  if (q < end) field(l, 'Continues', `${end - q} bytes that do not start a record header`);
  else if (q > end && payloadCaptured < payloadLen) field(l, 'truncated', `payload: ${payloadCaptured} of ${payloadLen} bytes captured`);
  l.summary = names.join(', ');
  return l;
}
