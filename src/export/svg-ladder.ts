/**
 * One connection's ladder as an SVG sequence diagram: the client's and the server's lifelines, the
 * firewall's between them (dashed) with its events as diamonds, one arrow per packet labelled with
 * its flags, and beside each row its time and the explanation's main clause (the whole explanation
 * as the row's tooltip). RSTs are drawn in the RST colour; a packet the firewall denied (or that
 * another capture did not see) stops at the firewall with a cross, in the deny colour.
 */
import { COLORS, esc, n2 } from './svg-chart.js';
import { utc, type Ladder, type LadderStep } from './report-model.js';

const W = 1120;
const TIME_X = 8;
const CLIENT_X = 150;
const FW_X = 290;
const SERVER_X = 430;
const TEXT_X = 500;
const HEAD = 44;
const LINE = 15;
/** characters of 12 px sans-serif that fit beside the ladder (an estimate: 6.3 px a character) */
const CHARS = Math.floor((W - TEXT_X - 8) / 6.3);

/** Words into lines of at most `w` characters (a longer word on a line of its own). */
export function wrapWords(s: string, w: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of s.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > w) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.length ? out : [''];
}

function arrowColor(s: LadderStep): string {
  if (s.denied || s.lost) return COLORS.deny;
  return s.rst ? COLORS.rst : COLORS.axis;
}

/** The diagram; `key` makes its marker ids unique in a page with several. */
export function ladderSvg(l: Ladder, key = String(l.id)): string {
  const rows = l.steps.map((s) => {
    const prefix = s.kind !== 'packet' ? '' : s.denied ? 'DENIED: ' : s.lost ? 'LOST between the captures: ' : '';
    const lines = wrapWords(prefix + s.text, CHARS);
    return { s, lines, h: Math.max(24, lines.length * LINE + 9) };
  });
  const height = HEAD + rows.reduce((a, r) => a + r.h, 0) + 12;
  const id = `l${key.replace(/[^A-Za-z0-9_-]/g, '')}`;
  const out: string[] = [];
  out.push(`<svg class="ladder" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(`connection ${l.id}: ${l.client} to ${l.server}`)}">`);
  out.push('<defs>');
  for (const [name, color] of [['n', COLORS.axis], ['r', COLORS.rst]] as const) {
    out.push(`<marker id="${id}-${name}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`);
  }
  out.push('</defs>');
  // heads and lifelines
  const bottom = height - 6;
  out.push(`<text x="${TIME_X}" y="16" font-size="12" font-weight="bold" fill="${COLORS.text}">time (UTC)</text>`);
  out.push(`<text x="${CLIENT_X}" y="16" text-anchor="middle" font-size="12" font-weight="bold" fill="${COLORS.text}">client</text>`);
  out.push(`<text x="${CLIENT_X}" y="31" text-anchor="middle" font-size="11" fill="${COLORS.text}">${esc(l.client)}</text>`);
  out.push(`<text x="${FW_X}" y="16" text-anchor="middle" font-size="12" font-weight="bold" fill="${COLORS.deny}">firewall</text>`);
  out.push(`<text x="${SERVER_X}" y="16" text-anchor="middle" font-size="12" font-weight="bold" fill="${COLORS.text}">server</text>`);
  out.push(`<text x="${SERVER_X}" y="31" text-anchor="middle" font-size="11" fill="${COLORS.text}">${esc(l.server)}</text>`);
  out.push(`<text x="${TEXT_X}" y="16" font-size="12" font-weight="bold" fill="${COLORS.text}">explanation</text>`);
  out.push(`<line x1="${CLIENT_X}" y1="${HEAD - 6}" x2="${CLIENT_X}" y2="${bottom}" stroke="${COLORS.axis}" stroke-width="2"/>`);
  out.push(`<line x1="${SERVER_X}" y1="${HEAD - 6}" x2="${SERVER_X}" y2="${bottom}" stroke="${COLORS.axis}" stroke-width="2"/>`);
  out.push(`<line x1="${FW_X}" y1="${HEAD - 6}" x2="${FW_X}" y2="${bottom}" stroke="${COLORS.deny}" stroke-width="1" stroke-dasharray="4 4"/>`);
  let y = HEAD;
  for (const { s, lines, h } of rows) {
    const mid = y + 12;
    out.push(`<g class="step ${s.kind}${s.rst ? ' rst' : ''}${s.denied ? ' denied' : ''}">`);
    if (s.detail) out.push(`<title>${esc(s.detail)}</title>`);
    if (s.kind !== 'gap') out.push(`<text x="${TIME_X}" y="${mid + 4}" font-size="11" fill="${COLORS.text}">${esc(utc(s.ts).slice(11))}</text>`);
    if (s.kind === 'packet') out.push(arrow(s, mid, id));
    else if (s.kind === 'event') {
      const c = s.denied ? COLORS.deny : COLORS.muted;
      out.push(`<polygon points="${FW_X},${mid - 7} ${FW_X + 7},${mid} ${FW_X},${mid + 7} ${FW_X - 7},${mid}" fill="${c}"/>`);
      out.push(`<text x="${FW_X + 11}" y="${mid + 4}" font-size="11" fill="${c}">${esc(s.label)}</text>`);
    } else {
      out.push(`<text x="${(CLIENT_X + SERVER_X) / 2}" y="${mid + 4}" text-anchor="middle" font-size="14" fill="${COLORS.muted}">⋮</text>`);
    }
    const color = s.kind === 'gap' ? COLORS.muted : s.denied || s.lost ? COLORS.deny : s.rst ? COLORS.rst : COLORS.text;
    out.push(`<text x="${TEXT_X}" y="${mid + 4}" font-size="12" fill="${color}">${lines.map((t, k) => `<tspan x="${TEXT_X}" dy="${k ? LINE : 0}">${esc(t)}</tspan>`).join('')}</text>`);
    out.push('</g>');
    y += h;
  }
  out.push('</svg>');
  return out.join('\n');
}

/** A packet's arrow; denied or lost ones end at the firewall with a cross. */
function arrow(s: LadderStep, y: number, id: string): string {
  const from = s.dir === 'c2s' ? CLIENT_X : SERVER_X;
  const cut = s.denied || s.lost;
  const to = cut ? FW_X : s.dir === 'c2s' ? SERVER_X : CLIENT_X;
  const color = arrowColor(s);
  const sign = to > from ? 1 : -1;
  const end = cut ? to : to - sign * 2;
  const parts = [
    `<line x1="${from}" y1="${y}" x2="${end}" y2="${y}" stroke="${color}" stroke-width="${s.rst || cut ? 2.5 : 1.5}"${cut ? '' : ` marker-end="url(#${id}-${s.rst ? 'r' : 'n'})"`}/>`,
  ];
  if (cut) parts.push(`<path d="M${to - 5},${y - 5} L${to + 5},${y + 5} M${to - 5},${y + 5} L${to + 5},${y - 5}" stroke="${color}" stroke-width="2.5"/>`);
  // the flags above the arrow, nearer its sender
  const lx = (from + (cut ? to : FW_X)) / 2;
  parts.push(`<text x="${n2(lx)}" y="${y - 4}" text-anchor="middle" font-size="11" font-weight="bold" fill="${color}">${esc(s.label)}${s.len ? ` <tspan font-weight="normal">${s.len}</tspan>` : ''}</text>`);
  return parts.join('');
}
