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

/** The model settings that decide where a secret goes: machine scoped (package.json), user settings only. */
const MACHINE_SCOPED = new Set(['provider', 'preset', 'baseUrl']);

/**
 * Writes the settings where they take effect: user settings (a model choice follows the user across workspaces),
 * except a setting the workspace sets itself, whose workspace value would hide a user one, which is written there.
 * The machine-scoped settings always go to user settings, where VS Code alone reads them.
 */
export async function updateModelSettings(
  values: Partial<Record<'provider' | 'vscodeModel' | 'preset' | 'baseUrl' | 'name' | 'helperModel', string>>,
): Promise<void> {
  const c = vscode.workspace.getConfiguration('grounded.model');
  for (const [key, value] of Object.entries(values)) {
    const inWorkspace = !MACHINE_SCOPED.has(key) && c.inspect(key)?.workspaceValue !== undefined;
    await c.update(key, value, inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
  }
}
