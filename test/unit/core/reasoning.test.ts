import assert from 'node:assert/strict';
import { AnswerStart, readReply, reasoningOpenedByTemplate } from '../../../src/core/reasoning';

/** A whole reply's answer, as readReply reads it. */
const answerOf = (reply: string) => readReply(reply).answer;

describe('a reasoning model’s <think> block (readReply, AnswerStart)', () => {
  it('reads a whole reply past the block that opens it, and nothing of a block never closed', () => {
    assert.equal(answerOf('\n<think>Passage 2? [2]</think>\n\n{"relevant": [1]}'), '{"relevant": [1]}');
    assert.equal(answerOf('<THINK>draft</Think>supported'), 'supported');
    assert.equal(answerOf('<think>Claim 1 is supported, claim 2'), '');
    assert.equal(answerOf('  Set it to 88 [1].'), 'Set it to 88 [1].');
    assert.equal(answerOf('Wrap it in <think> tags [1].'), 'Wrap it in <think> tags [1].');
    assert.equal(answerOf('<thi'), '<thi');
  });

  it('reads a whole reply past a closing tag whose block the chat template opened in the prompt', () => {
    assert.equal(answerOf('Passage 2 mentions [2].\n</think>\n\n{"relevant": [1]}'), '{"relevant": [1]}');
    assert.equal(answerOf('Okay, the claim…</THINK>supported'), 'supported');
    // a tag the reply opened itself is its text, as is everything around it
    assert.equal(answerOf('Write <think> then </think> [1].'), 'Write <think> then </think> [1].');
    assert.equal(answerOf('<think>draft</think>Close it with </think> [1].'), 'Close it with </think> [1].');
  });

  it('keeps an answer that quotes a closing tag in code, whole: only a tag outside code closes a block the prompt opened', () => {
    for (const answer of [
      'Split the reply at `</think>` and keep what follows [1].',
      "It calls `text.split('</think>')` [2].",
      'The parser [1]:\n\n```ts\nconst end = reply.indexOf(\n  "</think>",\n);\n```\n\nThen it trims.',
    ])
      assert.equal(answerOf(answer), answer);
    assert.equal(answerOf('The user quotes `</think>`; fine.\n</think>\n\nSplit at it [1].'), 'Split at it [1].');
  });

  it('finds the same answer however the stream splits the reply', () => {
    const reply = '\n<think>The user asks about [2].</think>\n\nSet it to 88 [1].';
    for (let cut = 0; cut <= reply.length; cut++) {
      const start = new AnswerStart();
      const answer = start.push(reply.slice(0, cut)) + start.push(reply.slice(cut)) + start.flush();
      assert.equal(answer, answerOf(reply), `cut at ${cut}`);
    }
  });

  it('tells a reply whose template opened the block by its lone closing tag outside code', () => {
    assert.equal(reasoningOpenedByTemplate('Passage 2 mentions [2].\n</think>\n\n{"relevant": [1]}'), true);
    assert.equal(reasoningOpenedByTemplate('<think>draft</think>{"relevant": [1]}'), false, 'it opened the block');
    assert.equal(reasoningOpenedByTemplate('{"relevant": [1]}'), false);
    assert.equal(reasoningOpenedByTemplate('Split it at `</think>` [1].'), false, 'a tag in code is text');
  });

  it('streams a reply whose template opened the block from its closing tag on, however the stream splits it', () => {
    const reply = 'The user asks about [2], so\n</think>\n\nSet it to 88 [1].';
    for (let cut = 0; cut <= reply.length; cut++) {
      const start = new AnswerStart(true);
      const first = start.push(reply.slice(0, cut));
      const answer = first + start.push(reply.slice(cut)) + start.flush();
      assert.equal(answer, 'Set it to 88 [1].', `cut at ${cut}`);
      assert.equal(start.reasoning, true);
      if (cut < reply.indexOf('</think>')) assert.equal(first, '', 'nothing of the reasoning is shown');
    }
  });

  it('streams a reply whose template opened the block past a `</think>` it quotes in code, as a whole reply is read', () => {
    const unreasoned = 'Split the reply at `</think>` [1]:\n```ts\nreply.split("</think>")\n```\nThen trim it [1].';
    const reasoned = `The user quotes \`</think>\` [2].\n</think>\n\n${unreasoned}`;
    for (const [reply, answer] of [
      [unreasoned, unreasoned],
      [reasoned, unreasoned],
    ] as const) {
      assert.equal(answerOf(reply), answer);
      for (let cut = 0; cut <= reply.length; cut++) {
        const start = new AnswerStart(true);
        const streamed = start.push(reply.slice(0, cut)) + start.push(reply.slice(cut)) + start.flush();
        assert.equal(streamed, answer, `cut at ${cut}`);
      }
    }
  });

  it('gives the whole reply at its end when it never closes the block its template opened: nothing is lost', () => {
    const start = new AnswerStart(true);
    assert.equal(start.push('  Set it ') + start.push('to 88 [1].'), '');
    assert.equal(start.flush(), 'Set it to 88 [1].');
    const opened = new AnswerStart(true);
    assert.equal(opened.push('<think>draft</think>Set it [1].') + opened.flush(), 'Set it [1].', 'or opens it again');
  });
});
