// Fails when the modules of src/ import each other in a cycle, naming each cycle:
//   node scripts/checkCycles.mjs [folder]   (default src)
// Every import counts, `import type` and `export … from` included: a cycle of types still ties the modules together
// (neither can be read, moved or tested without the other), and dynamic `import()` and `require()` count too.
// Imports are read with the TypeScript compiler's pre-processor (no type check) and resolved as tsconfig.json says.
import ts from 'typescript';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(process.argv[2] ?? 'src');
const { config } = ts.readConfigFile('tsconfig.json', ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(config, ts.sys, process.cwd());

/** The .ts files under `dir`, absolute. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

const files = sources(root).sort();
const inRoot = new Set(files);
/** Each module's imports inside the folder, in the order it writes them. */
const graph = new Map(
  files.map(file => {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map(({ fileName }) => ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule?.resolvedFileName)
      .filter(target => target !== undefined && inRoot.has(path.resolve(target)))
      .map(target => path.resolve(target));
    return [file, [...new Set(targets)]];
  }),
);

/** Strongly connected components (Tarjan): every module of a component with more than one member is in a cycle. */
function components() {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = v => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v).includes(v)) found.push(component);
    }
  };
  for (const v of files) if (!index.has(v)) visit(v);
  return found;
}

/** One cycle through `start` inside `members` (breadth-first, so the shortest). */
function cycleFrom(start, members) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of graph.get(v)) {
      if (w === start) {
        const cycle = [v];
        for (let u = previous.get(v); u !== undefined; u = previous.get(u)) cycle.unshift(u);
        return [...cycle, start];
      }
      if (members.has(w) && !previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

const name = file => path.relative(process.cwd(), file).split(path.sep).join('/');
const cycles = components();
for (const component of cycles) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const more =
    component.length > 2 ? ` (${component.length} modules in all: ${component.map(name).sort().join(', ')})` : '';
  console.error(`checkCycles: import cycle ${cycleFrom(start, members).map(name).join(' → ')}${more}`);
}
if (cycles.length > 0) {
  console.error(
    `checkCycles: ${cycles.length} import cycle${cycles.length === 1 ? '' : 's'} in ${name(root)}: move what both sides need into a module of its own.`,
  );
  process.exit(1);
}
console.log(`checkCycles: no import cycles in ${name(root)} (${files.length} modules)`);
