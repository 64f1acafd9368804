/**
 * Well-formed enough, for the report's HTML: every element opened is closed in order (HTML's void
 * elements excepted, SVG's self-closed ones allowed), attribute values quoted, no stray `<` or `>`
 * in text (what escaping must guarantee), and `&` only in entities. Throws on the first fault.
 */
import assert from 'node:assert/strict';

const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'wbr', 'col', 'area', 'base', 'source']);

export function checkHtml(html: string): void {
  // the stylesheet is ours and has no markup; take it out before reading tags
  const body = html.replace(/<style>[^<]*<\/style>/g, '<style></style>').replace(/^<!doctype html>/i, '');
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/y;
  let text = 0;
  for (let i = 0; i < body.length; ) {
    const lt = body.indexOf('<', i);
    const chunk = body.slice(i, lt < 0 ? body.length : lt);
    assert.doesNotMatch(chunk, />/, `a stray '>' in text near ${JSON.stringify(chunk.slice(0, 60))}`);
    assert.doesNotMatch(chunk, /&(?!#\d+;|[a-z]+;)/, `a bare '&' in text near ${JSON.stringify(chunk.slice(0, 60))}`);
    text += chunk.length;
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    assert.ok(m, `not a well-formed tag at ${lt}: ${JSON.stringify(body.slice(lt, lt + 80))}`);
    const [, close, name, , self] = m;
    const n = name!.toLowerCase();
    if (close) {
      assert.equal(stack.pop(), n, `</${n}> closes another element at ${lt}`);
    } else if (!self && !VOID.has(n)) stack.push(n);
    i = tag.lastIndex;
  }
  assert.deepEqual(stack, [], 'elements left open');
  assert.ok(text > 0);
}
