/**
 * Evaluates the part of VS Code's when-clause language that package.json uses, so tests can say in which states a
 * command or view shows: `a || b && c`, `!key`, `key`, `key == value`, `key != value`, `key > n`. Anything else
 * (parentheses, regex, `in`) throws, so a clause the tests cannot read is noticed rather than guessed.
 */
export type Context = Record<string, string | number | boolean | undefined>;

export function evaluateWhen(clause: string, context: Context): boolean {
  return clause.split('||').some(all => all.split('&&').every(term => evaluateTerm(term.trim(), context)));
}

function evaluateTerm(term: string, context: Context): boolean {
  if (/=~|[()]|\s(not\s+)?in\s/.test(term)) throw new Error(`Unsupported when clause: ${term}`);
  if (term === 'true') return true;
  if (term === 'false') return false;
  const comparison = /^([\w.@/-]+)\s*(==|!=|>|<)\s*(.+)$/.exec(term);
  if (comparison) {
    const [, key = '', op, raw = ''] = comparison;
    const value = context[key];
    const expected = raw.replace(/^'(.*)'$/, '$1');
    if (op === '==') return String(value) === expected;
    if (op === '!=') return String(value) !== expected;
    const n = Number(expected);
    if (Number.isNaN(n)) throw new Error(`Unsupported when clause: ${term}`);
    return op === '>' ? Number(value) > n : Number(value) < n;
  }
  const negated = /^!\s*([\w.@/-]+)$/.exec(term);
  if (negated) return !context[negated[1] ?? ''];
  if (/^[\w.@/-]+$/.test(term)) return !!context[term];
  throw new Error(`Unsupported when clause: ${term}`);
}
