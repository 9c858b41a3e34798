import { CHECK_SYSTEM, checkPrompt, type ShownLines } from '../citations/modelCheck';
import { exceededContext, GroundedError } from '../errors';
import type { Citation, SelectionContext, Turn } from '../events';
import type { InputLimitSource } from '../options';
import type { Passage } from '../passage';
import { sliceWhole } from '../../shared/wholeCharacters';
import {
  GENERATE_SYSTEM,
  generateUserPrompt,
  GRADE_PASSAGE_CHARS,
  GRADE_SYSTEM,
  gradeUserPrompt,
  PASSAGE_CHARS,
  REWRITE_SYSTEM,
  rewriteUserPrompt,
} from './prompts';

/** Tokens a chat template adds around each message (role markers, separators). */
const MESSAGE_TOKENS = 8;
/** At most this much of the limit is kept for the reply: a context window such as Ollama's holds prompt and reply. */
const REPLY_TOKENS = 1024;

/** Passage excerpts tried, longest first, before passages are left out (each keeps its best lines, see `excerpt`). */
const SHORTER_PASSAGE_CHARS = [1200, 600];
/** The one passage left is never cut below this: shorter, it answers nothing. */
const MIN_PASSAGE_CHARS = 150;
const SHORTER_GRADE_CHARS = [350, 200];

/**
 * Text in the pieces the common BPE tokenizers (cl100k, o200k) cut it into before merging: words (a capital starts a
 * new one, so camelCase is several), runs of capitals, of digits, of ASCII punctuation, of whitespace; every other
 * character alone. A piece is one token or more: dense text (minified code, math, numbers, hashes) has many short ones.
 */
const PIECES = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+|[\t-\r ]+|[\0-\x08\x0e-\x1f!-/:-@[-`{-~\x7f]+|[^\0-\x7f]/gu;

/**
 * Tokens a character of a script other than ASCII takes at most, as measured with cl100k (o200k takes fewer): about
 * 0.4–0.55 for Cyrillic; about 1 for Greek, Arabic, Hebrew and Thai, and up to 1.3 for Devanagari; 0.85–1.45 for Chinese, Japanese and
 * Korean (traditional Chinese the most); up to 2 for Bengali, Tamil, Gujarati, Kannada, Khmer, Georgian and Armenian,
 * and beyond the Basic Multilingual Plane (emoji).
 */
function characterTokens(codePoint: number): number {
  if (codePoint >= 0x0400 && codePoint <= 0x052f) return 0.6; // Cyrillic
  if (codePoint >= 0x0370 && codePoint <= 0x03ff) return 1.2; // Greek
  if (codePoint >= 0x0590 && codePoint <= 0x06ff) return 1.2; // Hebrew, Arabic
  if (codePoint >= 0x0900 && codePoint <= 0x097f) return 1.5; // Devanagari
  if (codePoint >= 0x0e00 && codePoint <= 0x0e7f) return 1.2; // Thai
  // CJK punctuation, kana, Hangul letters, ideographs, Hangul syllables, full-width forms
  if ((codePoint >= 0x3000 && codePoint <= 0x9fff) || (codePoint >= 0xac00 && codePoint <= 0xd7af)) return 1.5;
  if (codePoint >= 0xff00 && codePoint <= 0xffef) return 1.5;
  return codePoint > 0xffff ? 3 : 2;
}

/** A run of one white space character, or of CRLF pairs. */
const WHITE_SPACE_GROUPS = /(?:\r\n)+|([\t-\r ])\1*/g;
/** Text that starts with a letter, or with a number: see `whiteSpaceTokens`. */
const LETTER_START = /^\p{L}/u;
const NUMBER_START = /^\p{N}/u;

/**
 * Tokens a run of white space takes at most, `next` being the text after it: per run of one character, a token for up
 * to 16 spaces or tabs, 8 line feeds or 4 CRLF pairs; every CR, vertical tab or form feed alone. A long run of one
 * character merges into few tokens, and mixed white space (` \n \n`, blank lines holding spaces) into a token for
 * every character or two. As in the tokenizers' splitting, a space or tab that ends the run joins a word after it, and
 * a space joins punctuation after it too: so a lone space is counted with the next piece, and so is the indentation
 * that ends a run after its line break. A space before a number (`x = 1`, `| 12 |`), or a tab before punctuation, is
 * a token of its own; at the end of the text the run is counted whole.
 */
function whiteSpaceTokens(run: string, next: string): number {
  const end = run[run.length - 1];
  const joinsNext =
    (end === ' ' && next !== '' && !NUMBER_START.test(next)) || (end === '\t' && LETTER_START.test(next));
  if (!joinsNext && (end === ' ' || end === '\t') && next !== '')
    return run.length === 1 ? 1 : whiteSpaceTokens(run.slice(0, -1), '') + 1;
  if (joinsNext && run.length === 1) return 0;
  let tokens = 0;
  let last = 0;
  for (const [group] of run.matchAll(WHITE_SPACE_GROUPS)) {
    const c = group[0];
    if (group.startsWith('\r\n')) last = Math.ceil(group.length / 8);
    else if (c === ' ' || c === '\t') last = Math.ceil(group.length / 16);
    else if (c === '\n') last = Math.ceil(group.length / 8);
    else last = group.length;
    tokens += last;
  }
  const indentation = joinsNext && /[^ \t][ \t]{1,16}$/.test(run);
  return indentation ? tokens - last : tokens;
}

/**
 * A token count that errs high, without a tokenizer: each piece (see PIECES) counts as the tokens it takes at most in
 * the common tokenizers, as measured on prose, code, minified code, JSON, math, numbers, hashes and text in each
 * script: a prompt that fits by this count fits the model. Random hex and base64 alone it counts up to a tenth short,
 * which the room kept for the reply covers.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const match of text.matchAll(PIECES)) {
    const piece = match[0];
    const c = piece.charCodeAt(0);
    if (c >= 0x61 && c <= 0x7a) tokens += Math.ceil(piece.length / 5);
    else if (c >= 0x41 && c <= 0x5a)
      // a capitalised word, or a run of capitals: those take a token for every one or two
      tokens +=
        piece.length > 1 && /[a-z]/.test(piece[1] ?? '') ? Math.ceil(piece.length / 5) : Math.ceil(piece.length / 1.5);
    else if (c >= 0x30 && c <= 0x39) tokens += Math.ceil(piece.length / 3);
    else if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      const end = match.index + piece.length;
      tokens += whiteSpaceTokens(piece, text.slice(end, end + 2));
    } else if (c < 0x80) tokens += Math.ceil(piece.length / 2);
    else tokens += characterTokens(piece.codePointAt(0) ?? c);
  }
  return Math.ceil(tokens);
}

/** The tokens a prompt may take under a model's input limit, leaving room for the reply; undefined: no limit. */
export function promptTokenBudget(maxInputTokens: number | undefined): number | undefined {
  if (maxInputTokens === undefined || !Number.isFinite(maxInputTokens) || maxInputTokens <= 0) return undefined;
  return maxInputTokens - Math.min(REPLY_TOKENS, Math.floor(maxInputTokens / 4));
}

/** What the answer prompt is built from: `history` as it is sent (oldest first), `passages` ranked and numbered. */
export interface AnswerPromptParts {
  question: string;
  history: Turn[];
  passages: Passage[];
  context?: SelectionContext;
}

export interface FittedAnswerPrompt extends AnswerPromptParts {
  /** Each passage's excerpt is at most this long. */
  passageChars: number;
  /** What was left out or shortened, as a step detail; undefined when the whole prompt fits. */
  cut?: string;
}

/**
 * The answer prompt within the model's input limit. What goes, in this order: the oldest earlier turns; passage text
 * beyond each passage's best lines; the lowest-ranked passages, whole (so the passages kept are the first ones and
 * keep their numbers); the selection's text; then the last passage's text. The question is never cut: one that
 * leaves no room for a passage is a `bad-input` error.
 */
export function fitAnswerPrompt(
  parts: AnswerPromptParts,
  maxInputTokens: number | undefined,
  source?: InputLimitSource,
): FittedAnswerPrompt {
  let p: FittedAnswerPrompt = { ...parts, passageChars: PASSAGE_CHARS };
  const budget = promptTokenBudget(maxInputTokens);
  if (budget === undefined || maxInputTokens === undefined) return p;
  const fits = (candidate: FittedAnswerPrompt) => answerPromptTokens(candidate) <= budget;
  if (fits(p)) return p;

  const history = [...p.history];
  while (history.length > 0 && !fits({ ...p, history })) {
    history.shift();
    // an earlier answer is never sent without the question it answered
    while (history[0]?.role === 'assistant') history.shift();
  }
  p = { ...p, history };
  for (const passageChars of SHORTER_PASSAGE_CHARS) if (!fits(p)) p = { ...p, passageChars };
  let passages = p.passages;
  while (passages.length > 1 && !fits({ ...p, passages })) passages = passages.slice(0, -1);
  p = { ...p, passages };
  if (p.context && !fits(p)) {
    const context = p.context;
    const kept = longestFitting(context.text.length - 1, n =>
      fits({ ...p, context: { ...context, text: cutText(context.text, n) } }),
    );
    p = { ...p, context: kept > 0 ? { ...context, text: cutText(context.text, kept) } : undefined };
  }
  if (!fits(p)) {
    const cutTo = (passageChars: number): FittedAnswerPrompt => ({ ...p, passageChars });
    if (!fits(cutTo(MIN_PASSAGE_CHARS))) throw questionDoesNotFit(maxInputTokens, source);
    const longer = longestFitting(p.passageChars - 1 - MIN_PASSAGE_CHARS, n => fits(cutTo(MIN_PASSAGE_CHARS + n)));
    p = cutTo(MIN_PASSAGE_CHARS + longer);
  }

  const left = [
    count(parts.history.length - p.history.length, 'earlier turn'),
    count(parts.passages.length - p.passages.length, 'passage'),
    parts.context && !p.context ? 'the selection' : '',
  ].filter(Boolean);
  const changes = [
    left.length > 0 ? `left out ${and(left)}` : '',
    // only when the excerpts are shorter than every prompt's: a passage beyond PASSAGE_CHARS is cut without a limit too
    p.passageChars < PASSAGE_CHARS && p.passages.some(x => x.text.length > p.passageChars)
      ? `kept only ${p.passages.length === 1 ? 'the passage’s' : 'each passage’s'} best lines`
      : '',
    p.context && parts.context && p.context.text !== parts.context.text
      ? `cut the selection to ${p.context.text.length.toLocaleString('en-US')} characters`
      : '',
  ].filter(Boolean);
  // "Left out 3 earlier turns and 2 passages, and kept only each passage’s best lines to fit …"
  const said = changes.length > 1 ? `${changes.slice(0, -1).join(', ')}, and ${changes.at(-1) ?? ''}` : changes[0];
  return { ...p, cut: `${capitalise(said ?? '')} to fit the model’s context (${tokens(maxInputTokens)})` };
}

/** The answer prompt's tokens, counted as generate sends it: system, earlier turns, then passages and question. */
export function answerPromptTokens(p: FittedAnswerPrompt): number {
  const user = generateUserPrompt(p.question, p.passages, p.context, p.passageChars);
  const turns = p.history.reduce((sum, turn) => sum + estimateTokens(turn.text), 0);
  return estimateTokens(GENERATE_SYSTEM) + turns + estimateTokens(user) + MESSAGE_TOKENS * (p.history.length + 2);
}

/**
 * Undefined when the question leaves room, under the limit, for the system prompt and one short passage; else the
 * `bad-input` error that says so. Checked before searching, so a question that can never be answered costs nothing.
 */
export function questionFitError(
  question: string,
  maxInputTokens: number | undefined,
  source?: InputLimitSource,
): GroundedError | undefined {
  const budget = promptTokenBudget(maxInputTokens);
  if (budget === undefined || maxInputTokens === undefined) return undefined;
  // a passage as long-named as real ones get (a deep path, a heading trail): a question this lets through is not
  // refused by the answer step after it was searched and graded
  const probe: Passage = {
    id: 'probe',
    path: `${'a-folder-of-the-workspace/'.repeat(4)}file.md`,
    location: `/${'a-folder-of-the-workspace/'.repeat(4)}file.md`,
    startLine: 10_000,
    endLine: 10_080,
    title: 'A heading › of a section › in a long document › of the workspace',
    text: 'x'.repeat(MIN_PASSAGE_CHARS),
    score: 0,
  };
  const tokensNeeded = answerPromptTokens({
    question,
    history: [],
    passages: [probe],
    passageChars: MIN_PASSAGE_CHARS,
  });
  return tokensNeeded <= budget ? undefined : questionDoesNotFit(maxInputTokens, source);
}

/** `source`: what set the limit, which the fix names (the CLI names the setting by its flag, `--max-input-tokens`). */
function questionDoesNotFit(maxInputTokens: number, source: InputLimitSource | undefined): GroundedError {
  const fix =
    source === 'setting'
      ? 'Shorten the question, or raise grounded.model.maxInputTokens, which set this limit, if the model takes more.'
      : source === 'default'
        ? 'Shorten the question, or set grounded.model.maxInputTokens to the model’s context: this limit is the one assumed for the endpoint while it is unset.'
        : 'Shorten the question, or use a model with a larger context.';
  return new GroundedError(
    'bad-input',
    `The question leaves no room for the passages to answer from in the model’s context (${tokens(maxInputTokens)}). ${fix}`,
  );
}

/**
 * `error` with its fix when it is the endpoint's refusal of a prompt longer than the model's context (exceededContext)
 * and a setting set the limit the prompt was fitted to (`source`): that limit is then more than the model takes, so
 * the setting is named, and offered (`setting`) as the fix; the CLI names it by its flag (`--max-input-tokens`). Any
 * other error, and one under a limit the model gave itself (no `source`), as it is.
 */
export function contextExceeded(
  error: GroundedError,
  maxInputTokens: number | undefined,
  source: InputLimitSource | undefined,
): GroundedError {
  if (!exceededContext(error) || maxInputTokens === undefined || source === undefined) return error;
  const fitted =
    source === 'setting'
      ? `Grounded fitted them to grounded.model.maxInputTokens (${tokens(maxInputTokens)}), which is more than the model takes. Lower it to the model's context, or ask about less.`
      : `Grounded fitted them to the ${tokens(maxInputTokens)} assumed for the endpoint while grounded.model.maxInputTokens is unset. Set it to the model's context, or ask about less.`;
  return new GroundedError(
    'model-refused',
    `The question and its passages are longer than the model's context window. ${fitted}`,
    { cause: error, setting: 'grounded.model.maxInputTokens' },
  );
}

export interface FittedGradePrompt {
  /** The passages graded: the first ones of those retrieved. */
  passages: Passage[];
  passageChars: number;
  cut?: string;
}

/**
 * The grading prompt within the grader's input limit, still ONE call: shorter excerpts first, then only the
 * top-ranked passages (the rest count as not relevant). Undefined when not even one passage fits beside the question.
 */
export function fitGradePrompt(
  question: string,
  passages: Passage[],
  maxInputTokens: number | undefined,
): FittedGradePrompt | undefined {
  const budget = promptTokenBudget(maxInputTokens);
  if (budget === undefined || maxInputTokens === undefined) return { passages, passageChars: GRADE_PASSAGE_CHARS };
  const fits = (ps: Passage[], chars: number) =>
    estimateTokens(GRADE_SYSTEM) + estimateTokens(gradeUserPrompt(question, ps, chars)) + 2 * MESSAGE_TOKENS <= budget;
  let passageChars = GRADE_PASSAGE_CHARS;
  if (fits(passages, passageChars)) return { passages, passageChars };
  for (const chars of SHORTER_GRADE_CHARS) if (!fits(passages, passageChars)) passageChars = chars;
  const n = longestFitting(passages.length, k => fits(passages.slice(0, k), passageChars));
  if (n === 0) return undefined;
  const shorter = passageChars < GRADE_PASSAGE_CHARS ? ', in shorter excerpts,' : '';
  const which =
    n < passages.length
      ? `Grading the top ${n} of ${passages.length} passages${shorter}`
      : `Grading in shorter excerpts`;
  return {
    passages: passages.slice(0, n),
    passageChars,
    cut: `${which} to fit the model’s context (${tokens(maxInputTokens)})`,
  };
}

/**
 * The rewrite prompt within the rewriting model's input limit: the question whole, and the query it searched for
 * (often the question again, so a long question is sent twice) cut from its end to what fits. Undefined when not
 * even the question fits.
 */
export function fitRewritePrompt(
  question: string,
  query: string,
  maxInputTokens: number | undefined,
): string | undefined {
  const budget = promptTokenBudget(maxInputTokens);
  if (budget === undefined) return rewriteUserPrompt(question, query);
  const fits = (q: string) =>
    estimateTokens(REWRITE_SYSTEM) + estimateTokens(rewriteUserPrompt(question, q)) + 2 * MESSAGE_TOKENS <= budget;
  if (fits(query)) return rewriteUserPrompt(question, query);
  if (!fits(cutText(query, 0))) return undefined;
  const kept = longestFitting(query.length - 1, n => fits(cutText(query, n)));
  return rewriteUserPrompt(question, cutText(query, kept));
}

export interface FittedCheckPrompt {
  /** How many citations, from the first, the prompt checks; the rest keep their lexical verdicts. */
  checked: number;
  text: string;
  shown: ShownLines[];
  cut?: string;
}

/**
 * The citation check's prompt within the checker's input limit, still ONE call: the first citations that fit.
 * Undefined when not even the first does.
 */
export function fitCheckPrompt(
  citations: readonly Citation[],
  maxInputTokens: number | undefined,
): FittedCheckPrompt | undefined {
  const budget = promptTokenBudget(maxInputTokens);
  const promptFor = (n: number) => checkPrompt(citations.slice(0, n));
  if (budget === undefined || maxInputTokens === undefined)
    return { checked: citations.length, ...promptFor(citations.length) };
  const fits = (n: number) =>
    estimateTokens(CHECK_SYSTEM) + estimateTokens(promptFor(n).text) + 2 * MESSAGE_TOKENS <= budget;
  const n = fits(citations.length) ? citations.length : longestFitting(citations.length - 1, fits);
  if (n === 0) return undefined;
  const cut =
    n < citations.length
      ? `Checking the first ${n} of ${citations.length} citations with the model, to fit its context (${tokens(maxInputTokens)})`
      : undefined;
  return { checked: n, ...promptFor(n), ...(cut && { cut }) };
}

/**
 * The largest n in 0..max for which `fits(n)` holds, `fits` being true up to some n and false after it; 0 also when
 * nothing fits (callers read 0 as nothing kept). Binary search: each probe builds a whole prompt.
 */
function longestFitting(max: number, fits: (n: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The first `n` characters of a text (a selection, a query), with `…` where it was cut: at a whole character, as half
 * of one (an emoji cut between its halves) makes a strict server refuse the request.
 */
function cutText(text: string, n: number): string {
  return `${sliceWhole(text, 0, n)}…`;
}

const tokens = (n: number) => `${n.toLocaleString('en-US')} tokens`;
const count = (n: number, noun: string) => (n > 0 ? `${n} ${noun}${n === 1 ? '' : 's'}` : '');
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function and(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
