/**
 * Text the CLI prints comes from models and from files it did not write. In a terminal, control characters are
 * commands: OSC 52 writes the clipboard, others clear the screen, set the title or move the cursor to overwrite
 * what was printed. These helpers keep such text inert.
 */

/**
 * Whole escape sequences, so their parameters do not litter the output: CSI (`ESC [` … final byte), OSC (`ESC ]`
 * … BEL or ST; to the end of the text when unterminated), DCS/SOS/PM/APC strings, the two-byte `ESC x` forms, and
 * the 8-bit CSI and OSC introducers.
 */
const ESCAPE_SEQUENCE =
  /\u001b\[[0-?]*[ -/]*[@-~]?|\u001b\][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[PX^_][^\u001b\u009c]*(?:\u001b\\|\u009c)?|\u001b[ -/]*[0-~]?|\u009b[0-?]*[ -/]*[@-~]?|\u009d[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?/g;
/** C0 controls except tab and newline (so carriage return and backspace too), DEL, and C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * The text without escape sequences and control characters, keeping `\n` and `\t`: for stdout and stderr when they
 * are a terminal. Removing every ESC and C1 byte means a sequence split across two writes cannot form either.
 */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
/** Every control character, newline and tab included. */
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * A file or folder name as one visible line, whatever stdout is: control characters are written as escapes
 * (`\n`, `\t`, `\x1b`), so a newline in a name cannot split an output line and an escape cannot act.
 */
export function escapeName(name: string): string {
  return name.replace(ANY_CONTROL, c => NAMED_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
