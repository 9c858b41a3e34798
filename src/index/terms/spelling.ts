// British and American spellings of one word give one term: a question or claim in one spelling finds and aligns to
// text in the other (tumour, tumor; randomised, randomized; haemoglobin, hemoglobin; centre, center). Only
// spellings that differ by a known pattern are joined, each by a rule on a lowercase word before it is stemmed; a word
// the rules do not name is left as it is.

/** Word starts whose British `our` is American `or`: colour, colours, coloured, colourful, colouring… */
const OUR =
  /^(?:arbo|ardo|armo|behavio|cando|clamo|colo|demeano|endeavo|favo|fervo|flavo|glamo|harbo|hono|humo|labo|neighbo|odo|parlo|ranco|rigo|rumo|savio|savo|splendo|succo|tumo|valo|vapo|vigo)ur/;

/** A verb in `ise` with its inflections and nouns: organise, organised, organising, organiser, organisation(s). */
const ISE = /^([a-z]{3,})is(e|es|ed|ing|er|ers|ation|ations|ational)$/;
/** Words whose `ise` is not the `ize` of a verb, whole (promise, expertise) or by their ending (otherwise, precise). */
const NOT_IZE = new Set([
  'promise',
  'compromise',
  'premise',
  'demise',
  'chemise',
  'expertise',
  'advertise',
  'chastise',
  'treatise',
  'mortise',
  'paradise',
  'merchandise',
  'franchise',
  'enfranchise',
  'despise',
  'valise',
  'sunrise',
  'moonrise',
  'uprise',
]);
const NOT_IZE_ENDING = /(?:wise|cise|vise|prise|uise|oise|aise)$/;
/** Verbs in `yse`: analyse, analysed, analysing, analyser, paralyse, catalyse, hydrolyse. */
const YSE = /^([a-z]{2,}l)ys(e|es|ed|ing|er|ers)$/;
/** Word endings whose British `re` is American `er`: centre, metre, litre, fibre, theatre and their compounds. */
const RE = /^([a-z]*(?:cent|met|lit|fib|theat|spect|calib|somb|lust|sab|meag|sepulch))re(s|d)?$/;

/**
 * Word starts spelled otherwise: the `ae` and `oe` of medicine and biology (haemoglobin, oestrogen, paediatric), and
 * a few more (sulphate, mould, practise as a verb).
 */
const STARTS: readonly (readonly [string, string])[] = [
  ['haem', 'hem'],
  ['anaem', 'anem'],
  ['leukaem', 'leukem'],
  ['ischaem', 'ischem'],
  ['septicaem', 'septicem'],
  ['hyperglycaem', 'hyperglycem'],
  ['hypoglycaem', 'hypoglycem'],
  ['hyperkalaem', 'hyperkalem'],
  ['hypokalaem', 'hypokalem'],
  ['hyponatraem', 'hyponatrem'],
  ['hypernatraem', 'hypernatrem'],
  ['hypoxaem', 'hypoxem'],
  ['bacteraem', 'bacterem'],
  ['viraem', 'virem'],
  ['toxaem', 'toxem'],
  ['uraem', 'urem'],
  ['anaesth', 'anesth'],
  ['aetiolog', 'etiolog'],
  ['paed', 'ped'],
  ['orthopaed', 'orthoped'],
  ['encyclopaed', 'encycloped'],
  ['gynaec', 'gynec'],
  ['caec', 'cec'],
  ['oesophag', 'esophag'],
  ['oestr', 'estr'],
  ['oedem', 'edem'],
  ['foet', 'fet'],
  ['coeliac', 'celiac'],
  ['diarrhoe', 'diarrhe'],
  ['dyspnoe', 'dyspne'],
  ['apnoe', 'apne'],
  ['amenorrhoe', 'amenorrhe'],
  ['gonorrhoe', 'gonorrhe'],
  ['seborrhoe', 'seborrhe'],
  ['sulph', 'sulf'],
  ['mould', 'mold'],
  ['smould', 'smold'],
  ['plough', 'plow'],
  ['sceptic', 'skeptic'],
  ['practis', 'practic'],
  ['enquir', 'inquir'],
  ['artefact', 'artifact'],
];

/** Whole words that differ otherwise (none that would become another word: cheque stays, not check). */
const WORDS = new Map([
  ['programme', 'program'],
  ['programmes', 'programs'],
  ['catalogue', 'catalog'],
  ['catalogues', 'catalogs'],
  ['analogue', 'analog'],
  ['analogues', 'analogs'],
  ['dialogue', 'dialog'],
  ['dialogues', 'dialogs'],
  ['defence', 'defense'],
  ['defences', 'defenses'],
  ['offence', 'offense'],
  ['offences', 'offenses'],
  ['licence', 'license'],
  ['licences', 'licenses'],
  ['pretence', 'pretense'],
  ['ageing', 'aging'],
  ['judgement', 'judgment'],
  ['judgements', 'judgments'],
  ['acknowledgement', 'acknowledgment'],
  ['acknowledgements', 'acknowledgments'],
  ['grey', 'gray'],
  ['manoeuvre', 'maneuver'],
  ['manoeuvres', 'maneuvers'],
  ['manoeuvred', 'maneuvered'],
  ['manoeuvring', 'maneuvering'],
  ['greys', 'grays'],
  ['aluminium', 'aluminum'],
  ['tyre', 'tire'],
  ['tyres', 'tires'],
  ['jewellery', 'jewelry'],
  ['fulfil', 'fulfill'],
  ['fulfils', 'fulfills'],
  ['fulfilment', 'fulfillment'],
  ['enrolment', 'enrollment'],
  ['instalment', 'installment'],
  ['skilful', 'skillful'],
  ['wilful', 'willful'],
]);

/** The American spelling of a lowercase word, or the word itself when no rule names it. */
export function americanSpelling(british: string): string {
  const start = STARTS.find(([from]) => british.startsWith(from));
  const word = start ? start[1] + british.slice(start[0].length) : british;
  const whole = WORDS.get(word);
  if (whole !== undefined) return whole;
  if (OUR.test(word)) return word.replace(OUR, m => `${m.slice(0, -2)}r`);
  const ise = ISE.exec(word);
  if (ise) {
    const verb = `${ise[1]}ise`;
    if (!NOT_IZE.has(verb) && !NOT_IZE_ENDING.test(verb)) return `${ise[1]}iz${ise[2]}`;
  }
  const yse = YSE.exec(word);
  if (yse) return `${yse[1]}yz${yse[2]}`;
  const re = RE.exec(word);
  return re ? `${re[1]}er${re[2] === 'd' ? 'ed' : (re[2] ?? '')}` : word;
}
