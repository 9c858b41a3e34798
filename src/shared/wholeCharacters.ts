/**
 * `text.slice(start, end)` without half a character: a cut that would fall between the two halves of a surrogate
 * pair (an emoji, a rare CJK ideograph) leaves that character out. Half a character is no text, and a server that
 * parses JSON strictly refuses a whole request for it.
 */
export function sliceWhole(text: string, start: number, end = text.length): string {
  const from =
    isLowSurrogate(text.charCodeAt(start)) && isHighSurrogate(text.charCodeAt(start - 1)) ? start + 1 : start;
  const to = end < text.length && isHighSurrogate(text.charCodeAt(end - 1)) ? end - 1 : end;
  return text.slice(from, Math.max(from, to));
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;
