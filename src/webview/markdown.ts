import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';
import { MarkerScanner } from '../shared/citationMarkers';
import { lineSpan } from '../core/passage';
import type { CitationView } from '../shared/messages';
import { lineRangeText } from '../shared/panelTurns';

// Model output and document text are untrusted: no raw HTML from markdown, then DOMPurify over the result,
// no inline styles (the CSP forbids them anyway), and links only to http(s)/mailto (never `command:`).
const md = new MarkdownIt({ html: false, linkify: false, breaks: false });

export function renderMarkdown(text: string): string {
  return DOMPurify.sanitize(md.render(text), {
    FORBID_ATTR: ['style'],
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'iframe', 'img'],
    // a numbered list interrupted by a code block goes on at its number (search results: 1., 2., 3.); a value that
    // is not a URL is dropped by ALLOWED_URI_REGEXP unless its attribute is marked safe (a list's start is a number)
    ADD_URI_SAFE_ATTR: ['start'],
    ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
  });
}

// Each cited number is marked in the text before markdown renders it, by the shared MarkerScanner (so the panel
// counts markers exactly as the core does: not in code, invented numbers too), as `[` + OPEN ordinal SEP n CLOSE
// + `]`. The brackets keep emphasis and links around a marker parsing as they did; the three noncharacters pass
// through markdown-it and DOMPurify untouched, and the model's own are removed first. Noncharacters, because
// markdown-it never decodes a character reference to one (`&#xFDD0;` becomes U+FFFD): an answer cannot forge a
// marker, and with it a chip, by writing one as an entity.
const OPEN = '\uFDD0';
const SEP = '\uFDD1';
const CLOSE = '\uFDD2';
const PRIVATE = /[\uFDD0-\uFDD2]/g;
const MARKED_RUN = /\[?((?:\uFDD0\d+\uFDD1\d+\uFDD2)+)\]?/g;
const MARKED_ONE = /\uFDD0(\d+)\uFDD1(\d+)\uFDD2/g;

/** What a turn's chips are made from: its sources, those found stale, and its citations by marker ordinal. */
export interface CitationLookup {
  sourceCount: number;
  staleSources: ReadonlySet<number>;
  citation(ordinal: number): CitationView | undefined;
}

/** Marks the cited numbers of `text`, the first with ordinal `firstOrdinal`; `markers` is how many it marked. */
export function markCitations(text: string, firstOrdinal: number): { text: string; markers: number } {
  const scanner = new MarkerScanner();
  const pieces = [...scanner.push(text.replace(PRIVATE, '')), ...scanner.flush()];
  let out = '';
  let markers = 0;
  let inRun = false;
  for (const piece of pieces) {
    if (piece.type === 'text') {
      if (inRun) out += ']';
      inRun = false;
      out += piece.text;
      continue;
    }
    if (!inRun) out += '[';
    inRun = true;
    out += `${OPEN}${firstOrdinal + piece.ordinal}${SEP}${piece.n}${CLOSE}`;
    markers++;
  }
  return { text: inRun ? `${out}]` : out, markers };
}

/**
 * Turns the marked numbers in rendered markdown into chips: a number with a citation opens its aligned lines, one
 * without opens its source, an invented one is dropped, as in chat. In code they become `[n]` text again.
 */
export function decorateCitations(root: HTMLElement, lookup: CitationLookup): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if ((n as Text).data.includes(OPEN)) nodes.push(n as Text);
  for (const node of nodes) {
    if (node.parentElement?.closest('code, pre')) {
      node.data = unmark(node.data);
      continue;
    }
    const parts = document.createDocumentFragment();
    let last = 0;
    for (const run of node.data.matchAll(MARKED_RUN)) {
      const chips = [...(run[1] ?? '').matchAll(MARKED_ONE)].flatMap(m =>
        citationNodes(Number(m[1]), Number(m[2]), lookup),
      );
      // a run of invented numbers goes with the space before it (SpaceBeforeHidden): `cold [7].` reads `cold.`
      const before = node.data.slice(last, run.index);
      parts.append(chips.length > 0 ? before : before.replace(/[ \t]+$/, ''), ...chips);
      last = (run.index ?? 0) + run[0].length;
    }
    parts.append(node.data.slice(last));
    node.replaceWith(parts);
  }
  // a marker in a link's title is shown there as written
  for (const a of root.querySelectorAll('a[title]')) a.setAttribute('title', unmark(a.getAttribute('title') ?? ''));
}

/** Marked numbers back to `[n]` text (`[1, 4]` for a run), where they cannot be chips. */
function unmark(text: string): string {
  return text.replace(MARKED_RUN, (_, run: string) => `[${[...run.matchAll(MARKED_ONE)].map(m => m[2]).join(', ')}]`);
}

/** The chip of the marker with `ordinal` (written as `n`) and the words that qualify it; none for an invented number. */
export function citationNodes(ordinal: number, n: number, lookup: CitationLookup): HTMLElement[] {
  const citation = lookup.citation(ordinal);
  if (citation) return citationChip(citation, n);
  if (n < 1 || n > lookup.sourceCount) return [];
  const stale = lookup.staleSources.has(n);
  const b = chip(n, ordinal, n, stale ? 'cite stale' : 'cite');
  b.title = stale ? `Source ${n} changed since it was indexed` : `Open source ${n}`;
  b.setAttribute('aria-label', b.title);
  return [b];
}

/**
 * Why a citation needs a second look, as words: shown after its chip, and explained in the tooltip. A moved citation
 * whose new lines do not, or only partly, support the claim is explained as the closer match, not as lines that say it.
 */
export function qualifiers(c: CitationView): { kind: string; label: string; explanation: string }[] {
  const out = [];
  if (c.movedFrom !== undefined) {
    const weak = c.support === 'unsupported' || c.support === 'partial';
    out.push({
      kind: 'moved',
      label: `moved from [${c.movedFrom}]`,
      explanation: weak
        ? `Moved from [${c.movedFrom}]: source ${c.n} matches this more closely than source ${c.movedFrom}.`
        : `Moved from [${c.movedFrom}]: the lines that say this are in source ${c.n}.`,
    });
  }
  if (c.support === 'unsupported')
    out.push({
      kind: 'unsupported',
      label: '⚠ not in source',
      explanation: 'Not in source: the cited lines do not say this.',
    });
  if (c.support === 'partial')
    out.push({
      kind: 'partial',
      label: 'partly supported',
      explanation: 'Partly supported: the cited lines say only part of this.',
    });
  if (c.stale)
    out.push({
      kind: 'stale',
      label: 'stale',
      explanation: 'Stale: the file changed and these lines could not be found again.',
    });
  return out;
}

function citationChip(c: CitationView, written: number): HTMLElement[] {
  const notes = qualifiers(c);
  const b = chip(c.n, c.ordinal, written, ['cite', ...notes.map(q => q.kind)].join(' '));
  b.title = [
    `${c.path}:${lineSpan(c.startLine, c.endLine)}`,
    ...notes.map(q => q.explanation),
    '',
    c.excerpt ?? `Claim: ${c.claim}`,
  ].join('\n');
  b.setAttribute('aria-label', `Source ${c.n}, ${lineRangeText(c)}`);
  if (notes.length === 0) return [b];
  const note = document.createElement('span');
  note.className = ['cite-note', ...notes.map(q => q.kind)].join(' ');
  note.dataset.ordinal = String(c.ordinal);
  note.textContent = notes.map(q => q.label).join(', ');
  note.title = notes.map(q => q.explanation).join('\n');
  return [b, note];
}

function chip(n: number, ordinal: number, written: number, className: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.className = className;
  b.dataset.n = String(n);
  b.dataset.ordinal = String(ordinal);
  // the number as the answer wrote it, to rebuild the chip when its citation changes
  b.dataset.written = String(written);
  b.textContent = String(n);
  return b;
}

/** A copy button on every code block. */
export function addCopyButtons(root: HTMLElement): void {
  for (const pre of root.querySelectorAll('pre')) {
    if (pre.querySelector(':scope > button.copy')) continue;
    const b = document.createElement('button');
    b.className = 'copy';
    b.textContent = 'Copy';
    b.setAttribute('aria-label', 'Copy code');
    pre.prepend(b);
  }
}
