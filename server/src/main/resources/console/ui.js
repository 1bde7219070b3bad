// Pieces every page uses: errors, empty states, progress, confirmation, live job status.

import { followJob, isFinished } from './api.js';
import { bytes, count, jobDuration } from './format.js';
import { html, mount, path } from './html.js';

export function errorBox(error) {
  const details = [error.code && `code ${error.code}`, error.exceptionId && `exceptionId ${error.exceptionId}`].filter(Boolean);
  return html`<div class="alert error" role="alert"><strong>${error.message || String(error)}</strong>
    ${details.length ? html`<span class="muted"> (${details.join(', ')})</span>` : ''}</div>`;
}

/** Shows an error (or clears it with null) in a page's message area. */
export function showError(element, error) {
  mount(element, error ? errorBox(error) : html``);
  if (error) {
    element.scrollIntoView({ block: 'nearest' });
  }
}

export function showNotice(element, text) {
  mount(element, html`<div class="alert ok" role="status">${text}</div>`);
}

export function empty(text, next) {
  return html`<div class="empty"><p>${text}</p>${next || ''}</div>`;
}

export function progress(done, total, label) {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return html`<div class="progress-row"><progress max="100" value="${pct}" aria-label="${label}"></progress>
    <span class="progress-label">${label}: ${pct} %</span></div>`;
}

export function statusBadge(status) {
  return html`<span class="badge status-${status}">${status}</span>`;
}

export function tags(list) {
  return html`${(list || []).map((t) => html`<span class="tag">${t}</span>`)}`;
}

/** Asks in a modal dialog; resolves true when confirmed. */
export function confirmAction(question, confirmLabel = 'Delete', extra = html``) {
  return new Promise((resolve) => {
    const dialog = document.createElement('dialog');
    dialog.className = 'confirm';
    mount(dialog, html`<form method="dialog"><p>${question}</p>${extra}<div class="actions">
      <button value="cancel" class="secondary">Cancel</button>
      <button value="ok" class="danger" data-confirm>${confirmLabel}</button></div></form>`);
    document.body.append(dialog);
    dialog.addEventListener('close', () => {
      const extraValues = Object.fromEntries(new FormData(dialog.querySelector('form')).entries());
      dialog.remove();
      resolve(dialog.returnValue === 'ok' ? { ...extraValues } : null);
    });
    dialog.showModal();
  });
}

function jobSummary(job) {
  const lines = [];
  if (job.progress && !isFinished(job)) {
    lines.push(`${count(job.progress.rows)} rows, ${bytes(job.progress.bytes)} so far`);
  }
  if (job.status === 'success' && job.results) {
    if (job.results.totalRowsCount !== undefined) {
      lines.push(`${count(job.results.totalRowsCount)} rows in the table`);
    }
  }
  return lines;
}

/** A job's live state: status, progress, duration and, when it failed, the error text. */
export function jobPanel(job) {
  const running = !isFinished(job);
  return html`<div class="job-panel ${running ? 'running' : ''}" data-job-status="${job.status}">
    <div><a href="${path('jobs', job.id)}">Job ${job.id}</a> ${job.operationName} ${statusBadge(job.status)}
      <span class="muted">${jobDuration(job)}</span></div>
    ${running ? html`<progress aria-label="job running"></progress>` : ''}
    ${jobSummary(job).map((l) => html`<div class="muted">${l}</div>`)}
    ${job.status === 'error' && job.error ? html`<div class="alert error" role="alert"><strong>${job.error.message}</strong>
      <span class="muted"> (${job.error.code})</span></div>` : ''}
  </div>`;
}

/** Draws a job into element and keeps it live until it ends; resolves to the finished job. */
export function trackJob(element, job, signal) {
  return followJob(job, (j) => mount(element, jobPanel(j)), signal);
}
