import { originOf } from '../providers/secretOrigin';

/**
 * GROUNDED_API_KEY is the key of the model endpoint `--base-url` names. It stands in for another secret (the
 * Databricks token, the embeddings key) only when that request goes to the same origin, so a key set for one server
 * is never sent to another. Undefined otherwise.
 */
export function modelKeyFor(env: NodeJS.ProcessEnv, baseUrl: string | undefined, origin: string): string | undefined {
  const key = env.GROUNDED_API_KEY;
  const own = baseUrl ? originOf(baseUrl) : undefined;
  return key && own !== undefined && own === originOf(origin) ? key : undefined;
}
