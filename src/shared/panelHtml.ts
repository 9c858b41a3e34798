/** The panel's page. `cspSource` is where scripts and styles may come from; `nonce` is fresh per render. */
export function panelHtml(o: { cspSource: string; nonce: string; scriptUri: string; cssUri: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${o.nonce}'; style-src ${o.cspSource}; font-src ${o.cspSource};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${o.cssUri}">
<title>Grounded</title>
</head>
<body>
<div id="cleared" role="status" hidden>Conversation cleared. <button id="undo" type="button">Undo</button></div>
<main id="conversation" role="log" aria-label="Conversation"></main>
<p id="empty" hidden>Ask about your workspace: answers cite the files and lines they come from.</p>
<form id="ask">
  <button id="jump" type="button" hidden>Jump to latest ↓</button>
  <textarea id="question" rows="1" aria-label="Question" aria-describedby="keys" placeholder="Ask about your workspace"></textarea>
  <p id="too-long" role="alert" hidden></p>
  <p id="keys" class="visually-hidden">Enter sends, Shift+Enter starts a new line, Escape stops the answer.</p>
  <div class="buttons"><button id="stop" type="button" hidden>Stop</button><button id="send" type="submit">Ask</button></div>
</form>
<script nonce="${o.nonce}" src="${o.scriptUri}"></script>
</body>
</html>`;
}
