import { isBlank, startsWithNonSpace, type LineUnit } from './chunkPacking';

/**
 * Top-level blocks of a source file: a block starts at a line with no indentation that follows a blank line
 * or a closing line (`}`, `end`, `)` …). Comments and decorators directly above a declaration stay with it.
 * Each unit is titled with the symbol it declares, when one of the usual declaration forms is found.
 */
export function codeUnits(lines: readonly string[]): LineUnit[] {
  const units: LineUnit[] = [];
  let start = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!startsWithNonSpace(line)) continue;
    const previous = lines[i - 1] ?? '';
    if (isBlank(previous) || CLOSING.test(previous)) {
      units.push(titled(lines, start, i));
      start = i;
    }
  }
  units.push(titled(lines, start, lines.length));
  return units;
}

/** The first declared symbol in lines [start, end) (looking at the first few non-comment lines). */
export function symbolName(lines: readonly string[], start: number, end: number): string | undefined {
  let looked = 0;
  for (let i = start; i < end && looked < 6; i++) {
    const line = lines[i] ?? '';
    if (isBlank(line) || COMMENT.test(line)) continue;
    looked++;
    const name = DECLARATION.exec(line)?.[1] ?? ASSIGNED_FUNCTION.exec(line)?.[1];
    if (name) return name;
  }
  return undefined;
}

function titled(lines: readonly string[], start: number, end: number): LineUnit {
  const title = symbolName(lines, start, end);
  return title ? { start, end, title } : { start, end };
}

/** A line that closes a top-level block: only brackets/`end`, optionally with `;` or `,`. */
const CLOSING = /^(?:[}\])]+[;,)]*|end|End|END|fi|done|esac)\s*$/;

const COMMENT = /^\s*(?:\/\/|\/\*|\*|#(?!\[)|--|;|@|"""|''')/;

/** Declaration keywords of common languages, then the declared name. */
const DECLARATION = new RegExp(
  String.raw`^\s*(?:(?:export|default|declare|public|private|protected|internal|static|final|abstract|sealed|async|override|virtual|inline|extern|unsafe|const|pub(?:\([^)]*\))?|open|data|partial|readonly)\s+)*` +
    String.raw`(?:function\*?|class|interface|type|enum|namespace|module|struct|trait|impl(?:<[^>]*>)?|def|fn|func(?:\s*\([^)]*\))?|record|object|protocol|extension|union|macro_rules!|sub|proc)\s+` +
    String.raw`([A-Za-z_$][\w$]*(?:::[A-Za-z_$][\w$]*)*)`,
);

/** `const name = (…) =>`, `let name = function`, `name: function`, `name = async (…) =>` */
const ASSIGNED_FUNCTION = /^\s*(?:(?:export|const|let|var|static|readonly|public|private)\s+)*([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)/;
