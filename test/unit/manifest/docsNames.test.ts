import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Setting {
  type?: string | string[];
  default?: unknown;
  enum?: unknown[];
}
interface Manifest {
  contributes: {
    commands: { command: string; title: string }[];
    configuration: { properties: Record<string, Setting> }[];
  };
}

const manifest = JSON.parse(read('package.json')) as Manifest;
const strings = JSON.parse(read('package.nls.json')) as Record<string, string>;
const settings: Record<string, Setting> = Object.assign(
  {},
  ...manifest.contributes.configuration.map(category => category.properties),
);
const titles = new Set(
  manifest.contributes.commands.map(c => c.title.replace(/^%(.+)%$/, (_, key: string) => strings[key] ?? key)),
);

/** The product docs a user reads, each with its lines joined, so a name wrapped across lines is one name. */
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter(f => f.endsWith('.md'))
    .map(f => `docs/${f}`),
].map(file => ({ file, text: read(file).replace(/\s+/g, ' ') }));

/** `value` as the docs write a setting's default ("on", "200,000", `vscode`), as package.json holds it. */
function asDefault(value: string): unknown {
  if (value === 'on') return true;
  if (value === 'off') return false;
  if (/^\d[\d,]*$/.test(value)) return Number(value.replace(/,/g, ''));
  return value;
}

describe('README.md and docs/*.md: the settings and commands they name', () => {
  it('names only settings package.json contributes', () => {
    const unknown: string[] = [];
    for (const { file, text } of DOCS)
      for (const [, name] of text.matchAll(/`(grounded\.(?!vsix`)[\w.]*\w)(?::[^`]*)?`/g))
        // grounded.vsix: the package file
        if (name && !settings[name]) unknown.push(`${file}: ${name}`);
    assert.deepEqual(unknown, []);
  });

  it('gives each setting the default package.json gives it', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const { file, text } of DOCS) {
      const stated = [
        // `grounded.x` (what it does; default 8)
        ...text.matchAll(/`(grounded\.[\w.]+)` \([^()]*?\bdefault (on|off|\d[\d,]*\d|\d)\b/g),
        // `grounded.x` is `vscode` (default
        ...text.matchAll(/`(grounded\.[\w.]+)` is `([^`]+)` \(default/g),
        // `grounded.x` … (off by default
        ...text.matchAll(/`(grounded\.[\w.]+)`[^`.]*?\((on|off) by default/g),
      ];
      for (const [, name = '', value = ''] of stated) {
        checked++;
        const setting = settings[name];
        if (!setting) continue; // the test above names it
        if (setting.default !== asDefault(value))
          wrong.push(`${file}: ${name} default ${value}, package.json ${JSON.stringify(setting.default)}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(checked >= 8, `only ${checked} defaults found in the docs: has their wording changed?`);
  });

  it('gives a setting only values it takes', () => {
    const wrong: string[] = [];
    for (const { file, text } of DOCS)
      for (const [, name = '', value = ''] of text.matchAll(/`(grounded\.[\w.]+)(?:`: `|: ")([^`"]+)/g)) {
        const options = settings[name]?.enum;
        if (options && !options.includes(value)) wrong.push(`${file}: ${name} ${value}`);
      }
    assert.deepEqual(wrong, []);
  });

  it('names only commands package.json contributes, by their titles', () => {
    const unknown: string[] = [];
    for (const { file, text } of DOCS)
      for (const [, title = ''] of text.matchAll(/\*{1,2}Grounded: ([^*]+)\*{1,2}/g))
        if (!titles.has(title.trim())) unknown.push(`${file}: Grounded: ${title}`);
    assert.deepEqual(unknown, []);
  });
});
