import * as vscode from 'vscode';
import { DEFAULT_AZURE_API_VERSION, DEFAULT_PRESET, isPresetId, type EndpointSettings } from '../providers/presets';

export type ProviderKind = 'vscode' | 'openai-compatible';

/** The `grounded.model.*` settings, read fresh for every question. */
export interface ModelSettings {
  provider: ProviderKind;
  /** The VS Code model id chosen with *Grounded: Select Model* (outside chat); empty: the first one offered. */
  vscodeModel: string;
  endpoint: EndpointSettings;
}

export function readModelSettings(): ModelSettings {
  const c = vscode.workspace.getConfiguration('grounded.model');
  const preset = c.get<string>('preset', DEFAULT_PRESET);
  return {
    provider: c.get<string>('provider', 'vscode') === 'openai-compatible' ? 'openai-compatible' : 'vscode',
    vscodeModel: c.get<string>('vscodeModel', ''),
    endpoint: {
      preset: isPresetId(preset) ? preset : DEFAULT_PRESET,
      baseUrl: c.get<string>('baseUrl', ''),
      model: c.get<string>('name', ''),
      helperModel: c.get<string>('helperModel', ''),
      azureApiVersion: c.get<string>('azureApiVersion', DEFAULT_AZURE_API_VERSION),
      allowInsecure: vscode.workspace.getConfiguration('grounded').get<boolean>('allowInsecureConnections', false),
      maxInputTokens: c.get<number | null>('maxInputTokens', null),
    },
  };
}

/** Writes user-level settings (a model choice follows the user across workspaces). */
export async function updateModelSettings(
  values: Partial<Record<'provider' | 'vscodeModel' | 'preset' | 'baseUrl' | 'name' | 'helperModel', string>>,
): Promise<void> {
  const c = vscode.workspace.getConfiguration('grounded.model');
  for (const [key, value] of Object.entries(values)) await c.update(key, value, vscode.ConfigurationTarget.Global);
}
