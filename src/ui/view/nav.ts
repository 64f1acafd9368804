/**
 * Cursor and scroll offset of a list window, as a pure function of the action: every screen that
 * scrolls (list, timeline, detail, summary, help) uses it, and a resize only has to clamp.
 */
import type { Action } from '../keys.js';

export interface Nav {
  cursor: number;
  offset: number;
}

/** Keep the cursor inside [0, count) and the window [offset, offset + height) around it. */
export function clampNav(n: Nav, count: number, height: number): Nav {
  const h = Math.max(1, height);
  const cursor = count === 0 ? 0 : Math.min(Math.max(0, n.cursor), count - 1);
  let offset = Math.min(Math.max(0, n.offset), Math.max(0, count - h));
  if (cursor < offset) offset = cursor;
  if (cursor >= offset + h) offset = cursor - h + 1;
  if (cursor === n.cursor && offset === n.offset) return n;
  return { cursor, offset };
}

/** Move for a navigation action; other actions leave the state as it is. */
export function moveNav(n: Nav, action: Action, count: number, height: number): Nav {
  const h = Math.max(1, height);
  let c = n.cursor;
  switch (action) {
    case 'down': c += 1; break;
    case 'up': c -= 1; break;
    case 'pageDown': c += h; break;
    case 'pageUp': c -= h; break;
    case 'halfDown': c += Math.max(1, h >> 1); break;
    case 'halfUp': c -= Math.max(1, h >> 1); break;
    case 'top': c = 0; break;
    case 'bottom': c = count - 1; break;
    default: return n;
  }
  let offset = n.offset;
  // page keys scroll the window with the cursor, like less
  if (action === 'pageDown' || action === 'halfDown') offset += c - n.cursor;
  if (action === 'pageUp' || action === 'halfUp') offset += c - n.cursor;
  return clampNav({ cursor: c, offset }, count, h);
}

/** Jump the cursor to `target` (e.g. the next anomaly), keeping it in view. */
export function jumpNav(n: Nav, target: number, count: number, height: number): Nav {
  return clampNav({ cursor: target, offset: n.offset }, count, height);
}
