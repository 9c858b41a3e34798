// Moves every user-facing string of package.json into package.nls.json and puts its `%key%` in its place, so the
// listing, commands, views, walkthrough and settings can be translated (package.nls.<locale>.json):
//   node scripts/localizeManifest.mjs
// Run it after adding a contributed string. Strings already `%key%` are left alone; package.json is changed by text
// edits at the strings' own offsets, read and written at once, so concurrent edits elsewhere in it survive.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { applyEdits, jsonSpans } from './jsonSpans.mjs';

const MANIFEST = 'package.json';
const NLS = 'package.nls.json';

/** The part of an id after `grounded.`, as nls keys name things. */
const short = id => String(id).replace(/^grounded\./, '');

/**
 * The nls key of the string at `path` in package.json, or undefined when that string is not shown to people (ids,
 * commands, when clauses, a tool's modelDescription, which the model reads in English).
 */
export function nlsKey(path, manifest) {
  const [top, section, i, field, j, field2] = path;
  if (path.length === 1 && (top === 'displayName' || top === 'description')) return `extension.${top}`;
  if (top === 'capabilities' && path.join('.') === 'capabilities.untrustedWorkspaces.description')
    return 'capabilities.untrustedWorkspaces.description';
  if (top !== 'contributes') return undefined;
  const c = manifest.contributes;
  switch (section) {
    case 'commands':
      if (field === 'title' || field === 'shortTitle') return `command.${short(c.commands[i].command)}.${field}`;
      if (field === 'category') return 'command.category';
      return undefined;
    case 'chatParticipants': {
      const p = `chatParticipant.${c.chatParticipants[i].name}`;
      if (field === 'fullName' || field === 'description') return `${p}.${field}`;
      if (field === 'commands' && field2 === 'description')
        return `${p}.command.${c.chatParticipants[i].commands[j].name}.description`;
      return undefined;
    }
    case 'viewsContainers':
      return path[4] === 'title' ? `viewContainer.${short(c.viewsContainers[i][field].id)}.title` : undefined;
    case 'views':
      return path[4] === 'name' || path[4] === 'contextualTitle'
        ? `view.${short(c.views[i][field].id)}.${path[4]}`
        : undefined;
    case 'viewsWelcome': {
      if (field !== 'contents') return undefined;
      const view = c.viewsWelcome[i].view;
      const nth = c.viewsWelcome.slice(0, i).filter(w => w.view === view).length + 1;
      return `viewsWelcome.${short(view)}.${nth}`;
    }
    case 'walkthroughs': {
      const w = `walkthrough.${short(c.walkthroughs[i].id)}`;
      if (field === 'title' || field === 'description') return `${w}.${field}`;
      if (field !== 'steps') return undefined;
      const s = `${w}.step.${c.walkthroughs[i].steps[j].id}`;
      if (field2 === 'title' || field2 === 'description') return `${s}.${field2}`;
      if (field2 === 'media' && path[6] === 'altText') return `${s}.altText`;
      return undefined;
    }
    case 'languageModelTools': {
      const t = `tool.${short(c.languageModelTools[i].name)}`;
      return field === 'displayName' || field === 'userDescription' ? `${t}.${field}` : undefined;
    }
    case 'configuration':
      return configurationKey(path.slice(2), c.configuration);
    default:
      return undefined;
  }
}

const SETTING_TEXT = new Set([
  'description',
  'markdownDescription',
  'deprecationMessage',
  'markdownDeprecationMessage',
]);
const ENUM_TEXT = new Set(['enumDescriptions', 'markdownEnumDescriptions']);

/** Keys of the configuration's category titles and setting descriptions (nested object properties included). */
function configurationKey(path, configuration) {
  const [i, field, setting, ...rest] = path;
  if (typeof i !== 'number') return undefined;
  const category = configuration[i];
  if (field === 'title' && path.length === 2) return `config.category.${short(category.id)}.title`;
  if (field !== 'properties' || setting === undefined) return undefined;
  let key = `config.${short(setting)}`;
  let schema = category.properties[setting];
  let tail = rest;
  while (tail[0] === 'properties' && tail.length >= 2) {
    key += `.${tail[1]}`;
    schema = schema.properties[tail[1]];
    tail = tail.slice(2);
  }
  if (tail.length === 1 && SETTING_TEXT.has(tail[0])) return `${key}.${tail[0]}`;
  if (tail.length === 2 && ENUM_TEXT.has(tail[0])) return `${key}.enum.${schema.enum[tail[1]]}`;
  return undefined;
}

function localize() {
  const text = readFileSync(MANIFEST, 'utf8');
  const manifest = JSON.parse(text);
  const nls = existsSync(NLS) ? JSON.parse(readFileSync(NLS, 'utf8')) : {};
  const edits = [];
  for (const span of jsonSpans(text)) {
    if (typeof span.value !== 'string' || span.value === '' || /^%[^%\s]+%$/.test(span.value)) continue;
    const key = nlsKey(span.path, manifest);
    if (!key) continue;
    if (key in nls && nls[key] !== span.value) throw new Error(`${key} is already in ${NLS} with another text`);
    nls[key] = span.value;
    edits.push({ start: span.start, end: span.end, text: JSON.stringify(`%${key}%`) });
  }
  if (edits.length === 0) return console.log('Every contributed string is already localizable.');
  // the strings first: a manifest whose write fails keeps its literals, never a %key% with no string behind it
  writeFileSync(NLS, JSON.stringify(nls, null, 2) + '\n');
  writeFileSync(MANIFEST, applyEdits(text, edits));
  console.log(`Moved ${edits.length} strings to ${NLS}.`);
}

if (import.meta.url === `file://${process.argv[1]}`) localize();
