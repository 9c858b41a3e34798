import { fetchWithinOrigin } from './http/fetchWithinOrigin';
import { endpointUrl, type Endpoint } from './presets';

/**
 * The model names an endpoint offers, for a quick pick: OpenAI-style `GET {baseURL}/models`, or for Databricks the
 * workspace's serving endpoints (`GET /api/2.0/serving-endpoints`; its OpenAI surface has no model list).
 * Undefined when the endpoint cannot list them (Azure deployments, a server without `/models`): type the name.
 */
export async function listEndpointModels(
  endpoint: Endpoint,
  apiKey: string | undefined,
  signal?: AbortSignal,
): Promise<string[] | undefined> {
  if (endpoint.azure) return undefined;
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const databricks = endpoint.preset === 'databricks';
  const url = databricks
    ? `${new URL(endpoint.baseURL).origin}/api/2.0/serving-endpoints`
    : endpointUrl(endpoint, 'models').href;
  try {
    const response = await fetchWithinOrigin(url, { headers, signal: signal ?? AbortSignal.timeout(10_000) });
    if (!response.ok) return undefined;
    const body: unknown = await response.json();
    const names = databricks ? namesOf(body, 'endpoints', 'name') : namesOf(body, 'data', 'id');
    return names.length > 0 ? names.sort((a, b) => a.localeCompare(b)) : undefined;
  } catch {
    return undefined;
  }
}

function namesOf(body: unknown, listKey: string, nameKey: string): string[] {
  const list = body && typeof body === 'object' ? (body as Record<string, unknown>)[listKey] : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap(item => {
    const name = item && typeof item === 'object' ? (item as Record<string, unknown>)[nameKey] : undefined;
    return typeof name === 'string' && name ? [name] : [];
  });
}
