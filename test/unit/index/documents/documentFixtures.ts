// Small documents made by the tests: a Jupyter notebook with markdown, code and outputs, and a Databricks notebook source.

/** A PNG's base64 as a notebook stores an image output: one long line that must never reach the index. */
export const IMAGE_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='.repeat(200);

/**
 * nbformat 4: a markdown cell, a code cell with stream, `text/plain` and image outputs, an empty code cell, and a
 * code cell whose source is one string. Cell 2's source is lines 1-3 (`import pandas…`, `df = …`, `df.describe()`).
 */
export function sampleNotebook(): string {
  return JSON.stringify(
    {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3' } },
      cells: [
        {
          cell_type: 'markdown',
          metadata: {},
          source: ['# Churn analysis\n', '\n', 'We load the quarterly churn table.'],
        },
        {
          cell_type: 'code',
          metadata: {},
          execution_count: 1,
          source: ['import pandas as pd\n', "df = pd.read_csv('churn.csv')\n", 'df.describe()\n'],
          outputs: [
            { output_type: 'stream', name: 'stdout', text: ['loaded 1200 rows\n'] },
            {
              output_type: 'execute_result',
              execution_count: 1,
              data: { 'text/plain': ['       tenure\n', 'count  1200'], 'text/html': ['<table>churnhtml</table>'] },
              metadata: {},
            },
            { output_type: 'display_data', data: { 'image/png': IMAGE_BASE64 }, metadata: {} },
          ],
        },
        { cell_type: 'code', metadata: {}, execution_count: null, source: [], outputs: [] },
        {
          cell_type: 'code',
          metadata: {},
          execution_count: 2,
          source: 'def retention(df):\n    return 1 - df.churned.mean()',
          outputs: [],
        },
      ],
    },
    null,
    1,
  );
}

/** A Databricks notebook exported as Python source: a `%md` cell, a Python cell and a `%sql` cell. */
export const DATABRICKS_SOURCE = [
  '# Databricks notebook source', // 1
  '# MAGIC %md', // 2
  '# MAGIC # Revenue pipeline', // 3
  '# MAGIC Loads the orders into the lakehouse.', // 4
  '', // 5
  '# COMMAND ----------', // 6
  '', // 7
  'orders = spark.read.table("raw.orders")', // 8
  'orders.write.saveAsTable("silver.orders")', // 9
  '', // 10
  '# COMMAND ----------', // 11
  '', // 12
  '# MAGIC %sql', // 13
  '# MAGIC SELECT region, sum(amount) FROM silver.orders GROUP BY region', // 14
  '',
].join('\n');
