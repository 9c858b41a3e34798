// Runs one mocha suite and records its counts in test-artifacts/results/<name>.json, which
// test/summary.js adds up into the one line CI reads. Used by the unit and e2e suites here, and by the
// extension-host suite from inside VS Code (test/host/suite/index.ts).
//   node test/mochaRun.js <name> <timeoutMs> <dir-or-file>...   (a dir: every *.test.js below it)
const fs = require('fs'),
  path = require('path');
const Mocha = require('mocha');

function recordResults(name, stats, root = process.cwd()) {
  const dir = path.join(root, 'test-artifacts', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `${name}.json`),
    JSON.stringify({ name, passed: stats.passes, failed: stats.failures, ms: stats.duration }),
  );
}

function runMocha(name, files, { timeout = 10000, root = process.cwd() } = {}) {
  const mocha = new Mocha({ ui: 'bdd', timeout, color: !process.env.CI, reporter: 'spec' });
  for (const f of files) mocha.addFile(path.resolve(root, f));
  return new Promise(resolve => {
    const runner = mocha.run(failures => {
      recordResults(name, runner.stats ?? { passes: 0, failures, duration: 0 }, root);
      resolve(failures);
    });
  });
}

/** A file, or every *.test.js below a folder. */
function testFiles(p) {
  if (!fs.existsSync(p)) return [];
  if (!fs.statSync(p).isDirectory()) return [p];
  return fs
    .readdirSync(p, { recursive: true })
    .map(String)
    .filter(f => f.endsWith('.test.js'))
    .map(f => path.join(p, f));
}

module.exports = { runMocha, recordResults, testFiles };

if (require.main === module) {
  const [name, timeout, ...patterns] = process.argv.slice(2);
  const files = patterns.flatMap(testFiles).sort();
  if (files.length === 0) {
    console.error(`[${name}] no test files match ${patterns.join(' ')}`);
    recordResults(name, { passes: 0, failures: 1, duration: 0 });
    process.exit(1);
  }
  runMocha(name, files, { timeout: Number(timeout) }).then(failures => process.exit(failures ? 1 : 0));
}
