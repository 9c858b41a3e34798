import type { Passage } from '../../src/core/passage';
import type { Retriever, SearchOptions } from '../../src/core/ports';

export function passage(n: number, text = `passage ${n} text`, path = `docs/file${n}.md`): Passage {
  return {
    id: `${path}:1-3`,
    path,
    location: `/ws/${path}`,
    startLine: 1,
    endLine: 3,
    title: `Title ${n}`,
    text,
    score: 10 - n,
  };
}

/** Returns `results(query)` and records every query it was asked. */
export class FakeRetriever implements Retriever {
  readonly queries: string[] = [];
  constructor(private readonly results: (query: string) => Passage[]) {}
  async search(query: string, options: SearchOptions): Promise<Passage[]> {
    this.queries.push(query);
    return this.results(query).slice(0, options.k);
  }
}
