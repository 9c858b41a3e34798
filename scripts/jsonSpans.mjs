// Parses JSON text and reports where every value sits in it, so a script can change one value of package.json by a
// text edit (keeping its formatting and every hunk it did not mean to touch) instead of re-serialising the file.

/**
 * @typedef {{ path: (string|number)[], start: number, end: number, value: unknown }} Span
 * `start`/`end`: the value's offsets in the text (end exclusive); `path`: its keys and indexes from the root.
 */

/** Every value of the JSON `text` (objects, arrays and leaves), parents before their children. */
export function jsonSpans(text) {
  /** @type {Span[]} */
  const spans = [];
  let i = 0;
  const fail = what => {
    throw new Error(`JSON: ${what} at offset ${i}`);
  };
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const readString = () => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const readValue = path => {
    skipSpace();
    const start = i;
    const span = { path, start, end: start, value: undefined };
    spans.push(span);
    const c = text[i];
    if (c === '{') {
      i++;
      const value = {};
      skipSpace();
      if (text[i] === '}') i++;
      else
        for (;;) {
          skipSpace();
          if (text[i] !== '"') fail('expected a key');
          const key = readString();
          skipSpace();
          if (text[i++] !== ':') fail('expected ":"');
          value[key] = readValue([...path, key]);
          skipSpace();
          if (text[i] === ',') i++;
          else if (text[i] === '}') {
            i++;
            break;
          } else fail('expected "," or "}"');
        }
      span.value = value;
    } else if (c === '[') {
      i++;
      const value = [];
      skipSpace();
      if (text[i] === ']') i++;
      else
        for (;;) {
          value.push(readValue([...path, value.length]));
          skipSpace();
          if (text[i] === ',') i++;
          else if (text[i] === ']') {
            i++;
            break;
          } else fail('expected "," or "]"');
        }
      span.value = value;
    } else if (c === '"') {
      span.value = readString();
    } else {
      const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
      if (!m) fail('unexpected character');
      i += m[0].length;
      span.value = JSON.parse(m[0]);
    }
    span.end = i;
    return span.value;
  };
  readValue([]);
  skipSpace();
  if (i !== text.length) fail('trailing text');
  return spans;
}

/** The text with each `{ start, end, text }` edit applied (edits must not overlap). */
export function applyEdits(text, edits) {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
