import assert from 'node:assert/strict';
import { GroundedError } from '../../../src/core/errors';
import type { Turn } from '../../../src/core/events';
import {
  answerPromptTokens,
  estimateTokens,
  fitAnswerPrompt,
  fitGradePrompt,
  promptTokenBudget,
  questionFitError,
  type AnswerPromptParts,
} from '../../../src/core/rag/promptBudget';
import { generateUserPrompt, gradeUserPrompt, GRADE_SYSTEM } from '../../../src/core/rag/prompts';
import { passage } from '../../fakes/fakeRetriever';
import { random } from '../../fakes/seededRandom';

/** A passage of `lines` filler lines with one line that names `key`, in the middle. */
function longPassage(n: number, key: string, lines = 60) {
  const text = Array.from({ length: lines }, (_, i) =>
    i === Math.floor(lines / 2) ? `the ${key} setting is ${n * 11}` : `filler line ${i} of passage ${n} without it`,
  ).join('\n');
  return passage(n, text);
}

const turns = (pairs: number, chars: number): Turn[] =>
  Array.from({ length: pairs }, (_, i) => [
    { role: 'user' as const, text: `question ${i} ${'q'.repeat(chars)}` },
    { role: 'assistant' as const, text: `answer ${i} ${'a'.repeat(chars)}` },
  ]).flat();

describe('prompt budget', () => {
  it('counts at least the tokens of cl100k and o200k, in each script, and in dense code, math and numbers', () => {
    // [text, tokens in cl100k, tokens in o200k], counted with those tokenizers
    const samples: [string, number, number][] = [
      ['The index is rebuilt incrementally when a file in the workspace changes or is deleted.', 17, 17],
      [
        'const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0);\nif (total > limit) throw new RangeError(`over by ${total - limit}`);',
        41,
        41,
      ],
      ['function(e,t){var n=e.length,r=0;for(;r<n;r++)if(t(e[r],r,e)===!1)return r;return-1}', 36, 36],
      ['\\int_0^\\infty e^{-x^2}\\,dx = \\frac{\\sqrt{\\pi}}{2}, \\quad x_{k+1} = x_k - \\eta \\nabla L(x_k)', 48, 47],
      ['0.123,0.456,0.789,1.234,5.678,9.012,3.456,7.890,2.345,6.789', 39, 39],
      // a space before a number is a token of its own
      ['const retries = 3;\nconst timeoutMs = 30 * 1000;\nconst ports = [8080, 8443, 9000];', 32, 32],
      ['| id | size | count |\n| 1 | 2048 | 17 |\n| 2 | 4096 | 230 |\n| 3 | 65536 | 4 |', 40, 40],
      ['Индекс перестраивается постепенно, когда файл в рабочей области изменяется или удаляется.', 36, 19],
      ['Ο δείκτης ξαναχτίζεται σταδιακά όταν αλλάζει ένα αρχείο του χώρου εργασίας.', 70, 24],
      ['يُعاد بناء الفهرس تدريجيًا عندما يتغير ملف في مساحة العمل.', 44, 18],
      ['ดัชนีจะถูกสร้างใหม่ทีละส่วนเมื่อไฟล์ในพื้นที่ทำงานเปลี่ยนแปลง', 58, 24],
      ['जब कार्यक्षेत्र की कोई फ़ाइल बदलती है तो सूचकांक धीरे-धीरे फिर से बनाया जाता है।', 84, 25],
      ['பணியிடத்தில் உள்ள கோப்பு மாறும்போது குறியீடு படிப்படியாக மீண்டும் உருவாக்கப்படுகிறது.', 114, 26],
      ['當工作區中的檔案變更時，索引會逐步重建。', 27, 19],
      ['ワークスペース内のファイルが変更されると、インデックスは段階的に再構築されます。', 40, 28],
      ['작업 영역의 파일이 변경되면 인덱스가 점진적으로 다시 작성됩니다.', 30, 21],
    ];
    for (const [text, cl100k, o200k] of samples) {
      const estimate = estimateTokens(text);
      const most = Math.max(cl100k, o200k);
      assert.ok(estimate >= most, `${estimate} < ${most}: ${text}`);
      // erring high, but not so high that a prompt is cut for nothing
      assert.ok(estimate <= most * 1.6, `${estimate} > 1.6 × ${most}: ${text}`);
    }
    assert.equal(estimateTokens(''), 0);
  });

  it('counts a long run of white space at least as cl100k and o200k do, not as one token', () => {
    const sentences = (between: string) => `The first section ends here.${between}The second one starts here.`;
    // [text, tokens in cl100k, tokens in o200k], counted with those tokenizers
    const samples: [string, number, number][] = [
      [sentences('\n'.repeat(200)), 19, 25],
      [sentences('\r\n'.repeat(200)), 62, 62],
      [sentences('    \n'.repeat(200)), 62, 62],
      [`key${'\t'.repeat(400)}value`, 27, 27],
      [`a${' \n'.repeat(200)}b`, 102, 102],
      // a space before a number, and a tab before punctuation, are tokens of their own
      ['func f() {\n\t\tif x {\n\t\t\treturn 1\n\t\t}\n\t}\n', 18, 18],
      ['|   12 |  345 |\n|    6 |   78 |', 18, 18],
    ];
    for (const [text, cl100k, o200k] of samples) {
      const estimate = estimateTokens(text);
      assert.ok(
        estimate >= Math.max(cl100k, o200k),
        `${estimate} < ${Math.max(cl100k, o200k)}: ${JSON.stringify(text)}`,
      );
    }
  });

  it('keeps room for the reply: a quarter of a small limit, at most 1,024 tokens', () => {
    assert.equal(promptTokenBudget(4096), 3072);
    assert.equal(promptTokenBudget(2048), 1536);
    assert.equal(promptTokenBudget(128_000), 128_000 - 1024);
    assert.equal(promptTokenBudget(0), undefined);
    assert.equal(promptTokenBudget(undefined), undefined);
  });

  it('sends everything, and says nothing, without a limit or when the prompt fits', () => {
    const parts: AnswerPromptParts = {
      question: 'what is the port?',
      history: turns(3, 1900),
      passages: [1, 2, 3, 4, 5, 6].map(n => longPassage(n, 'port')),
    };
    for (const limit of [undefined, 0, 128_000]) {
      const fitted = fitAnswerPrompt(parts, limit);
      assert.deepEqual(fitted.history, parts.history);
      assert.deepEqual(fitted.passages, parts.passages);
      assert.equal(fitted.passageChars, 2400);
      assert.equal(fitted.cut, undefined);
    }
  });

  it('leaves out the oldest earlier turns first, a question with its answer, and only as many as it must', () => {
    const parts: AnswerPromptParts = {
      question: 'and on Windows?',
      history: turns(3, 1900),
      passages: [1, 2, 3].map(n => passage(n)),
    };
    const fitted = fitAnswerPrompt(parts, 3000);
    assert.deepEqual(fitted.history, parts.history.slice(parts.history.length - fitted.history.length));
    assert.ok(fitted.history.length > 0 && fitted.history.length < parts.history.length);
    assert.equal(fitted.history[0]?.role, 'user');
    assert.deepEqual(fitted.passages, parts.passages);
    const left = parts.history.length - fitted.history.length;
    assert.equal(fitted.cut, `Left out ${left} earlier turns to fit the model’s context (3,000 tokens)`);
    assert.ok(answerPromptTokens(fitted) <= 2250);
    const oneMorePair = { ...fitted, history: parts.history.slice(parts.history.length - fitted.history.length - 2) };
    assert.ok(answerPromptTokens(oneMorePair) > 2250, 'no turn left out that would have fitted');
  });

  it('does not say it kept only the best lines of passages it sent as they are sent without a limit', () => {
    // passages longer than the excerpt every prompt gets (2,400 characters): leaving out one earlier question with its
    // answer is enough, so each passage goes in as long as it would without a limit
    const parts: AnswerPromptParts = {
      question: 'what is the port setting?',
      history: turns(2, 1900),
      passages: [1, 2, 3, 4, 5, 6].map(n => longPassage(n, 'port', 120)),
    };
    assert.ok(parts.passages.every(p => p.text.length > 2400));
    const limit = answerPromptTokens({ ...parts, history: parts.history.slice(2), passageChars: 2400 }) + 1024;
    const fitted = fitAnswerPrompt(parts, limit);
    assert.equal(fitted.passageChars, 2400);
    assert.deepEqual(fitted.history, parts.history.slice(2));
    assert.equal(
      fitted.cut,
      `Left out 2 earlier turns to fit the model’s context (${limit.toLocaleString('en-US')} tokens)`,
    );
  });

  it('then keeps only each passage’s best lines, then leaves out the lowest-ranked passages whole', () => {
    const parts: AnswerPromptParts = {
      question: 'what is the timeout setting?',
      history: turns(2, 500),
      passages: [1, 2, 3, 4, 5, 6].map(n => longPassage(n, 'timeout')),
    };
    const fitted = fitAnswerPrompt(parts, 1200);
    assert.deepEqual(fitted.history, []);
    assert.ok(fitted.passageChars < 2400);
    assert.ok(fitted.passages.length >= 1 && fitted.passages.length < 6);
    // the kept passages are the first ones, so their numbers in the prompt are their places in `sources`
    assert.deepEqual(fitted.passages, parts.passages.slice(0, fitted.passages.length));
    const prompt = generateUserPrompt(parts.question, fitted.passages, undefined, fitted.passageChars);
    for (const [i, p] of fitted.passages.entries()) {
      assert.match(prompt, new RegExp(`^\\[${i + 1}\\] ${p.path}`, 'm'));
      assert.ok(prompt.includes(`the timeout setting is ${(i + 1) * 11}`), `passage ${i + 1} keeps its best line`);
    }
    assert.ok(!prompt.includes(`[${fitted.passages.length + 1}] `));
    const dropped = 6 - fitted.passages.length;
    assert.equal(
      fitted.cut,
      `Left out 4 earlier turns and ${dropped} passage${dropped === 1 ? '' : 's'}, and kept only each passage’s best lines to fit the model’s context (1,200 tokens)`,
    );
    assert.ok(answerPromptTokens(fitted) <= promptTokenBudget(1200)!);
  });

  it('cuts the selection only after the passages, and never the question', () => {
    const question = `why does ${'this '.repeat(300)}fail?`;
    const parts: AnswerPromptParts = {
      question,
      history: turns(1, 200),
      passages: [1, 2].map(n => longPassage(n, 'fail')),
      context: { path: 'src/a.ts', startLine: 1, endLine: 200, text: 'selected code line\n'.repeat(300) },
    };
    const fitted = fitAnswerPrompt(parts, 2048);
    assert.deepEqual(fitted.history, []);
    assert.equal(fitted.passages.length, 1);
    assert.ok(fitted.context && fitted.context.text.length < parts.context!.text.length);
    assert.ok(fitted.context.text.endsWith('…'));
    assert.equal(fitted.question, question);
    assert.match(
      fitted.cut ?? '',
      /^Left out 2 earlier turns and 1 passage, kept only the passage’s best lines, and cut the selection to [\d,]+ characters to fit the model’s context \(2,048 tokens\)$/,
    );
    assert.ok(answerPromptTokens(fitted) <= promptTokenBudget(2048)!);
  });

  it('cuts the selection at a whole character, never leaving half an emoji for the request', () => {
    const halfCharacter = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    for (let budget = 2048; budget < 2058; budget++) {
      const parts: AnswerPromptParts = {
        question: 'why?',
        history: [],
        passages: [longPassage(1, 'fail')],
        context: { path: 'notes.md', startLine: 1, endLine: 1, text: '😀'.repeat(4000) },
      };
      const text = fitAnswerPrompt(parts, budget).context?.text ?? '';
      assert.ok(text.endsWith('…') && !halfCharacter.test(text), `budget ${budget}: ${JSON.stringify(text.slice(-3))}`);
    }
  });

  it('always fits the budget it was given, whatever the sizes (seeded random cases)', () => {
    const next = random(9);
    for (let c = 0; c < 60; c++) {
      const limit = 800 + Math.floor(next() * 6000);
      const parts: AnswerPromptParts = {
        question: `how ${'x '.repeat(Math.floor(next() * 200))}works?`,
        history: turns(Math.floor(next() * 4), Math.floor(next() * 2000)),
        passages: Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) =>
          longPassage(i + 1, 'works', 5 + Math.floor(next() * 80)),
        ),
        context:
          next() < 0.5
            ? { path: 'a.md', startLine: 1, endLine: 9, text: 'sel '.repeat(Math.floor(next() * 1500)) }
            : undefined,
      };
      let fitted;
      try {
        fitted = fitAnswerPrompt(parts, limit);
      } catch (e) {
        assert.ok(e instanceof GroundedError && e.kind === 'bad-input');
        assert.ok(questionFitError(parts.question, limit), 'refused only when the question itself leaves no room');
        continue;
      }
      assert.ok(answerPromptTokens(fitted) <= promptTokenBudget(limit)!, `case ${c}`);
      assert.equal(fitted.question, parts.question);
      assert.ok(fitted.passages.length >= 1);
    }
  });

  it('refuses a question that leaves no room for a passage, naming the context', () => {
    const error = questionFitError('why '.repeat(3000), 2048);
    assert.equal(error?.kind, 'bad-input');
    assert.match(error?.message ?? '', /model’s context \(2,048 tokens\)\. Shorten the question/);
    assert.equal(questionFitError('why?', 2048), undefined);
    assert.equal(questionFitError('why '.repeat(3000), undefined), undefined);
  });

  it('names what set the limit in the refusal: the setting, the endpoint’s default, or the model', () => {
    const long = 'why '.repeat(3000);
    assert.match(
      questionFitError(long, 2048, 'setting')?.message ?? '',
      /Shorten the question, or raise grounded\.model\.maxInputTokens, which set this limit, if the model takes more\.$/,
    );
    assert.match(
      questionFitError(long, 2048, 'default')?.message ?? '',
      /or set grounded\.model\.maxInputTokens to the model’s context: this limit is the one assumed for the endpoint/,
    );
    assert.match(questionFitError(long, 2048)?.message ?? '', /or use a model with a larger context\.$/);
    assert.throws(
      () => fitAnswerPrompt({ question: long, history: [], passages: [passage(1, 'x')] }, 2048, 'setting'),
      /raise grounded\.model\.maxInputTokens/,
    );
  });

  it('accepts only questions that still fit beside a passage with a long path and heading trail', () => {
    const deep = {
      ...passage(1, 'x'.repeat(400), 'packages/server/src/configuration/providers/environmentVariables.md'),
      title: 'Configuration › Providers › Environment variables › Precedence',
    };
    // the longest question the early check lets through, for a small model
    let n = 1;
    while (!questionFitError(`${'why '.repeat(n + 1)}?`, 2048)) n++;
    const question = `${'why '.repeat(n)}?`;
    assert.doesNotThrow(() => fitAnswerPrompt({ question, history: [], passages: [deep] }, 2048));
  });

  it('grades in one call with shorter excerpts, then only the top passages, within the limit', () => {
    const passages = Array.from({ length: 50 }, (_, i) => longPassage(i + 1, 'cache'));
    const full = fitGradePrompt('where is the cache?', passages, undefined);
    assert.equal(full?.passages.length, 50);
    assert.equal(full?.cut, undefined);
    const fitted = fitGradePrompt('where is the cache?', passages, 4096);
    assert.ok(fitted);
    assert.ok(fitted.passages.length < 50 && fitted.passages.length > 5);
    assert.deepEqual(fitted.passages, passages.slice(0, fitted.passages.length));
    assert.equal(
      fitted.cut,
      `Grading the top ${fitted.passages.length} of 50 passages, in shorter excerpts, to fit the model’s context (4,096 tokens)`,
    );
    const prompt = gradeUserPrompt('where is the cache?', fitted.passages, fitted.passageChars);
    assert.ok(estimateTokens(GRADE_SYSTEM) + estimateTokens(prompt) + 16 <= promptTokenBudget(4096)!);
    assert.equal(fitGradePrompt('cache '.repeat(3000), passages, 2048), undefined);
  });
});
