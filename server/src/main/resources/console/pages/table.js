// One table: overview, columns, metadata, a filtered data preview, export to one merged file, recent jobs.

import { api } from '../api.js';
import { bytes, count, jobDuration, time } from '../format.js';
import { html, mount, path } from '../html.js';
import { confirmAction, empty, progress, showError, statusBadge, trackJob } from '../ui.js';
import { download, save } from '../s3.js';
import { readOnlyBadge } from './storage.js';

const OPERATORS = [['eq', '='], ['ne', '≠'], ['gt', '>'], ['ge', '≥'], ['lt', '<'], ['le', '≤']];

function overview(t) {
  const item = (label, value) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
  return html`<dl class="facts">
    ${item('Rows', count(t.rowsCount))}${item('Size', bytes(t.dataSizeBytes))}
    ${item('Primary key', (t.primaryKey || []).join(', ') || 'none')}${item('Created', time(t.created))}
    ${item('Last import', time(t.lastImportDate))}${item('Last change', time(t.lastChangeDate))}</dl>`;
}

function metadata(t) {
  const rows = t.metadata || [];
  if (rows.length === 0) {
    return html`<p class="muted">No metadata. Clients add it with <code>POST /v2/storage/tables/${t.id}/metadata</code>.</p>`;
  }
  return html`<div class="scroll"><table><thead><tr><th>Key</th><th>Value</th><th>Provider</th><th>Changed</th></tr></thead>
    <tbody>${rows.map((m) => html`<tr><td>${m.key}</td><td>${m.value}</td><td>${m.provider}</td>
    <td>${time(m.timestamp)}</td></tr>`)}</tbody></table></div>`;
}

function filterRow(columns) {
  return html`<div class="filter-row">
    <select name="column" aria-label="Filter column">${columns.map((c) => html`<option>${c}</option>`)}</select>
    <select name="operator" aria-label="Operator">${OPERATORS.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select>
    <input name="values" aria-label="Values" placeholder="value, or several separated by commas">
    <button type="button" class="secondary small" data-remove-filter aria-label="Remove filter">✕</button></div>`;
}

function previewForm(t) {
  return html`<form id="preview-form" class="preview-form">
    <fieldset><legend>Columns</legend><div class="columns-pick">
      ${t.columns.map((c) => html`<label class="check"><input type="checkbox" name="col" value="${c}" checked>${c}</label>`)}
    </div></fieldset>
    <fieldset><legend>Where</legend><div id="filters"></div>
      <button type="button" class="secondary small" id="add-filter">Add filter</button></fieldset>
    <div class="inline"><label>Rows <select name="limit"><option>100</option><option>500</option><option>1000</option></select></label>
      <button type="submit">Show data</button></div></form>`;
}

function previewTable(data) {
  if (data.rows.length === 0) {
    return empty('No rows match. Remove a filter or load data into the table.');
  }
  return html`<div class="scroll"><table class="data" id="preview-table">
    <thead><tr>${data.columns.map((c) => html`<th>${c}</th>`)}</tr></thead>
    <tbody>${data.rows.map((r) => html`<tr>${r.map((cell) => html`<td>${cell.value}</td>`)}</tr>`)}</tbody></table></div>
    <p class="muted">${count(data.rows.length)} row(s) shown.</p>`;
}

async function showPreview(main, t, signal) {
  const form = main.querySelector('#preview-form');
  const columns = [...form.querySelectorAll('input[name=col]:checked')].map((i) => i.value);
  const filters = [...form.querySelectorAll('.filter-row')]
    .map((row) => ({
      column: row.querySelector('[name=column]').value,
      operator: row.querySelector('[name=operator]').value,
      values: row.querySelector('[name=values]').value.split(',').map((v) => v.trim()),
    }))
    .filter((f) => f.values.some((v) => v !== ''));
  const out = main.querySelector('#preview');
  if (columns.length === 0) {
    mount(out, empty('Pick at least one column.'));
    return;
  }
  try {
    const data = await api('GET', `/tables/${encodeURIComponent(t.id)}/data-preview`, {
      query: { format: 'json', limit: form.limit.value, columns: columns.join(','), whereFilters: filters }, signal,
    });
    mount(out, previewTable(data));
  } catch (error) {
    if (error.name !== 'AbortError') {
      showError(out, error);
    }
  }
}

/** A button that downloads a stored file (slices merged) with its progress. */
export function downloadButton(element, file, signal) {
  mount(element, html`<div class="download"><button type="button" id="download-${file.id}">Download ${file.name}</button>
    <span class="muted">${bytes(file.sizeBytes)} · <a href="${path('files', file.id)}">file ${file.id}</a></span>
    <div class="download-progress"></div></div>`);
  const bar = element.querySelector('.download-progress');
  element.querySelector('button').addEventListener('click', async () => {
    try {
      const { blob } = await download(file.id, (done, total) => mount(bar, progress(done, total, 'Download')), signal);
      save(blob, file.name);
      mount(bar, html`<span class="muted">Saved as ${file.name}.</span>`);
    } catch (error) {
      if (error.name !== 'AbortError') {
        showError(bar, error);
      }
    }
  });
}

async function exportTable(main, t, signal) {
  const gzip = main.querySelector('#export-gzip').checked;
  const out = main.querySelector('#export');
  mount(out, html`<div class="job"></div><div class="file"></div>`);
  try {
    const job = await api('POST', `/tables/${encodeURIComponent(t.id)}/export-async`, { body: { gzip, merged: true } });
    const done = await trackJob(out.querySelector('.job'), job, signal);
    if (done.status === 'success') {
      const file = await api('GET', `/files/${done.results.file.id}`, { signal });
      downloadButton(out.querySelector('.file'), file, signal);
    }
  } catch (error) {
    if (error.name !== 'AbortError') {
      showError(main.querySelector('#message'), error);
    }
  }
}

async function recentJobs(main, t, signal) {
  const out = main.querySelector('#jobs');
  const jobs = (await api('GET', '/jobs', { query: { limit: 200 }, signal })).filter((j) => j.tableId === t.id).slice(0, 10);
  if (jobs.length === 0) {
    mount(out, empty('No recent jobs on this table.'));
    return;
  }
  mount(out, html`<div class="scroll"><table><thead><tr><th>Job</th><th>Operation</th><th>Status</th><th>Created</th>
    <th>Duration</th></tr></thead><tbody>${jobs.map((j) => html`<tr><td><a href="${path('jobs', j.id)}">${j.id}</a></td>
    <td>${j.operationName}</td><td>${statusBadge(j.status)}</td><td>${time(j.createdTime)}</td>
    <td>${jobDuration(j)}</td></tr>`)}</tbody></table></div>
    <p class="muted">Of the last 200 jobs. <a href="/jobs">All jobs</a></p>`);
}

export async function tablePage({ main, params, signal, navigate }) {
  const [tableId] = params;
  document.title = `${tableId} · Granary`;
  const t = await api('GET', `/tables/${encodeURIComponent(tableId)}`, { signal });
  const bucketId = t.bucket ? t.bucket.id : tableId.split('.').slice(0, 2).join('.');
  mount(main, html`<nav class="crumbs"><a href="/storage">Storage</a> / <a href="${path('storage', bucketId)}">${bucketId}</a> /</nav>
    <div class="page-head"><h1>${t.name} ${readOnlyBadge(bucketId)}</h1>
      <div class="actions"><a class="button" href="/load?table=${encodeURIComponent(t.id)}">Load data</a>
        <button type="button" id="export-button">Export</button>
        <label class="check"><input type="checkbox" id="export-gzip"> gzip</label>
        <button type="button" class="danger" id="delete-table">Delete table</button></div></div>
    <div id="message"></div><div id="export"></div>
    <section>${overview(t)}</section>
    <section><h2>Columns</h2><p class="chips">${t.columns.map((c) => html`<span class="tag">${c}</span>`)}</p></section>
    <section><h2>Data preview</h2>${previewForm(t)}<div id="preview"></div></section>
    <section><h2>Metadata</h2>${metadata(t)}</section>
    <section><h2>Recent jobs</h2><div id="jobs"><p class="muted">Loading…</p></div></section>`);

  const filters = main.querySelector('#filters');
  main.querySelector('#add-filter').addEventListener('click', () => {
    const template = document.createElement('template');
    mount(template, filterRow(t.columns));
    filters.append(template.content);
  });
  filters.addEventListener('click', (e) => {
    if (e.target.closest('[data-remove-filter]')) {
      e.target.closest('.filter-row').remove();
    }
  });
  main.querySelector('#preview-form').addEventListener('submit', (e) => {
    e.preventDefault();
    showPreview(main, t, signal);
  });
  main.querySelector('#export-button').addEventListener('click', () => exportTable(main, t, signal));
  main.querySelector('#delete-table').addEventListener('click', async () => {
    if (!(await confirmAction(html`Delete the table <strong>${t.id}</strong> and all its rows?`, 'Delete table'))) {
      return;
    }
    try {
      const job = await api('DELETE', `/tables/${encodeURIComponent(t.id)}`, { query: { async: 1 } });
      const done = await trackJob(main.querySelector('#export'), job, signal);
      if (done.status === 'success') {
        navigate(path('storage', bucketId));
      }
    } catch (error) {
      showError(main.querySelector('#message'), error);
    }
  });
  showPreview(main, t, signal);
  recentJobs(main, t, signal).catch((error) => error.name !== 'AbortError' && showError(main.querySelector('#jobs'), error));
}
