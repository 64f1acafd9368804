/** Help, generated from the key table (keys.ts), plus the anomaly codes and teardown classes. */
import { Box } from 'ink';
import { useMemo, useState, type ReactElement } from 'react';
import { ANOMALIES, TEARDOWNS } from '../../model.js';
import { ANOMALY_INFO, TEARDOWN_INFO } from '../../analysis/glossary.js';
import { useKeys } from '../hooks/use-keys.js';
import { useLive } from '../hooks/use-live.js';
import { helpRows } from '../keys.js';
import type { Theme } from '../theme.js';
import { Line } from '../components/Line.js';
import { StatusBar } from '../components/StatusBar.js';
import { ANOMALY_CODES } from '../view/list.js';
import { clampNav, moveNav, type Nav } from '../view/nav.js';
import { fit } from '../view/text.js';

export interface HelpProps {
  width: number;
  height: number;
  theme: Theme;
  onBack: () => void;
  onQuit: () => void;
}

const SCREEN_TITLES: Record<string, string> = {
  list: 'connection list',
  filter: 'filter bar (/)',
  menu: 'quick filters (f)',
  timeline: 'timeline (Enter on a connection)',
  detail: 'packet detail (Enter on a packet)',
  summary: 'summary (t)',
  findings: 'findings (F; shown first when a load has warnings or errors)',
  export: 'export (e)',
  help: 'help',
};

export function helpLines(ascii: boolean): string[] {
  const out: string[] = ['rsttui: find how TCP connections ended and why', ''];
  let last = '';
  for (const r of helpRows(ascii)) {
    if (r.screen !== last) {
      out.push('', SCREEN_TITLES[r.screen] ?? r.screen);
      last = r.screen;
    }
    out.push(`  ${r.keys.padEnd(22)} ${r.help}`);
  }
  out.push('', 'filter examples', '  late-rst   anomaly == late-rst and tcp.flags.reset.resp   fw.msgid == 106015', '  fw.kind == deny-no-conn (any vendor\'s late-packet deny)   fw.vendor == FortiGate   fw.device == fw01', '  ip.addr == 10.0.0.0/8   teardown in {abort fin-then-rst}   a bare word: fuzzy search');
  out.push('', 'anomaly codes');
  for (const a of ANOMALIES) out.push(`  ${ANOMALY_CODES[a]} ${a.padEnd(25)} ${ANOMALY_INFO[a].meaning}`);
  out.push('', 'teardown classes');
  for (const t of TEARDOWNS) out.push(`  ${t.padEnd(28)} ${TEARDOWN_INFO[t].meaning}`);
  return out;
}

export function Help({ width, height, theme, onBack, onQuit }: HelpProps) {
  const lines = useMemo(() => helpLines(theme.ascii), [theme.ascii]);
  const h = Math.max(1, height - 1);
  const top = Math.max(1, lines.length - h + 1);
  const [navState, setNav] = useState<Nav>({ cursor: 0, offset: 0 });
  const nav = clampNav(navState, top, h);
  const live = useLive(nav);
  const setNavL = (n: Nav): void => {
    live.current = n;
    setNav(n);
  };
  useKeys('help', (_t, action) => {
    const nav = live.current;
    if (action === 'back') return onBack();
    if (action === 'quit') return onQuit();
    if (action) setNavL(moveNav(nav, action, top, h));
  });
  const out: ReactElement[] = [];
  for (let k = nav.cursor; k < Math.min(lines.length, nav.cursor + h); k++) {
    const l = lines[k]!;
    out.push(<Line key={k} text={fit(l, width)} bold={!l.startsWith(' ')} />);
  }
  while (out.length < h) out.push(<Line key={`p${out.length}`} text="" />);
  return (
    <Box flexDirection="column" width={width}>
      {out}
      <StatusBar left={`help ${nav.cursor + 1}/${lines.length}`} hints="j/k PgUp/PgDn scroll  Esc back  q quit" width={width} theme={theme} />
    </Box>
  );
}
