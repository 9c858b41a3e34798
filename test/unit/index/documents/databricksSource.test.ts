import assert from 'node:assert/strict';
import { extractDatabricksSource, mayBeDatabricksSource } from '../../../../src/index/documents/databricksSource';
import { DATABRICKS_SOURCE } from './documentFixtures';

describe('extractDatabricksSource', () => {
  it('keeps the file’s lines where they are, with the MAGIC prefixes and magic commands taken off', () => {
    const doc = extractDatabricksSource(DATABRICKS_SOURCE);
    assert.ok(doc);
    const lines = doc.text.split('\n');
    assert.equal(lines.length, 14);
    assert.equal(lines[2], '# Revenue pipeline');
    assert.equal(lines[3], 'Loads the orders into the lakehouse.');
    assert.equal(lines[7], 'orders = spark.read.table("raw.orders")');
    assert.equal(lines[13], 'SELECT region, sum(amount) FROM silver.orders GROUP BY region');
    assert.ok(!doc.text.includes('MAGIC') && !doc.text.includes('COMMAND') && !doc.text.includes('%md'));
  });

  it('makes one unit per cell, split at the COMMAND lines, a %md cell markdown', () => {
    const doc = extractDatabricksSource(DATABRICKS_SOURCE);
    assert.deepEqual(doc?.units, [
      { kind: 'markdown', cell: 1, start: 1, end: 5 },
      { kind: 'code', cell: 2, start: 6, end: 10 },
      { kind: 'code', cell: 3, start: 11, end: 14 },
    ]);
  });

  it('knows the marker in SQL and Scala, and nothing without it', () => {
    assert.ok(extractDatabricksSource('-- Databricks notebook source\nSELECT 1\n-- COMMAND ----------\nSELECT 2'));
    assert.ok(extractDatabricksSource('// Databricks notebook source\r\nval x = 1\r\n'));
    assert.equal(extractDatabricksSource('# A notebook, say\nprint(1)\n'), undefined);
    assert.equal(extractDatabricksSource('print(1)\n# Databricks notebook source\n'), undefined);
  });

  it('is looked for in .py, .sql, .scala and .r files only', () => {
    assert.deepEqual(['a.py', 'b.SQL', 'c.scala', 'd.r', 'e.ts', 'f.md', 'py'].map(mayBeDatabricksSource), [
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
