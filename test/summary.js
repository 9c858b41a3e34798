// Adds up every suite's counts (test-artifacts/results/*.json, written by test/mochaRun.js) into the one line
// CI reads: `N passed, N failed`. A suite that was expected but wrote no results counts as one failure.
//   node test/summary.js unit host e2e
const fs = require('fs'),
  path = require('path');
const dir = path.resolve(__dirname, '..', 'test-artifacts', 'results');
let passed = 0,
  failed = 0;
for (const name of process.argv.slice(2)) {
  const file = path.join(dir, `${name}.json`);
  if (!fs.existsSync(file)) {
    console.log(`[summary] ${name}: no results (the suite did not run to the end)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  console.log(
    `[summary] ${name.padEnd(6)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed  ${(r.ms / 1000).toFixed(1)} s`,
  );
  passed += r.passed;
  failed += r.failed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
