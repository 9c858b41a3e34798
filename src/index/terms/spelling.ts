// British and American spellings of one word give one term: a question or claim in one spelling finds and aligns to
// text in the other (tumour, tumor; randomised, randomized; haemoglobin, hemoglobin; centre, center). Only
// spellings that differ by a known pattern are joined, each by a rule on a lowercase word before it is stemmed; a word
// the rules do not name is left as it is.

/** Inside a word, British `our` that is American `or`: colour, discoloured, favourite, behavioural, vapourise… */
const OUR =
  /(?:arbo|ardo|armo|behavio|cando|clamo|colo|demeano|endeavo|favo|fervo|flavo|glamo|harbo|hono|humo|labo|neighbo|odo|parlo|ranco|rigo|rumo|savio|savo|splendo|succo|tumo|valo|vapo|vigo)ur/;

/**
 * Respellings inside a word, each applied in turn: the ae and oe of medicine and biology (haemoglobin, anaemia,
 * glycaemic, oestrogen, paediatric, diarrhoea), and a few more (sulphate, mould, sceptical, greyscale, catalogued,
 * manoeuvring).
 */
const INSIDE: readonly (readonly [RegExp, string])[] = [
  [/haem/, 'hem'],
  [/anaesth/, 'anesth'],
  [/aetiolog/, 'etiolog'],
  [/paed/, 'ped'],
  [/gynaec/, 'gynec'],
  [/caec/, 'cec'],
  [/oesophag/, 'esophag'],
  [/oestr/, 'estr'],
  [/oedem/, 'edem'],
  [/foet/, 'fet'],
  [/coeliac/, 'celiac'],
  [/aemi(a|as|c|cs|cally)$/, 'emi$1'],
  [/rrhoe(a|al|ic)$/, 'rrhe$1'],
  [/pnoe(a|ic)$/, 'pne$1'],
  [/sulph/, 'sulf'],
  [/mould/, 'mold'],
  [/plough/, 'plow'],
  [/sceptic/, 'skeptic'],
  [/manoeuvr(?:e(?=s?$))?/, 'maneuver'],
  [/artefact/, 'artifact'],
  [/palaeo/, 'paleo'],
  [/mediaev/, 'mediev'],
  [/homoeo/, 'homeo'],
  [/^caesium/, 'cesium'],
  [/^woollen/, 'woolen'],
  [/^licenc/, 'licens'],
  [/^(skil|wil)ful/, '$1lful'],
  [/^(acknowledg|judg)ement/, '$1ment'],
  [/^(fuel|dial|duel|gruel|trial|vial|jewel|counsel)l(ed|ing|er|ers|or|ors)$/, '$1$2'],
  [/(cent|fib|theat)re(?=[a-z]{3})/, '$1er'],
  [/^practis/, 'practic'],
  [/^enquir/, 'inquir'],
  [/^grey/, 'gray'],
  [/^(cata|ana|dia)logu(?:e(?=s?$))?/, '$1log'],
];

/** Whether any INSIDE rule may apply: one test, so that most words pass through without trying each. */
const ANY_INSIDE = new RegExp(INSIDE.map(([pattern]) => `(?:${pattern.source})`).join('|'));

/** A verb in `ise` with its inflections and derived words: organise, organised, organiser, organisation, recognisable. */
const ISE = /^([a-z]{3,})is(e|es|ed|ing|er|ers|ation|ations|ational|ationally|able|ably|ement|ements)$/;
/**
 * Words whose `ise` is not the `ize` of a verb, by how they end (otherwise, precise but not criticise or ostracise,
 * advise, surprise, cruise, noise but not memoise, raise, franchise, promise, uncompromising), and a few whole words.
 */
const NOT_IZE_ENDING =
  /(?:wise|(?:pre|con|exer|ex|in|circum)cise|vise|prise|uise|noise|poise|quoise|toise|aise|chise|promise|premise|demise|chemise|expertise|advertise|chastise|treatise|mortise|paradise|merchandise|despise|valise|surmise)$/;
const NOT_IZE = new Set(['sunrise', 'moonrise', 'uprise']);
/** Verbs in `yse`: analyse, analysed, analysing, analyser, analysable, paralyse, catalyse, hydrolyse. */
const YSE = /^([a-z]{2,}l)ys(e|es|ed|ing|er|ers|able)$/;
/** Words whose British `re` is American `er`: centre, centred, centring, metres, litre, fibre, theatre. */
const RE =
  /^([a-z]*(?:cent|met|lit|fib|theat|spect|scept|calib|somb|lust|sab|meag|sepulch|mit|goit|och|reconnoit))(re|res|red|ring)$/;
const RE_AMERICAN: Readonly<Record<string, string>> = { re: 'er', res: 'ers', red: 'ered', ring: 'ering' };

/**
 * Whole words that differ otherwise. Left out: those whose American spelling is another common word (cheque, check;
 * storey, story; tyre, tire).
 */
const WORDS = new Map([
  ['programme', 'program'],
  ['programmes', 'programs'],
  ['defence', 'defense'],
  ['defences', 'defenses'],
  ['offence', 'offense'],
  ['offences', 'offenses'],
  ['pretence', 'pretense'],
  ['ageing', 'aging'],
  ['aluminium', 'aluminum'],
  ['jewellery', 'jewelry'],
  ['fulfil', 'fulfill'],
  ['fulfils', 'fulfills'],
  ['fulfilment', 'fulfillment'],
  ['enrolment', 'enrollment'],
  ['instalment', 'installment'],
]);

/**
 * The American spelling of a lowercase word, up to what stemming removes after it, or the word itself when no rule
 * names it.
 */
export function americanSpelling(british: string): string {
  let word = british;
  if (ANY_INSIDE.test(word)) for (const [pattern, american] of INSIDE) word = word.replace(pattern, american);
  word = word.replace(OUR, m => `${m.slice(0, -2)}r`);
  const whole = WORDS.get(word);
  if (whole !== undefined) return whole;
  const ise = ISE.exec(word);
  if (ise) {
    const verb = `${ise[1]}ise`;
    return NOT_IZE.has(verb) || NOT_IZE_ENDING.test(verb) ? word : `${ise[1]}iz${ise[2]}`;
  }
  const yse = YSE.exec(word);
  if (yse) return `${yse[1]}yz${yse[2]}`;
  const re = RE.exec(word);
  return re ? `${re[1]}${RE_AMERICAN[re[2] as string]}` : word;
}
