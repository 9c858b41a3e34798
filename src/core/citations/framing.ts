/**
 * Which sentences of a passage frame findings rather than state one: those under a structured abstract's label of
 * what was asked and how (`BACKGROUND:`, `OBJECTIVE To …`, `METHODS`, JAMA's `DESIGN, SETTING, AND PARTICIPANTS`), and
 * those that say what is not known, what a study set out to find or what it did, wherever they stand (the background,
 * aims and methods of an abstract without labels). They state the question in a claim's own words, not the answer; alignment ranks a
 * window that holds one lower (align.ts, `FRAMING_SHARE`).
 */

/** Labels that open a part framing the findings: what was asked and how. */
const FRAMING_LABELS = [
  'BACKGROUND',
  'INTRODUCTION',
  'CONTEXT',
  'IMPORTANCE',
  'OBJECTIVES?',
  'AIMS?',
  'PURPOSE',
  'METHODS?(?! AND FINDINGS)',
  'MATERIALS AND METHODS',
  '(?:STUDY )?DESIGN',
  'SETTINGS?',
  'PARTICIPANTS',
  'PATIENTS',
  'SUBJECTS',
  'EXPOSURES?',
  'INTERVENTIONS?',
  '(?:MAIN )?OUTCOMES? (?:AND )?MEASURES?',
  'MEASUREMENTS',
  'DATA SOURCES',
  'STUDY SELECTION',
  'DATA EXTRACTION',
  'EVIDENCE REVIEW',
];
/** Labels that open the findings (PLOS's `METHODS AND FINDINGS` and `CONCLUSIONS/SIGNIFICANCE` among them). */
const FINDING_LABELS = [
  'RESULTS?',
  'FINDINGS',
  'METHODS AND FINDINGS',
  'CONCLUSIONS?',
  'INTERPRETATION',
  'DISCUSSION',
  'SIGNIFICANCE',
];

/**
 * A sentence that opens with one of the labels: in capitals followed by a colon, a comma, a slash, a space or nothing
 * (`RESULTS:`, `DESIGN, SETTING…`, `CONCLUSIONS/SIGNIFICANCE`, one alone on its line), or one of `titleCase` followed by
 * a colon (`Methods:`; "Methods for…" opens a sentence).
 */
const opensWith = (capitals: readonly string[], titleCase: string) =>
  new RegExp(`^(?:(?:${capitals.join('|')})(?:[:,/\\s]|$)|(?:${titleCase})\\s*:)`);
const FRAMING_LABEL = opensWith(FRAMING_LABELS, 'Background|Objectives?|Aims?|Methods?');
const FINDING_LABEL = opensWith(FINDING_LABELS, 'Results?|Findings|Conclusions?|Interpretation|Discussion');

/** What is not known: `… is unclear`, `remains controversial`, `is poorly understood`, `little is known`. */
const UNKNOWN = [
  '(?:is|are|was|were|remains?|remained)\\s+(?:still\\s+)?(?:unknown|unclear|uncertain|debated|controversial|unresolved)',
  '(?:poorly|incompletely|not\\s+(?:well\\s+|fully\\s+|yet\\s+)?)(?:understood|known|established|characteri[sz]ed)',
  'little\\s+is\\s+known',
];
/** What a study set out to find: `We tested whether`, `To determine whether`. */
const ASKED =
  '(?:tested|asked|investigated|examined|assessed|evaluated|explored|determine|assess|examine|investigate|evaluate|test|explore|ask)\\s+whether';
/**
 * What a study did, said as what was done: `We conducted a trial`, `We enrolled 120 adults`, `were randomly assigned`
 * (not what it found, `we found`, nor what it measured, which results say too).
 */
const DID =
  '(?:we\\s+(?:conducted|performed|carried\\s+out|enrolled|recruited|randomly\\s+assigned|randomi[sz]ed|searched|undertook)|(?:were|was)\\s+(?:randomly\\s+assigned|randomi[sz]ed|enrolled|recruited))';
/** A sentence that asks or says what was done rather than what was found (one that opens with `Whether` too). */
const ASKS_OR_DOES = new RegExp(`\\b(?:${[...UNKNOWN, ASKED, DID].join('|')})\\b|^\\s*Whether\\b`, 'i');

/** Follows a passage's sentences in order and says which frame the findings. */
export class FramingReader {
  /** Whether the sentences read are in a part that a framing label opened. */
  private labelled = false;

  /** Whether `sentence`, the next one read, frames the findings; a label starts its part, which runs to the next. */
  frames(sentence: string): boolean {
    const opening = sentence.trimStart();
    if (FRAMING_LABEL.test(opening)) this.labelled = true;
    else if (FINDING_LABEL.test(opening)) this.labelled = false;
    return this.labelled || ASKS_OR_DOES.test(sentence);
  }

  /** A paragraph ended: a label governs its own paragraph (an abstract set out a paragraph a labelled part). */
  endParagraph(): void {
    this.labelled = false;
  }
}
