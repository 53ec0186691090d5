// The plan view's page: the plan tree drawn from the language server's plan-view data (engine plan/planView.ts) as
// plain HTML and CSS. Each node is a collapsible <details> row with a bar of its own (exclusive) share of the plan's
// cost and, after EXPLAIN ANALYZE, of its time; estimated against actual rows with the misestimate factor; loops;
// buffers; its conditions and keys. The costliest and the slowest node are marked. A diff shows two plans side by side,
// their bars on one scale, with the nodes that changed marked and listed. No script and no remote resource: the
// Content-Security-Policy allows only the stylesheet carrying the page's nonce. Colours are VS Code's theme variables.
// No vscode import: the page is a pure function of the data, tested without an editor.

import type { PlanDiff, PlanView, PlanViewNode } from '../../server/src/engine/plan/planView';

/** A misestimate at least this large is highlighted (engine MISESTIMATE_HIGHLIGHT; a value, not an import, to keep the engine out of the client). */
const MISESTIMATE_HIGHLIGHT = 10;

export interface PlanPageInput {
  title: string;
  statement?: string;
  notes?: string[];
  plan?: PlanView;
  diff?: PlanDiff & { beforeTitle: string; afterTitle: string; indexSql?: string };
  /** For the Content-Security-Policy: the stylesheet's nonce. */
  nonce: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function cost(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function ms(value: number): string {
  return value >= 100 ? `${value.toFixed(0)} ms` : value >= 1 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`;
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function percent(share: number): string {
  const p = share * 100;
  // 99.9% is not 100%: a cost cut from 7,432 to 8 says −99.9%.
  return (p >= 10 && p < 99.5) || p === 0 || p === 100 ? `${p.toFixed(0)}%` : `${p.toFixed(1)}%`;
}

/** A bar class w0..w100 (inline style attributes are refused by the page's policy). */
function widthClass(share: number): string {
  return `w${Math.max(0, Math.min(100, Math.round(share * 100)))}`;
}

function bar(kind: 'cost' | 'time', share: number, text: string, title: string): string {
  return `<span class="metric ${kind}" title="${escapeHtml(title)}"><span class="bar"><span class="fill ${widthClass(share)}"></span></span><span class="value">${escapeHtml(text)}</span></span>`;
}

function rowsCell(node: PlanViewNode): string {
  const estimate = `est. ${count(node.planRows)}`;
  if (node.neverExecuted) return `<span class="rows">${estimate} · never executed</span>`;
  if (node.actualRows === undefined) return `<span class="rows">${estimate} rows</span>`;
  const factor = node.misestimate ?? 1;
  const off = factor >= MISESTIMATE_HIGHLIGHT;
  const direction = node.actualRows > node.planRows ? 'under' : 'over';
  const factorText = factor >= 1.5 ? ` <span class="factor${off ? ' off' : ''}" title="rows ${direction}-estimated ${factor.toFixed(1)}x">×${factor >= 100 ? factor.toFixed(0) : factor.toFixed(1)}${direction === 'under' ? '↑' : '↓'}</span>` : '';
  return `<span class="rows${off ? ' misestimate' : ''}">${estimate} → actual ${count(node.actualRows)}${factorText}</span>`;
}

function nodeRow(node: PlanViewNode, scale: { cost: number; time: number }): string {
  const tags: string[] = [];
  if (node.relationship && node.relationship !== 'Outer' && node.relationship !== 'Inner') tags.push(`<span class="tag rel">${escapeHtml(node.relationship)}</span>`);
  if (node.costliest) tags.push('<span class="tag costliest-tag">costliest</span>');
  if (node.slowest) tags.push('<span class="tag slowest-tag">slowest</span>');
  if (node.changed) tags.push('<span class="tag changed-tag">changed</span>');
  const costShare = scale.cost > 0 ? node.exclusiveCost / scale.cost : 0;
  const costTitle = `own cost ${cost(node.exclusiveCost)} of ${cost(scale.cost)}; node total ${cost(node.startupCost)}..${cost(node.totalCost)}${node.estimatedExecutions > 1 ? ` per run, about ${count(node.estimatedExecutions)} runs` : ''}`;
  const metrics = [bar('cost', costShare, `${cost(node.exclusiveCost)} · ${percent(costShare)}`, costTitle)];
  if (node.exclusiveTimeMs !== undefined) {
    const timeShare = scale.time > 0 ? node.exclusiveTimeMs / scale.time : 0;
    metrics.push(bar('time', timeShare, `${ms(node.exclusiveTimeMs)} · ${percent(timeShare)}`, `own time ${ms(node.exclusiveTimeMs)}; with children ${ms(node.totalTimeMs ?? 0)}`));
  }
  const facts = [rowsCell(node)];
  if (node.loops !== undefined && node.loops !== 1) facts.push(`<span class="loops">loops ${count(node.loops)}</span>`);
  if (node.processes !== undefined) facts.push(`<span class="processes">${node.processes} processes</span>`);
  if (node.sharedHitBlocks !== undefined || node.sharedReadBlocks !== undefined) {
    facts.push(`<span class="buffers" title="shared buffers">buffers hit ${count(node.sharedHitBlocks ?? 0)} · read ${count(node.sharedReadBlocks ?? 0)}</span>`);
  }
  const details = node.details.length
    ? `<dl class="details">${node.details.map((d) => `<dt>${escapeHtml(d.name)}</dt><dd>${escapeHtml(d.value)}</dd>`).join('')}</dl>`
    : '';
  const classes = ['row', node.costliest ? 'costliest' : '', node.slowest ? 'slowest' : '', node.changed ? 'changed' : ''].filter(Boolean).join(' ');
  return (
    `<div class="${classes}" data-node-id="${node.id}"><span class="label">${escapeHtml(node.label)}</span>${tags.join('')}` +
    `<span class="metrics">${metrics.join('')}</span><span class="facts">${facts.join('')}</span>${details}</div>`
  );
}

/** The tree, iteratively (plans can be deep): nodes with children are <details open>, leaves plain rows. */
function renderTree(view: PlanView, scale: { cost: number; time: number }): string {
  const out: string[] = [];
  const pending: (PlanViewNode | 'close')[] = [view.root];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if (item === 'close') {
      out.push('</ul></details></li>');
      continue;
    }
    if (item.children.length === 0) {
      out.push(`<li class="node leaf">${nodeRow(item, scale)}</li>`);
      continue;
    }
    out.push(`<li class="node"><details open><summary>${nodeRow(item, scale)}</summary><ul>`);
    pending.push('close');
    for (let i = item.children.length - 1; i >= 0; i--) pending.push(item.children[i]);
  }
  return `<ul class="tree">${out.join('')}</ul>`;
}

function summary(view: PlanView): string {
  const nodes = new Map<number, PlanViewNode>();
  const pending = [view.root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    nodes.set(node.id, node);
    pending.push(...node.children);
  }
  const parts = [`total cost ${cost(view.totalCost)}`, `est. rows ${count(view.planRows)}`];
  if (view.totalTimeMs !== undefined) parts.push(`time ${ms(view.totalTimeMs)}`);
  const costliest = view.costliestId !== undefined ? nodes.get(view.costliestId) : undefined;
  if (costliest) parts.push(`costliest: <b>${escapeHtml(costliest.label)}</b> (${percent(view.totalCost > 0 ? costliest.exclusiveCost / view.totalCost : 0)} of the cost)`);
  const slowest = view.slowestId !== undefined ? nodes.get(view.slowestId) : undefined;
  if (slowest && slowest.exclusiveTimeMs !== undefined) parts.push(`slowest: <b>${escapeHtml(slowest.label)}</b> (${ms(slowest.exclusiveTimeMs)})`);
  return `<p class="summary">${parts.join(' · ')}</p>`;
}

function scaleOf(...views: PlanView[]): { cost: number; time: number } {
  return { cost: Math.max(...views.map((v) => v.totalCost)), time: Math.max(...views.map((v) => v.totalTimeMs ?? 0)) };
}

function changesList(diff: NonNullable<PlanPageInput['diff']>): string {
  const delta = diff.before.totalCost > 0 ? (diff.after.totalCost - diff.before.totalCost) / diff.before.totalCost : 0;
  const head = `<p class="summary">total cost ${cost(diff.before.totalCost)} → <b>${cost(diff.after.totalCost)}</b> (${delta <= 0 ? '−' : '+'}${percent(Math.abs(delta))})</p>`;
  if (diff.changes.length === 0) return `${head}<p>The two plans have the same shape.</p>`;
  const items = diff.changes.map((change) => {
    const costs = `own cost ${change.costBefore !== undefined ? cost(change.costBefore) : '–'} → ${change.costAfter !== undefined ? cost(change.costAfter) : '–'}`;
    if (change.kind === 'changed') return `<li class="change"><b>${escapeHtml(change.before!)}</b> → <b>${escapeHtml(change.after!)}</b> <span class="muted">(${costs})</span></li>`;
    if (change.kind === 'removed') return `<li class="change">gone: <b>${escapeHtml(change.before!)}</b> <span class="muted">(${costs})</span></li>`;
    return `<li class="change">new: <b>${escapeHtml(change.after!)}</b> <span class="muted">(${costs})</span></li>`;
  });
  return `${head}<ul class="changes">${items.join('')}</ul>`;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 1em 1em; }
h2 { font-weight: 600; margin: .6em 0 .3em; }
pre.sql { background: var(--vscode-textCodeBlock-background); padding: .5em .7em; white-space: pre-wrap; font-family: var(--vscode-editor-font-family); margin: .3em 0; max-height: 12em; overflow: auto; }
.summary { margin: .4em 0; }
.notes { margin: .2em 0 .6em; padding-left: 1.2em; opacity: .8; }
.legend { opacity: .75; font-size: 90%; margin: .3em 0 .8em; }
ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 0; }
ul.tree { padding-left: 1em; }
ul.tree ul { padding-left: 1.1em; border-left: 1px solid var(--vscode-tree-indentGuidesStroke, var(--vscode-panel-border)); margin-left: .45em; }
li.node { margin: 2px 0; }
li.leaf { padding-left: 1.05em; }
summary { cursor: pointer; list-style-position: outside; }
summary::marker { color: var(--vscode-descriptionForeground); }
.row { display: inline-flex; flex-wrap: wrap; align-items: center; gap: .25em .7em; padding: .2em .4em; border-radius: 3px; width: calc(100% - 2em); vertical-align: top; }
.row.costliest { background: var(--vscode-diffEditor-removedTextBackground, var(--vscode-inputValidation-warningBackground)); outline: 1px solid var(--vscode-editorWarning-foreground); }
.row.slowest { background: var(--vscode-inputValidation-warningBackground); }
.row.changed { outline: 1px dashed var(--vscode-gitDecoration-modifiedResourceForeground, var(--vscode-focusBorder)); }
.label { font-weight: 600; font-family: var(--vscode-editor-font-family); }
.tag { font-size: 80%; border: 1px solid currentColor; border-radius: 3px; padding: 0 .35em; }
.tag.rel { opacity: .7; }
.costliest-tag { color: var(--vscode-editorWarning-foreground); font-weight: 600; }
.slowest-tag { color: var(--vscode-errorForeground); font-weight: 600; }
.changed-tag { color: var(--vscode-gitDecoration-modifiedResourceForeground, var(--vscode-focusBorder)); }
.metrics { display: inline-flex; gap: .8em; }
.metric { display: inline-flex; align-items: center; gap: .35em; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; width: 9em; height: .7em; background: var(--vscode-editorWidget-background, rgba(128,128,128,.15)); border: 1px solid var(--vscode-panel-border); border-radius: 2px; overflow: hidden; }
.fill { display: block; height: 100%; }
.cost .fill { background: var(--vscode-charts-orange, #d18616); }
.time .fill { background: var(--vscode-charts-red, #f14c4c); }
.facts { display: inline-flex; flex-wrap: wrap; gap: .7em; opacity: .9; font-variant-numeric: tabular-nums; }
.misestimate { color: var(--vscode-errorForeground); }
.factor.off { font-weight: 700; color: var(--vscode-errorForeground); }
dl.details { flex-basis: 100%; margin: 0 0 0 .2em; display: grid; grid-template-columns: max-content 1fr; gap: 0 .6em; font-family: var(--vscode-editor-font-family); font-size: 90%; opacity: .8; }
dl.details dt { color: var(--vscode-descriptionForeground); }
dl.details dd { margin: 0; word-break: break-word; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1.2em; }
.sides h3 { margin: .3em 0; }
.sides .bar { width: 6em; }
.changes { margin: .2em 0 .8em; }
.muted { opacity: .7; }
.error { color: var(--vscode-errorForeground); }
${Array.from({ length: 101 }, (_, i) => `.w${i}{width:${i}%}`).join('')}
`;

const LEGEND =
  'Bars: the node’s own share (children excluded, all its runs) of the estimated cost <span class="muted">(orange)</span> and, after EXPLAIN ANALYZE, of the time <span class="muted">(red; parallel workers not added up)</span>. Rows are per run; ×N↑/↓: actual rows N times more/fewer than estimated (red from ×10).';

/** The whole page: one plan, or two side by side with their changes. */
export function renderPlanPage(input: PlanPageInput): string {
  const nonce = escapeHtml(input.nonce);
  const body: string[] = [`<h2>${escapeHtml(input.title)}</h2>`];
  if (input.statement) body.push(`<pre class="sql">${escapeHtml(input.statement)}</pre>`);
  if (input.diff) {
    body.push(input.diff.indexSql ? `<pre class="sql">${escapeHtml(input.diff.indexSql)}</pre>` : '', changesList(input.diff));
    const scale = scaleOf(input.diff.before, input.diff.after);
    body.push(
      `<div class="sides"><section class="side before"><h3>${escapeHtml(input.diff.beforeTitle)}</h3>${summary(input.diff.before)}${renderTree(input.diff.before, scale)}</section>` +
        `<section class="side after"><h3>${escapeHtml(input.diff.afterTitle)}</h3>${summary(input.diff.after)}${renderTree(input.diff.after, scale)}</section></div>`,
    );
  } else if (input.plan) {
    body.push(summary(input.plan), renderTree(input.plan, scaleOf(input.plan)));
  }
  if (input.notes?.length) body.push(`<ul class="notes">${input.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  body.push(`<p class="legend">${LEGEND}</p>`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="${nonce}">${STYLE}</style>
<title>${escapeHtml(input.title)}</title></head>
<body>${body.join('\n')}</body></html>`;
}
