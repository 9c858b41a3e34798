import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ONBOARDING_CONTEXT, WALKTHROUGH_ID, WALKTHROUGH_STEP } from '../../../src/shared/onboardingContext';
import { evaluateWhen, type Context } from './whenClause';

const ROOT = join(__dirname, '../../../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Command {
  command: string;
  title: string;
  category?: string;
}
interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}
interface Setting {
  order?: number;
  default?: unknown;
  scope?: string;
}
interface Category {
  id?: string;
  title?: string;
  order?: number;
  properties: Record<string, Setting>;
}
interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string; altText?: string };
  completionEvents?: string[];
}
interface Manifest {
  publisher: string;
  name: string;
  icon?: string;
  repository?: { url: string };
  homepage?: string;
  bugs?: { url: string };
  keywords?: string[];
  galleryBanner?: { color: string; theme: string };
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  contributes: {
    commands: Command[];
    menus: Record<string, MenuItem[]>;
    keybindings?: { command: string; key: string; win?: string; mac?: string; when?: string }[];
    views: Record<string, { id: string; type?: string; when?: string }[]>;
    viewsWelcome?: { view: string; contents: string; when?: string }[];
    walkthroughs?: { id: string; title: string; steps: Step[] }[];
    configuration: Category[] | Category;
  };
}

const manifest = JSON.parse(read('package.json')) as Manifest;
const nls = JSON.parse(read('package.nls.json')) as Record<string, string>;
const { contributes } = manifest;
const commandIds = contributes.commands.map(c => c.command);
const categories = (): Category[] =>
  Array.isArray(contributes.configuration) ? contributes.configuration : [contributes.configuration];
const settings = (): [string, Setting][] => categories().flatMap(c => Object.entries(c.properties));
/** The text of every .ts file under `dir`. */
const sourcesUnder = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? sourcesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [read(join(dir, e.name))] : [],
  );
/** A string of package.json as a user reads it: `%key%` replaced from package.nls.json. */
const localized = (s: string) => s.replace(/^%([^%\s]+)%$/, (_, key: string) => nls[key] ?? s);

/** The context keys of the default settings (`config.grounded.…`), with `overrides` on top. */
function contextWith(overrides: Context = {}): Context {
  const context: Context = { workspaceFolderCount: 1 };
  for (const [key, s] of settings()) {
    const value = s.default;
    if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number')
      context[`config.${key}`] = value;
  }
  return { ...context, ...overrides };
}

function paletteWhen(command: string): string | undefined {
  return contributes.menus.commandPalette?.find(m => m.command === command)?.when;
}
const inPalette = (command: string, context: Context) => {
  const when = paletteWhen(command);
  return when === undefined || evaluateWhen(when, context);
};

/** Commands meant in the palette in every state: they explain or set up Grounded, or ask. */
const EVERYWHERE = [
  'grounded.ask',
  'grounded.selectModel',
  'grounded.testConnection',
  'grounded.showLog',
  'grounded.tryInChat',
  'grounded.openWalkthrough',
];

describe('package.json: where commands appear', () => {
  it('gives every command a palette when clause, except the few meant everywhere', () => {
    for (const id of EVERYWHERE) assert.ok(commandIds.includes(id), `${id} is not a contributed command`);
    const unscoped = commandIds.filter(id => paletteWhen(id) === undefined);
    assert.deepEqual(unscoped.sort(), [...EVERYWHERE].sort());
    for (const item of contributes.menus.commandPalette ?? [])
      assert.ok(commandIds.includes(item.command), `the palette names ${item.command}, which is not contributed`);
  });

  it('shows no credential command while the default settings send no secret', () => {
    const context = contextWith();
    for (const id of [
      'grounded.setApiKey',
      'grounded.setDatabasePassword',
      'grounded.setDatabricksToken',
      'grounded.setEmbeddingsApiKey',
    ])
      assert.equal(inPalette(id, context), false, `${id} shows with the default settings`);
  });

  it('shows each credential command once a setting sends that secret', () => {
    const shown = (overrides: Context) =>
      [
        'grounded.setApiKey',
        'grounded.setDatabasePassword',
        'grounded.setDatabricksToken',
        'grounded.setEmbeddingsApiKey',
      ].filter(id => inPalette(id, contextWith(overrides)));
    assert.deepEqual(shown({ 'config.grounded.retriever': 'databricks-vector-search' }), [
      'grounded.setDatabricksToken',
    ]);
    assert.deepEqual(shown({ 'config.grounded.retriever': 'pgvector' }), ['grounded.setDatabasePassword']);
    assert.deepEqual(
      shown({ 'config.grounded.model.provider': 'openai-compatible', 'config.grounded.model.preset': 'databricks' }),
      ['grounded.setApiKey', 'grounded.setDatabricksToken'],
    );
    assert.deepEqual(
      shown({ 'config.grounded.model.provider': 'openai-compatible', 'config.grounded.model.preset': 'openai' }),
      ['grounded.setApiKey'],
    );
    assert.deepEqual(
      shown({
        'config.grounded.embeddings.model': 'text-embedding-3-small',
        'config.grounded.embeddings.preset': 'openai',
      }),
      ['grounded.setEmbeddingsApiKey'],
    );
    assert.deepEqual(
      shown({ 'config.grounded.embeddings.model': 'gte', 'config.grounded.embeddings.preset': 'databricks' }),
      ['grounded.setDatabricksToken', 'grounded.setEmbeddingsApiKey'],
    );
  });

  it('offers New Conversation only while the panel holds one', () => {
    assert.equal(inPalette('grounded.newConversation', contextWith()), false);
    assert.equal(
      inPalette('grounded.newConversation', contextWith({ [ONBOARDING_CONTEXT.hasConversation]: true })),
      true,
    );
  });

  it('titles read well after their category: "Grounded: Ask About Selection"', () => {
    for (const c of contributes.commands) {
      assert.equal(localized(c.category ?? ''), 'Grounded', `${c.command} has no Grounded category`);
      assert.doesNotMatch(localized(c.title), /\bGrounded\b/, `${c.command}'s title repeats its category`);
    }
    assert.equal(
      localized(contributes.commands.find(c => c.command === 'grounded.askAboutSelection')!.title),
      'Ask About Selection',
    );
  });

  it('registers every contributed command in the extension', () => {
    const code = sourcesUnder('src').join('\n');
    for (const id of commandIds) assert.ok(code.includes(`'${id}'`), `${id} is contributed but never registered`);
  });

  it('puts Ask About Selection in the editor context menu, in the chat group, when text is selected', () => {
    const item = contributes.menus['editor/context']?.find(m => m.command === 'grounded.askAboutSelection');
    assert.ok(item, 'Ask About Selection is not in the editor context menu');
    assert.match(item.group ?? '', /^1_chat(@\d+)?$/);
    assert.equal(evaluateWhen(item.when ?? 'true', { editorHasSelection: false }), false);
  });
});

describe('package.json: keybindings', () => {
  const bindings = contributes.keybindings ?? [];
  const states: Context[] = [];
  for (const editorTextFocus of [false, true])
    for (const editorHasSelection of [false, true])
      for (const terminalFocus of [false, true])
        if (!(terminalFocus && editorTextFocus)) states.push({ editorTextFocus, editorHasSelection, terminalFocus });
  const active = (command: string, state: Context) =>
    bindings.filter(b => b.command === command && evaluateWhen(b.when ?? 'true', state));

  it('binds Ask… and Ask About Selection on every platform, never both in one state', () => {
    for (const command of ['grounded.ask', 'grounded.askAboutSelection']) {
      const own = bindings.filter(b => b.command === command);
      assert.ok(own.length > 0, `${command} has no keybinding`);
      for (const b of own) assert.ok(b.key && b.mac, `${command} lacks a key for Windows/Linux or macOS`);
    }
    for (const state of states) {
      const ask = active('grounded.ask', state).length > 0;
      const selection = active('grounded.askAboutSelection', state).length > 0;
      assert.ok(!(ask && selection), `both bindings apply in ${JSON.stringify(state)}`);
    }
    assert.ok(active('grounded.askAboutSelection', { editorTextFocus: true, editorHasSelection: true }).length > 0);
    assert.ok(active('grounded.ask', { editorTextFocus: true, editorHasSelection: false }).length > 0);
  });

  it('binds no Ctrl+Alt+letter on Windows, where AltGr is Ctrl+Alt and types characters (AltGr+G is ] on some layouts)', () => {
    for (const b of bindings.filter(b => b.key.startsWith('ctrl+alt+')))
      assert.ok(b.win !== undefined && !b.win.startsWith('ctrl+alt+'), `${b.command} takes AltGr+${b.key.slice(9)}`);
  });

  it('leaves the terminal its own ctrl+alt+g (it sends a bell character there)', () => {
    for (const b of bindings.filter(b => b.key === 'ctrl+alt+g'))
      assert.equal(
        evaluateWhen(b.when ?? 'true', { terminalFocus: true }),
        false,
        `${b.command} takes the terminal's key`,
      );
  });
});

describe('package.json: localizable strings', () => {
  /** Fields people read; a tool's modelDescription and input schema are read by the model, in English. */
  const TEXT_FIELDS = new Set([
    'title',
    'shortTitle',
    'category',
    'description',
    'markdownDescription',
    'enumDescriptions',
    'markdownEnumDescriptions',
    'deprecationMessage',
    'markdownDeprecationMessage',
    'fullName',
    'displayName',
    'userDescription',
    'contents',
    'altText',
    'label',
  ]);
  const literals: string[] = [];
  const walk = (value: unknown, path: string[], field: string | undefined) => {
    if (path.includes('inputSchema')) return;
    if (typeof value === 'string') {
      const viewName = path.length === 5 && path[1] === 'views' && field === 'name';
      if ((field && TEXT_FIELDS.has(field)) || viewName)
        if (value !== '' && !/^%[^%\s]+%$/.test(value)) literals.push(`${path.join('.')}: ${value.slice(0, 60)}`);
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, String(i)], field));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k], k);
  };

  it('has every user-facing string of contributes as a %key%', () => {
    walk(contributes, ['contributes'], undefined);
    assert.deepEqual(literals, [], 'run node scripts/localizeManifest.mjs');
  });

  it('resolves every %key% in package.nls.json and holds no key nobody uses', () => {
    const text = read('package.json');
    const used = new Set([...text.matchAll(/"%([^%"\s]+)%"/g)].map(m => m[1]!));
    for (const key of used) assert.ok(key in nls, `%${key}% is not in package.nls.json`);
    for (const key of Object.keys(nls)) assert.ok(used.has(key), `package.nls.json holds ${key}, which nothing uses`);
  });
});

describe('package.json: settings', () => {
  it('puts every setting in a titled category, in order', () => {
    const cats = categories();
    assert.ok(cats.length >= 5, 'the settings are not split into categories');
    assert.deepEqual(
      cats.map(c => localized(c.title ?? '')),
      ['Models', 'Retrieval', 'Index', 'Team Retrievers', 'Embeddings'],
    );
    assert.deepEqual(
      cats.map(c => c.order),
      cats.map((_, i) => i + 1),
    );
    for (const c of cats) {
      assert.ok(c.id, `category ${c.title} has no id`);
      const orders = Object.entries(c.properties).map(([key, s]) => {
        assert.ok(Number.isInteger(s.order), `${key} has no order`);
        return s.order;
      });
      assert.equal(new Set(orders).size, orders.length, `two settings of ${localized(c.title ?? '')} share an order`);
    }
  });

  it('keeps every setting a workspace must not set (where a secret is sent) machine scoped', () => {
    const byKey = new Map(settings());
    // turns the local hybrid on: an untrusted workspace's settings must not send its every file, with the user's key,
    // to the user's embeddings endpoint; a trusted one may name its team's model
    const untrustedOnly = new Set(['grounded.embeddings.model']);
    for (const key of manifest.capabilities.untrustedWorkspaces.restrictedConfigurations)
      if (!untrustedOnly.has(key)) assert.equal(byKey.get(key)?.scope, 'machine', `${key} lost scope: machine`);
    for (const key of untrustedOnly) {
      assert.ok(byKey.has(key), `${key} is a setting`);
      assert.ok(
        manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(key),
        `${key} is restricted`,
      );
    }
    assert.equal(byKey.get('grounded.allowInsecureConnections')?.scope, 'machine');
  });
});

describe('package.json: onboarding', () => {
  const builtIns = ['workbench.action.files.openFolder'];
  const commandLinks = (text: string) => [...text.matchAll(/\(command:([\w.]+)/g)].map(m => m[1]!);

  it('shows the Get Started view, a tree that can hold welcome content, while the panel is empty', () => {
    const view = Object.values(contributes.views)
      .flat()
      .find(v => v.id === 'grounded.welcome');
    assert.ok(view, 'no grounded.welcome view');
    assert.equal(view.type ?? 'tree', 'tree', 'VS Code shows viewsWelcome only in tree views');
    assert.equal(evaluateWhen(view.when ?? 'true', {}), true);
    assert.equal(evaluateWhen(view.when ?? 'true', { [ONBOARDING_CONTEXT.hasConversation]: true }), false);
  });

  it('offers Select Model, Try @grounded in Chat and Index Status there, all contributed commands', () => {
    const welcome = (contributes.viewsWelcome ?? []).filter(w => w.view === 'grounded.welcome');
    const links = welcome.flatMap(w => commandLinks(localized(w.contents)));
    for (const id of ['grounded.selectModel', 'grounded.tryInChat', 'grounded.showIndex'])
      assert.ok(links.includes(id), `the welcome content has no button for ${id}`);
    // Select Model asks for the key of the endpoint chosen; a button of its own stored it for whatever the settings
    // named then (with the defaults, a custom endpoint bound to no server), before any endpoint was chosen
    assert.ok(!links.includes('grounded.setApiKey'), 'no Set API Key button before an endpoint is chosen');
    for (const id of links) assert.ok(commandIds.includes(id) || builtIns.includes(id), `${id} is not a command`);
  });

  it('has a walkthrough whose steps have their media and complete on events the extension raises', () => {
    const walkthrough = contributes.walkthroughs?.find(
      w => `${manifest.publisher}.${manifest.name}#${w.id}` === WALKTHROUGH_ID,
    );
    assert.ok(walkthrough, `no walkthrough ${WALKTHROUGH_ID}`);
    assert.deepEqual(
      walkthrough.steps.map(s => s.id),
      ['chooseModel', 'indexWorkspace', 'ask', 'readCitation'],
    );
    const settingKeys = settings().map(([key]) => key);
    // the context keys some code sets: setOnboardingContext('<event>') somewhere in src/vscode or extension.ts
    const code = sourcesUnder('src').join('\n');
    const contextKeys = Object.entries(ONBOARDING_CONTEXT)
      .filter(([event]) => code.includes(`setOnboardingContext('${event}'`))
      .map(([, key]) => key as string);
    for (const step of walkthrough.steps) {
      const media = step.media.markdown ?? step.media.image;
      assert.ok(media && existsSync(join(ROOT, media)), `${step.id}: media ${media} does not exist`);
      assert.ok(step.completionEvents?.length, `${step.id} never completes`);
      for (const event of step.completionEvents ?? []) {
        const [kind, target = ''] = event.split(/:(.*)/);
        if (kind === 'onCommand') assert.ok(commandIds.includes(target), `${step.id}: ${target} is not a command`);
        else if (kind === 'onSettingChanged')
          assert.ok(settingKeys.includes(target), `${step.id}: no setting ${target}`);
        else if (kind === 'onContext') assert.ok(contextKeys.includes(target), `${step.id}: nothing sets ${target}`);
        else assert.fail(`${step.id}: unexpected completion event ${event}`);
      }
      for (const id of commandLinks(localized(step.description)))
        assert.ok(commandIds.includes(id), `${step.id}: ${id} is not a command`);
    }
    // the steps an event marks complete directly (welcome.markStepComplete) are this walkthrough's
    for (const [event, stepId] of Object.entries(WALKTHROUGH_STEP)) {
      const step = walkthrough.steps.find(s => `${WALKTHROUGH_ID}#${s.id}` === stepId);
      assert.ok(step, `${event} marks ${stepId}, no step of the walkthrough`);
      const key = ONBOARDING_CONTEXT[event as keyof typeof ONBOARDING_CONTEXT];
      assert.ok(step.completionEvents?.includes(`onContext:${key}`), `${step.id} does not complete on ${key}`);
    }
  });
});

describe('package.json: listing', () => {
  it('has a 128×128 PNG icon', () => {
    assert.equal(manifest.icon, 'media/icon.png');
    const png = readFileSync(join(ROOT, manifest.icon));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.toString('ascii', 12, 16), 'IHDR');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });

  it('names a real repository, homepage, bug tracker, keywords and banner', () => {
    assert.match(manifest.repository?.url ?? '', /^https:\/\/github\.com\/[\w-]+\/[\w-]+(\.git)?$/);
    assert.match(manifest.homepage ?? '', /^https:\/\//);
    assert.match(manifest.bugs?.url ?? '', /^https:\/\/.*\/issues$/);
    assert.ok((manifest.keywords ?? []).length >= 5 && (manifest.keywords ?? []).length <= 30);
    assert.match(manifest.galleryBanner?.color ?? '', /^#[0-9a-f]{6}$/i);
    assert.ok(existsSync(join(ROOT, 'CHANGELOG.md')), 'no CHANGELOG.md');
  });

  it("packs the icon, the strings, the walkthrough pages, the changelog, the worker bundles and pdf.js's character maps, and no scripts", () => {
    const allowed = read('.vscodeignore')
      .split('\n')
      .filter(l => l.startsWith('!'))
      .map(l => l.slice(1));
    for (const pattern of [
      'media/**',
      'package.nls*.json',
      'CHANGELOG.md',
      'README.md',
      'dist/indexWorker.js',
      'dist/documentExtractor.js',
      'dist/pdfjs-cmaps/**',
    ])
      assert.ok(allowed.includes(pattern), `.vscodeignore does not pack ${pattern}`);
    assert.ok(!allowed.some(p => p.startsWith('scripts')), '.vscodeignore packs scripts/');
  });
});
