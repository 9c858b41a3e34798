/**
 * A run of backticks longer than any run inside `text`, and at least `least` long: what opens and closes a code span
 * (1) or a fenced block (3) that holds `text` whole (a run of the same length inside would close it there).
 */
export function backticksAround(text: string, least: number): string {
  return '`'.repeat(Math.max(least, ...[...text.matchAll(/`+/g)].map(m => m[0].length + 1)));
}

/** A line ending, which a code span shows as a space (CommonMark converts it before reading the span's ends). */
const LINE_ENDING = /\r\n|\r|\n/g;

/**
 * `text` (not empty) as a Markdown code span that shows it as written, by CommonMark's rules for code spans: between
 * backtick runs one longer than the longest run inside it (a run of the same length would close the span there), with
 * a space inside each run when the text starts or ends with a backtick (that backtick would join the run) or when it
 * both starts and ends with a space without being all spaces (a renderer strips one space from each end of such a
 * span). A line ending in `text` shows as a space, as in every code span.
 */
export function codeSpan(text: string): string {
  const run = backticksAround(text, 1);
  const read = text.replace(LINE_ENDING, ' ');
  const stripped = read.startsWith(' ') && read.endsWith(' ') && /[^ ]/.test(read);
  const padded = text.startsWith('`') || text.endsWith('`') || stripped;
  return padded ? `${run} ${text} ${run}` : `${run}${text}${run}`;
}
