import type { Citation, Support } from '../events';
import { passageRef } from '../passage';
import { citedText } from './resolve';

/** The prompt of the one model call that checks every claim of an answer against its cited lines. */
export const CHECK_SYSTEM = `You check citations. For each numbered claim, read the quoted source lines and decide whether they support the claim.
"supported": the lines state the claim. "partial": they state part of it. "unsupported": they do not state it, or they contradict it.
Reply with JSON only, in the form {"verdicts": ["supported", "unsupported", ...]}, one verdict per claim, in order.`;

/** Lines quoted per claim at most, so an answer with many citations still fits a small context window. */
const QUOTE_CHARS = 1200;

export function checkUserPrompt(citations: readonly Citation[]): string {
  return citations
    .map(
      (c, i) =>
        `Claim ${i + 1}: ${c.claim}\nSource lines (${passageRef(c.passage, c.startLine, c.endLine)}):\n${citedText(c).slice(0, QUOTE_CHARS)}`,
    )
    .join('\n\n');
}

const VERDICTS: readonly Support[] = ['supported', 'partial', 'unsupported'];

/**
 * Reads the checker's reply leniently: `{"verdicts": [...]}`, a bare list, objects with a `support` or `verdict`
 * field, or one verdict word per line. Undefined unless there is exactly one readable verdict per claim.
 */
export function parseVerdicts(reply: string, count: number): Support[] | undefined {
  const asVerdict = (v: unknown): Support | undefined => {
    const word =
      typeof v === 'string'
        ? v
        : v && typeof v === 'object'
          ? ((v as Record<string, unknown>).support ?? (v as Record<string, unknown>).verdict)
          : undefined;
    const lower = typeof word === 'string' ? word.trim().toLowerCase() : '';
    return VERDICTS.find(x => x === lower);
  };
  const json = /\{[\s\S]*\}|\[[\s\S]*\]/.exec(reply);
  if (json) {
    try {
      const value: unknown = JSON.parse(json[0]);
      const list = Array.isArray(value) ? value : (value as { verdicts?: unknown }).verdicts;
      if (Array.isArray(list)) {
        const verdicts = list.map(asVerdict);
        if (verdicts.length === count && verdicts.every(v => v !== undefined)) return verdicts as Support[];
        return undefined;
      }
    } catch {
      // fall through to the word-per-line reading
    }
  }
  const words = reply.toLowerCase().match(/\b(?:unsupported|supported|partial)\b/g) ?? [];
  return words.length === count ? words.map(w => w as Support) : undefined;
}
