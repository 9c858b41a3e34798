import type { LineUnit } from './chunkPacking';
import type { TextLines } from './textLines';

/**
 * Top-level blocks of a source file: a block starts at a line with no indentation that follows a blank line
 * or a closing line (`}`, `end`, `)` …). Comments and decorators directly above a declaration stay with it.
 * Each unit is titled with the symbol it declares, when one of the usual declaration forms is found.
 */
export function codeUnits(lines: TextLines): LineUnit[] {
  const units: LineUnit[] = [];
  let start = 0;
  for (let i = 1; i < lines.length; i++) {
    if (!lines.startsWithNonSpace(i)) continue;
    if (lines.isBlank(i - 1) || closesBlock(lines, i - 1)) {
      units.push(titled(lines, start, i));
      start = i;
    }
  }
  units.push(titled(lines, start, lines.length));
  return units;
}

/**
 * The first declared symbol in lines [start, end) (looking at the first few non-comment lines). A line is made a
 * string for the regexes only when its first character (after spaces and tabs) can start what they look for.
 */
export function symbolName(lines: TextLines, start: number, end: number): string | undefined {
  let looked = 0;
  for (let i = start; i < end && looked < 6; i++) {
    const first = lines.firstAfterIndent(i);
    if (first < 0) continue;
    const ascii = first > 32 && first < 127;
    if (ascii && !MAY_START_NAME[first] && !MAY_START_COMMENT[first]) {
      looked++;
      continue;
    }
    if (!ascii && lines.isBlank(i)) continue;
    const line = lines.line(i);
    if ((!ascii || MAY_START_COMMENT[first]) && COMMENT.test(line)) continue;
    looked++;
    const name = DECLARATION.exec(line)?.[1] ?? ASSIGNED_FUNCTION.exec(line)?.[1];
    if (name) return name;
  }
  return undefined;
}

/** Whether line `i` closes a top-level block (`CLOSING`), tested only when its first character can. */
function closesBlock(lines: TextLines, i: number): boolean {
  const first = lines.firstAfterIndent(i, 0);
  return first >= 0 && MAY_START_CLOSING[first] === 1 && CLOSING.test(lines.line(i));
}

function titled(lines: TextLines, start: number, end: number): LineUnit {
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
const ASSIGNED_FUNCTION =
  /^\s*(?:(?:export|const|let|var|static|readonly|public|private)\s+)*([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)/;

/** ASCII characters that can start a `CLOSING` line. */
const MAY_START_CLOSING = asciiTable(c => '}])eEfd'.includes(c));
/** ASCII characters that can start a declaration or an assigned function (`[A-Za-z_$]`), by code. */
const MAY_START_NAME = asciiTable(c => /[A-Za-z_$]/.test(c));
/** ASCII characters that can start a `COMMENT`. */
const MAY_START_COMMENT = asciiTable(c => '/*#-;@"\''.includes(c));

function asciiTable(test: (c: string) => boolean): Uint8Array {
  const table = new Uint8Array(128);
  for (let code = 0; code < 128; code++) table[code] = test(String.fromCharCode(code)) ? 1 : 0;
  return table;
}
