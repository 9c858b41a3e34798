import * as vscode from 'vscode';
import { GroundedError } from '../core/errors';
import { listEndpointModels } from '../providers/listModels';
import { PRESET_IDS, PRESETS, resolveEndpoint, type Endpoint, type PresetId } from '../providers/presets';
import { endpointOrigin } from '../providers/secretOrigin';
import { readModelSettings, updateModelSettings, type ModelSettings } from './modelSettings';
import { chatKeyUse } from './models';
import type { ApiKeyStore } from './secrets';

type Choice = vscode.QuickPickItem &
  (
    | { kind?: undefined; modelId: string }
    | { kind?: undefined; preset: PresetId }
    | { kind: vscode.QuickPickItemKind.Separator }
  );

/**
 * *Grounded: Select Model*: one list with the VS Code language models and the OpenAI-compatible presets. A preset
 * then asks only for what its URL shape needs (workspace URL, endpoint or model name), offering the names the
 * endpoint lists when it can. Settings are written where they take effect (`updateModelSettings`).
 */
export async function selectModel(keys: ApiKeyStore, log: vscode.LogOutputChannel): Promise<boolean> {
  const current = readModelSettings();
  const vscodeModels = await vscode.lm.selectChatModels();
  const items: Choice[] = [
    { label: vscode.l10n.t('VS Code language models'), kind: vscode.QuickPickItemKind.Separator },
    ...vscodeModels.map(m => ({
      label: m.name,
      description: `${m.vendor} · ${m.family}`,
      detail: current.provider === 'vscode' && current.vscodeModel === m.id ? vscode.l10n.t('current') : undefined,
      modelId: m.id,
    })),
    { label: vscode.l10n.t('OpenAI-compatible endpoints'), kind: vscode.QuickPickItemKind.Separator },
    ...PRESET_IDS.map(preset => ({
      label: PRESETS[preset].label,
      description:
        current.provider === 'openai-compatible' && current.endpoint.preset === preset
          ? vscode.l10n.t('current: {0}', current.endpoint.model)
          : undefined,
      preset,
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Grounded: Select Model'),
    placeHolder: vscode.l10n.t('Where answers come from'),
  });
  if (!picked || picked.kind !== undefined) return false;
  if ('modelId' in picked) {
    await updateModelSettings({
      provider: 'vscode',
      vscodeModel: picked.modelId,
      ...staleHelper(current, { provider: 'vscode' }, log),
    });
    log.info(`model: VS Code model ${picked.label}`);
    return true;
  }
  return configurePreset(picked.preset, keys, log);
}

async function configurePreset(preset: PresetId, keys: ApiKeyStore, log: vscode.LogOutputChannel): Promise<boolean> {
  const info = PRESETS[preset];
  const settings = readModelSettings();
  const current = settings.endpoint;
  const samePreset = current.preset === preset;
  const baseUrl = await vscode.window.showInputBox({
    title: vscode.l10n.t(
      '{0}: {1}',
      info.label,
      preset === 'databricks'
        ? vscode.l10n.t('workspace URL')
        : preset === 'azure'
          ? vscode.l10n.t('resource endpoint')
          : vscode.l10n.t('base URL'),
    ),
    prompt: info.baseUrlHint,
    value: samePreset ? current.baseUrl : (info.defaultBaseUrl ?? ''),
    ignoreFocusOut: true,
    validateInput: v => (v.trim() || info.defaultBaseUrl ? undefined : vscode.l10n.t('Enter {0}.', info.baseUrlHint)),
  });
  if (baseUrl === undefined) return false;
  const key = await keys.peek(preset);
  const draft = resolveEndpoint({ ...current, preset, baseUrl, model: info.defaultModel ?? 'any' });
  const offered =
    'endpoint' in draft
      ? await listEndpointModels(draft.endpoint, key && (await keyForListing(keys, draft.endpoint)))
      : undefined;
  const model = offered
    ? await vscode.window.showQuickPick(offered, {
        title: vscode.l10n.t('{0}: model', info.label),
        placeHolder: info.modelHint,
        ignoreFocusOut: true,
      })
    : await vscode.window.showInputBox({
        title: vscode.l10n.t('{0}: model', info.label),
        prompt: info.modelHint,
        value: samePreset ? current.model : (info.defaultModel ?? ''),
        ignoreFocusOut: true,
        validateInput: v => (v.trim() ? undefined : vscode.l10n.t('Enter {0}.', info.modelHint)),
      });
  if (!model) return false;
  const check = resolveEndpoint({ ...current, preset, baseUrl, model });
  if ('problem' in check) {
    void vscode.window.showErrorMessage(check.problem);
    return false;
  }
  await updateModelSettings({
    provider: 'openai-compatible',
    preset,
    baseUrl: baseUrl.trim(),
    name: model.trim(),
    ...staleHelper(settings, { provider: 'openai-compatible', preset, baseUrl }, log),
  });
  log.info(`model: ${info.label} at ${check.endpoint.baseURL}, model ${check.endpoint.model}`);
  const needsKey = info.keyRequired && !key;
  // chat still needs a VS Code chat model to call the participant at all, whatever answers
  const inChat = vscode.l10n.t(
    'In chat, VS Code calls @grounded only when a chat model of its own is picked there; the Grounded panel needs none.',
  );
  const next = await vscode.window.showInformationMessage(
    (needsKey
      ? vscode.l10n.t('Grounded now answers with {0} · {1}. It needs an API key.', info.label, model)
      : vscode.l10n.t('Grounded now answers with {0} · {1}.', info.label, model)) +
      ' ' +
      inChat,
    needsKey ? vscode.l10n.t('Set API Key') : vscode.l10n.t('Test Connection'),
  );
  if (next) await vscode.commands.executeCommand(needsKey ? 'grounded.setApiKey' : 'grounded.testConnection');
  return true;
}

/**
 * `grounded.model.helperModel` names a model of the provider and server it was set with (a VS Code model id, or a
 * name that endpoint serves): a choice of another provider or server clears it, or every grade, rewrite and citation
 * check would ask for a model the new one does not have.
 */
function staleHelper(
  current: ModelSettings,
  next: { provider: 'vscode' } | { provider: 'openai-compatible'; preset: PresetId; baseUrl: string },
  log: vscode.LogOutputChannel,
): { helperModel?: string } {
  const helper = current.endpoint.helperModel.trim();
  const sameServer =
    current.provider === next.provider &&
    (next.provider === 'vscode' ||
      (current.endpoint.preset === next.preset && endpointOrigin(current.endpoint) === endpointOrigin(next)));
  if (!helper || sameServer) return {};
  log.info(`model: helper model ${helper} cleared, it named a model of the previous provider or server`);
  return { helperModel: '' };
}

/** The key for listing the endpoint's models; none when the person does not want it sent there (the list may then fail). */
async function keyForListing(keys: ApiKeyStore, endpoint: Endpoint): Promise<string | undefined> {
  try {
    return await keys.keyFor(endpoint.preset, chatKeyUse(endpoint));
  } catch (e) {
    if (e instanceof GroundedError && e.kind === 'auth') return undefined;
    throw e;
  }
}
