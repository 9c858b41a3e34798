import { OpenAIClient } from '@langchain/openai';
import { performance } from 'node:perf_hooks';
import { ask } from '../../src/core/ask';
import type { AskOptions } from '../../src/core/options';
import { createOpenAiCompatibleModel } from '../../src/providers/openAiCompatible';
import { FakeRetriever, passage } from '../fakes/fakeRetriever';
import { FaultServer, isGradeRequest } from '../fakes/faultServer';
import { until } from '../support/until';
import type { Bench } from './benchTypes';

// The cost of Grounded's flow over a bare client, on a loopback endpoint (so the network is ~0 and the overhead
// shows): time to first token through ask() vs the `openai` client streaming the same server directly, tokens/s
// through ask() to a consumer, the round trips grading adds, and how soon a cancel closes the connection.
// Reports only; never asserts a timing.

const SHORT = ['Hello', ' from', ' the', ' endpoint', ' [1].'];
const retriever = new FakeRetriever(() => [passage(1, 'flux level is 88'), passage(2), passage(3)]);

export const run: Bench = async ({ quick }) => {
  const rounds = quick ? 30 : 200;
  const streamTokens = quick ? 5_000 : 20_000;
  const long = Array.from({ length: streamTokens }, (_, i) => `w${i} `);
  let reply: string[] = SHORT;
  const server = await FaultServer.start(request => ({
    tokens: isGradeRequest(request) ? ['{"relevant":[1,2]}'] : reply,
  }));
  try {
    const model = createOpenAiCompatibleModel(
      { preset: 'custom', label: 'bench', baseURL: server.baseUrl, model: 'bench', keyRequired: false },
      'bench',
      'k',
    );
    const client = new OpenAIClient({ baseURL: server.baseUrl, apiKey: 'k', maxRetries: 0 });

    const viaAsk = (options: Partial<AskOptions>) => async () => {
      const started = performance.now();
      let first = 0;
      let count = 0;
      for await (const e of ask({ question: 'flux level?' }, { retriever, model, options })) {
        if (e.type === 'token') {
          first ||= performance.now() - started;
          count++;
        }
        if (e.type === 'error') throw e.error;
      }
      return { first, total: performance.now() - started, count };
    };
    const direct = async () => {
      const started = performance.now();
      let first = 0;
      let count = 0;
      const stream = await client.chat.completions.create({
        model: 'bench',
        stream: true,
        messages: [{ role: 'user', content: 'flux level?' }],
      });
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) {
          first ||= performance.now() - started;
          count++;
        }
      }
      return { first, total: performance.now() - started, count };
    };

    const noGrading = viaAsk({ grading: false });
    const withGrading = viaAsk({ grading: true });
    await repeat(10, direct);
    await repeat(10, noGrading);
    // Interleaved so that drift on a shared machine hits both sides alike.
    const directTimes: number[] = [];
    const askTimes: number[] = [];
    for (let i = 0; i < rounds; i++) {
      directTimes.push((await direct()).first);
      askTimes.push((await noGrading()).first);
    }
    const before = server.chatRequests.length;
    const gradedTimes = (await repeat(rounds, withGrading)).map(r => r.first);
    const tripsGraded = (server.chatRequests.length - before) / rounds;
    const tripsUngraded = 1;

    reply = long;
    const throughputAsk = await noGrading();
    const throughputDirect = await direct();
    const rate = (r: { count: number; total: number; first: number }) =>
      Math.round(r.count / ((r.total - r.first) / 1000));

    // A cancel while tokens stream, and one while the endpoint has not sent a first token: the time from abort() to
    // the server seeing the connection closed.
    const cancelRounds = quick ? 10 : 50;
    const cancelMidStream: number[] = [];
    const cancelBeforeFirst: number[] = [];
    for (let i = 0; i < cancelRounds; i++) {
      server.enqueue({ tokens: long.slice(0, 50), tokenDelayMs: 20 });
      cancelMidStream.push(await closedAfterCancel(server, model, 'on-first-token'));
      server.enqueue({ stallBeforeFirstMs: Infinity });
      cancelBeforeFirst.push(await closedAfterCancel(server, model, 'once-started'));
    }

    const p = (xs: number[], q: number) => round(percentile(xs, q));
    const overhead50 = round(percentile(askTimes, 0.5) - percentile(directTimes, 0.5));
    const overhead95 = round(percentile(askTimes, 0.95) - percentile(directTimes, 0.95));
    return {
      name: 'provider',
      tables: [
        {
          title: `Time to first token, loopback OpenAI-compatible endpoint (${rounds} questions each, ms)`,
          columns: ['path', 'round trips', 'p50', 'p95', 'overhead p50', 'overhead p95'],
          rows: [
            ['openai client, direct stream', 1, p(directTimes, 0.5), p(directTimes, 0.95), '—', '—'],
            [
              'ask(), grading off',
              tripsUngraded,
              p(askTimes, 0.5),
              p(askTimes, 0.95),
              `${overhead50} (target ≤ 10)`,
              overhead95,
            ],
            [
              'ask(), grading on',
              tripsGraded,
              p(gradedTimes, 0.5),
              p(gradedTimes, 0.95),
              round(percentile(gradedTimes, 0.5) - percentile(directTimes, 0.5)),
              round(percentile(gradedTimes, 0.95) - percentile(directTimes, 0.95)),
            ],
          ],
        },
        {
          title: `Streaming throughput, one ${streamTokens.toLocaleString('en-US')}-token answer (tokens/s after the first token)`,
          columns: ['path', 'tokens', 'tokens/s'],
          rows: [
            ['openai client, direct', throughputDirect.count, rate(throughputDirect)],
            ['ask() to a consumer (target ≥ 5,000)', throughputAsk.count, rate(throughputAsk)],
          ],
        },
        {
          title: `Cancel: abort() to the connection closed at the endpoint (${cancelRounds} questions each, ms)`,
          columns: ['when', 'p50', 'p95', 'max'],
          rows: [
            [
              'mid-stream (target ≤ 200)',
              p(cancelMidStream, 0.5),
              p(cancelMidStream, 0.95),
              Math.max(...cancelMidStream),
            ],
            [
              'before the first token (target ≤ 200)',
              p(cancelBeforeFirst, 0.5),
              p(cancelBeforeFirst, 0.95),
              Math.max(...cancelBeforeFirst),
            ],
          ],
        },
      ],
      json: {
        ttftDirectP50: p(directTimes, 0.5),
        ttftDirectP95: p(directTimes, 0.95),
        ttftAskP50: p(askTimes, 0.5),
        ttftAskP95: p(askTimes, 0.95),
        overheadP50Ms: overhead50,
        overheadP95Ms: overhead95,
        ttftGradedP50: p(gradedTimes, 0.5),
        roundTripsGraded: tripsGraded,
        roundTripsUngraded: tripsUngraded,
        tokensPerSecondAsk: rate(throughputAsk),
        tokensPerSecondDirect: rate(throughputDirect),
        cancelMidStreamP95Ms: p(cancelMidStream, 0.95),
        cancelBeforeFirstTokenP95Ms: p(cancelBeforeFirst, 0.95),
      },
    };
  } finally {
    await server.close();
  }
};

/**
 * Asks once and aborts (at the first token, or once the endpoint has the request); resolves to the ms from the
 * abort to the server seeing the connection closed.
 */
async function closedAfterCancel(
  server: FaultServer,
  model: ReturnType<typeof createOpenAiCompatibleModel>,
  when: 'on-first-token' | 'once-started',
): Promise<number> {
  const index = server.chatRequests.length;
  const controller = new AbortController();
  let abortedAt = 0;
  const abort = () => {
    abortedAt ||= Date.now(); // the fault server records its times with Date.now()
    controller.abort();
  };
  const answer = (async () => {
    for await (const e of ask(
      { question: 'flux level?', signal: controller.signal },
      { retriever, model, options: { grading: false } },
    )) {
      if (e.type === 'token' && when === 'on-first-token') abort();
    }
  })();
  if (when === 'once-started') {
    if (!(await until(() => server.chatRequests[index]?.startedAt)))
      throw new Error('the request never reached the endpoint');
    abort();
  }
  await answer;
  const closedAt = await until(() => server.chatRequests[index]?.clientClosedAt);
  if (!closedAt || !abortedAt) throw new Error('the connection was not closed by the cancel');
  return closedAt - abortedAt;
}

async function repeat<T>(n: number, f: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await f());
  return out;
}

function percentile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

const round = (n: number) => Math.round(n * 100) / 100;
