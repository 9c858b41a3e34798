// `npm run bench`: runs every out/test/bench/*.bench.js (compiled from test/bench/*.bench.ts) one after the
// other and prints its tables; `-- --json` prints one JSON object instead; `-- --quick` runs smaller sizes;
// `-- NAME…` runs only those benchmarks (`scale` runs only when named). Benchmarks measure and report: they never
// pass or fail on a timing.
const fs = require('fs'),
  path = require('path');
const dir = path.resolve(__dirname, '../../out/test/bench');
const args = process.argv.slice(2);
const json = args.includes('--json'),
  quick = args.includes('--quick');
// Names are the words that are not options nor an option's value (`--chunks N`, read by the scale bench).
const only = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--chunks');

// Benchmarks that run only when named: `scale` builds a million-chunk corpus and takes up to 15 minutes.
const NAMED_ONLY = ['scale.bench.js'];

function printTable(t) {
  const cells = [t.columns, ...t.rows.map(r => r.map(String))];
  const widths = t.columns.map((_, i) => Math.max(...cells.map(r => (r[i] ?? '').length)));
  const line = r => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  console.log(`\n### ${t.title}\n`);
  console.log(line(t.columns));
  console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const r of t.rows) console.log(line(r.map(String)));
}

(async () => {
  const files = fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.bench.js'))
    .sort()
    .filter(f => (only.length === 0 && !NAMED_ONLY.includes(f)) || only.includes(f.replace('.bench.js', '')));
  const all = {};
  for (const f of files) {
    const { run } = require(path.join(dir, f));
    const result = await run({ quick });
    all[result.name] = result.json;
    if (!json) for (const t of result.tables) printTable(t);
  }
  if (json) console.log(JSON.stringify(all));
})().catch(e => {
  console.error(e);
  process.exit(1);
});
