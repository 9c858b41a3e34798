import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

// Model output and document text are untrusted: no raw HTML from markdown, then DOMPurify over the result,
// no inline styles (the CSP forbids them anyway), and links only to http(s)/mailto (never `command:`).
const md = new MarkdownIt({ html: false, linkify: false, breaks: false });

export function renderMarkdown(text: string): string {
  return DOMPurify.sanitize(md.render(text), {
    FORBID_ATTR: ['style'],
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'iframe', 'img'],
    ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
  });
}

const CITATION = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;
const HAS_CITATION = /\[\d{1,3}(?:\s*,\s*\d{1,3})*\]/;

/**
 * Turns `[n]` in the rendered text (not in code) into citation buttons for the numbers that map to a source;
 * invented numbers are dropped, as in chat.
 */
export function decorateCitations(root: HTMLElement, sourceCount: number, stale: ReadonlySet<number>): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: node => (node.parentElement?.closest('code, pre, .cite') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (HAS_CITATION.test((n as Text).data)) nodes.push(n as Text);
  for (const node of nodes) {
    const parts = document.createDocumentFragment();
    let last = 0;
    for (const match of node.data.matchAll(CITATION)) {
      parts.append(node.data.slice(last, match.index));
      for (const n of (match[1] ?? '').split(',').map(s => Number.parseInt(s.trim(), 10))) {
        if (n >= 1 && n <= sourceCount) parts.append(citationButton(n, stale.has(n)));
      }
      last = (match.index ?? 0) + match[0].length;
    }
    parts.append(node.data.slice(last));
    node.replaceWith(parts);
  }
}

export function citationButton(n: number, stale: boolean): HTMLButtonElement {
  const b = document.createElement('button');
  b.className = stale ? 'cite stale' : 'cite';
  b.dataset.n = String(n);
  b.textContent = String(n);
  b.title = stale ? `Source ${n} changed since it was indexed` : `Open source ${n}`;
  b.setAttribute('aria-label', b.title);
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
