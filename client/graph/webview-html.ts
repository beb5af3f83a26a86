// The graph webview's HTML: strict CSP (nothing but our nonce'd script and style; no inline
// handlers, no remote content), theme colours through --vscode-* variables. Pure, so the
// Chromium unit test loads exactly what VS Code loads.

export function makeNonce(): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
    return s;
}

export function graphWebviewHtml(o: { cspSource: string; nonce: string; scriptUri: string }): string {
    const csp = [
        "default-src 'none'",
        `script-src 'nonce-${o.nonce}'`,
        `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
        `img-src ${o.cspSource} data:`,
        `font-src ${o.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Ko Graph</title>
<style nonce="${o.nonce}">${STYLE}</style>
</head>
<body>
<div id="toolbar" role="toolbar" aria-label="Graph">
  <button id="fit" title="Fit to view">Fit</button>
  <button id="zoom-in" title="Zoom in">+</button>
  <button id="zoom-out" title="Zoom out">−</button>
  <button id="export" title="Export as SVG">Export SVG</button>
  <span id="message" role="status"></span>
</div>
<svg id="canvas" xmlns="http://www.w3.org/2000/svg" tabindex="0" aria-label="Dataflow graph">
  <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" class="arrowhead"/></marker></defs>
  <g id="viewport"></g>
</svg>
<script nonce="${o.nonce}" src="${o.scriptUri}"></script>
</body>
</html>`;
}

/** Node colours follow the Testing palette (the same as the editor decorations). */
export const STYLE = `
html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; background: var(--vscode-editor-background); color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); }
#toolbar { position: absolute; top: 6px; left: 6px; z-index: 2; display: flex; gap: 4px; align-items: center; }
#toolbar button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: 1px solid var(--vscode-button-border, transparent); padding: 2px 8px; cursor: pointer; font: inherit; }
#toolbar button:hover { background: var(--vscode-button-secondaryHoverBackground); }
#toolbar button:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
#message { margin-left: 8px; color: var(--vscode-descriptionForeground); }
#message.error { color: var(--vscode-errorForeground); }
#canvas { width: 100%; height: 100%; display: block; cursor: grab; }
#canvas.panning { cursor: grabbing; }
#canvas:focus { outline: none; }
.group rect { fill: none; stroke: var(--vscode-panel-border, var(--vscode-editorWidget-border)); stroke-dasharray: 4 3; }
.group text { fill: var(--vscode-descriptionForeground); font-weight: 600; }
.edge { fill: none; stroke: var(--vscode-editorLineNumber-foreground); stroke-width: 1.3; }
.arrowhead { fill: var(--vscode-editorLineNumber-foreground); }
.node { cursor: pointer; }
.node rect { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, var(--vscode-contrastBorder, #888)); stroke-width: 1.2; rx: 4; }
.node.param rect { rx: 14; fill: var(--vscode-editor-background); }
.node.return rect { stroke-width: 2; }
.node .label { fill: var(--vscode-editor-foreground); font-weight: 600; }
.node .formula, .node .status { fill: var(--vscode-descriptionForeground); font-size: 0.85em; font-family: var(--vscode-editor-font-family); }
.node.status-queued rect { stroke: var(--vscode-testing-iconQueued); stroke-dasharray: 3 2; }
.node.status-running rect { stroke: var(--vscode-testing-runAction); stroke-width: 2.5; }
.node.status-succeeded rect { stroke: var(--vscode-testing-iconPassed); stroke-width: 2; }
.node.status-cached rect { stroke: var(--vscode-testing-iconSkipped); stroke-width: 2; }
.node.status-failed rect { stroke: var(--vscode-testing-iconFailed); stroke-width: 2.5; }
.node.status-failed .status { fill: var(--vscode-testing-iconFailed); }
.node.stale { opacity: 0.6; }
.node.highlighted rect { fill: var(--vscode-editor-selectionBackground); stroke: var(--vscode-focusBorder); }
body.vscode-high-contrast .node rect { stroke: var(--vscode-contrastBorder); }
`;
