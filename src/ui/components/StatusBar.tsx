/** The bottom line: counts on the left, the key hints of the screen on the right (cut to fit). */
import type { Theme } from '../theme.js';
import { Line } from './Line.js';
import { fit } from '../view/text.js';

export interface StatusBarProps {
  left: string;
  hints: string;
  width: number;
  theme: Theme;
}

export function statusText(left: string, hints: string, width: number): string {
  if (left === '') return fit(hints, width);
  const room = width - left.length - 3;
  return fit(room > 8 ? `${left} | ${hints.length > room ? hints.slice(0, room - 1) + '~' : hints}` : left, width);
}

export function StatusBar({ left, hints, width, theme }: StatusBarProps) {
  return <Line text={statusText(left, hints, width)} inverse={theme.inverse} />;
}
