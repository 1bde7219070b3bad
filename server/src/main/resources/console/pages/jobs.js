// Jobs: the list, and one job with its parameters, results, error and live progress.

import { api, isFinished } from '../api.js';
import { bytes, count, jobDuration, time } from '../format.js';
import { html, mount, path } from '../html.js';
import { remoteList } from '../lists.js';
import { empty, jobPanel, showError, statusBadge } from '../ui.js';
import { downloadButton } from './table.js';

function jobRow(j) {
  return html`<tr><td class="num"><a href="${path('jobs', j.id)}">${j.id}</a></td><td>${statusBadge(j.status)}</td>
    <td>${j.operationName}</td><td>${j.tableId ? html`<a href="${path('tables', j.tableId)}">${j.tableId}</a>` : '–'}</td>
    <td>${time(j.createdTime)}</td><td>${jobDuration(j)}</td><td>${j.creatorToken ? j.creatorToken.description : ''}</td></tr>`;
}

export async function jobsPage({ main, signal }) {
  document.title = 'Jobs · Granary';
  mount(main, html`<h1>Jobs</h1><div id="message"></div>
    <div class="scroll"><table id="jobs"><thead><tr><th class="num">Job</th><th>Status</th><th>Operation</th><th>Table</th>
      <th>Created</th><th>Duration</th><th>Token</th></tr></thead><tbody></tbody></table></div><div id="more"></div>`);
  const first = await remoteList({
    table: main.querySelector('#jobs'), more: main.querySelector('#more'), row: jobRow, signal,
    fetchPage: (offset, limit) => api('GET', '/jobs', { query: { limit, offset }, signal }),
  });
  if (first === 0) {
    mount(main.querySelector('#more'), empty('No jobs yet. Loading or exporting a table starts one.',
      html`<a class="button" href="/load">Load a CSV</a>`));
  }
}

function json(value) {
  return html`<pre class="json">${JSON.stringify(value, null, 2)}</pre>`;
}

function details(job) {
  const item = (label, value) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
  return html`<dl class="facts">
    ${item('Status', statusBadge(job.status))}${item('Operation', job.operationName)}
    ${item('Table', job.tableId ? html`<a href="${path('tables', job.tableId)}">${job.tableId}</a>` : '–')}
    ${item('Created', time(job.createdTime))}${item('Started', time(job.startTime))}${item('Ended', time(job.endTime))}
    ${item('Duration', jobDuration(job))}${item('Token', job.creatorToken ? job.creatorToken.description : '–')}
    ${item('Run id', job.runId || '–')}
    ${job.progress ? item('Progress', `${count(job.progress.rows)} rows, ${bytes(job.progress.bytes)}`) : ''}</dl>`;
}

function draw(main, job) {
  mount(main.querySelector('#live'), jobPanel(job));
  mount(main.querySelector('#details'), details(job));
  mount(main.querySelector('#results'), job.results ? json(job.results) : html`<p class="muted">${isFinished(job) ? 'None.' : 'When it ends.'}</p>`);
  mount(main.querySelector('#error'), job.error ? html`<div class="alert error"><strong>${job.error.message}</strong>
    <div class="muted">code ${job.error.code}, exception ${job.error.exceptionId}</div></div>` : html`<p class="muted">None.</p>`);
}

export async function jobPage({ main, params, signal }) {
  const [id] = params;
  document.title = `Job ${id} · Granary`;
  let job = await api('GET', `/jobs/${id}`, { query: { wait: 0 }, signal });
  mount(main, html`<nav class="crumbs"><a href="/jobs">Jobs</a> /</nav><h1>Job ${job.id}</h1>
    <div id="live"></div><div id="file"></div><section id="details"></section>
    <section><h2>Parameters</h2>${json(job.operationParams)}</section>
    <section><h2>Results</h2><div id="results"></div></section>
    <section><h2>Error</h2><div id="error"></div></section>`);
  draw(main, job);
  try {
    while (!isFinished(job)) {
      // the server holds each request until the job ends or a few seconds pass: live, without busy polling
      job = await api('GET', `/jobs/${id}`, { query: { wait: 2 }, signal });
      draw(main, job);
    }
    if (job.status === 'success' && job.results && job.results.file) {
      const file = await api('GET', `/files/${job.results.file.id}`, { signal });
      downloadButton(main.querySelector('#file'), file, signal);
    }
  } catch (error) {
    if (error.name !== 'AbortError') {
      showError(main.querySelector('#live'), error);
    }
  }
}
