// The panel's render cost: a scripted 20,000-token answer posted at full speed into the real panel page
// (dist/webview.js in Debian chromium, see test/e2e/panelHarness.ts). Reports total time, frames, the slowest
// frame and long tasks (PerformanceObserver), and the per-frame cost early vs late in the answer, which stays
// flat when rendering does not grow with the answer's length.
import { openPanelPage } from '../e2e/panelHarness';
import type { Bench } from './benchTypes';

export const run: Bench = async ({ quick }) => {
  const tokens = quick ? 5000 : 20_000;
  const panel = await openPanelPage();
  try {
    await panel.post({
      type: 'turnStarted',
      turn: {
        id: 'b',
        question: 'bench',
        answer: '',
        sources: [{ n: 1, path: 'a.md', startLine: 1, endLine: 2 }],
        cited: [],
        status: 'streaming',
      },
    });
    const r = await panel.page.evaluate(async count => {
      const longTasks: number[] = [];
      new PerformanceObserver(list => list.getEntries().forEach(e => longTasks.push(e.duration))).observe({
        entryTypes: ['longtask'],
      });
      const frames: number[] = [];
      let last = performance.now();
      let streaming = true;
      const tick = () => {
        const now = performance.now();
        frames.push(now - last);
        last = now;
        if (streaming) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const word = (i: number) =>
        i % 97 === 0
          ? '\n\n'
          : i % 401 === 0
            ? '\n\n```ts\nconst x = 1;\n```\n\n'
            : i % 53 === 0
              ? ' [1]'
              : ` word${i % 31}`;
      const t0 = performance.now();
      for (let i = 0; i < count; i++) window.postMessage({ type: 'tokens', turnId: 'b', text: word(i) }, '*');
      window.postMessage({ type: 'done', turnId: 'b', cited: [1] }, '*');
      while (document.querySelector('.turn')?.getAttribute('data-status') !== 'done')
        await new Promise(res => setTimeout(res, 5));
      await new Promise(requestAnimationFrame);
      const total = performance.now() - t0;
      streaming = false;
      const busy = frames.slice(1);
      const third = Math.max(1, Math.floor(busy.length / 3));
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      return {
        total,
        frames: busy.length,
        maxFrame: Math.max(...busy),
        slowFrames: busy.filter(d => d > 50).length,
        early: mean(busy.slice(0, third)),
        late: mean(busy.slice(-third)),
        longTasks: longTasks.length,
        longestTask: Math.max(0, ...longTasks),
        chars: document.querySelector('.answer')?.textContent?.length ?? 0,
      };
    }, tokens);
    const f = (n: number) => n.toFixed(1);
    return {
      name: 'panel',
      tables: [
        {
          title: `Panel render: ${tokens.toLocaleString('en-US')}-token answer at full speed (Chromium, 2 cores)`,
          columns: ['figure', 'value'],
          rows: [
            ['total render time', `${f(r.total)} ms`],
            ['answer size', `${r.chars.toLocaleString('en-US')} chars`],
            ['frames while streaming', r.frames],
            ['slowest frame', `${f(r.maxFrame)} ms`],
            ['frames over 50 ms', r.slowFrames],
            [
              'mean frame, first third / last third',
              `${f(r.early)} / ${f(r.late)} ms (×${(r.late / r.early).toFixed(2)})`,
            ],
            ['long tasks (> 50 ms)', `${r.longTasks} (longest ${f(r.longestTask)} ms)`],
          ],
        },
      ],
      json: { tokens, ...r },
    };
  } finally {
    await panel.close();
  }
};
