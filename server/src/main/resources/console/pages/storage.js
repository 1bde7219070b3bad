// Storage: buckets, and the tables of one bucket.

import { api, session } from '../api.js';
import { bytes, count, time } from '../format.js';
import { html, mount, path } from '../html.js';
import { localList } from '../lists.js';
import { confirmAction, empty, showError, trackJob } from '../ui.js';

export function access(bucketId) {
  const me = session.me;
  if (me.isMasterToken || me.canManageBuckets) {
    return 'manage';
  }
  return (me.bucketPermissions || {})[bucketId] || null;
}

export function readOnlyBadge(bucketId) {
  return access(bucketId) === 'read' ? html`<span class="badge" title="Your token may only read this bucket">read only</span>` : '';
}

function bucketRow(bucket, stats) {
  const s = stats.get(bucket.id) || { tables: 0, rows: 0, bytes: 0 };
  return html`<tr><td class="id"><a href="${path('storage', bucket.id)}">${bucket.id}</a> ${readOnlyBadge(bucket.id)}</td>
    <td>${bucket.description}</td><td class="num">${count(s.tables)}</td><td class="num">${count(s.rows)}</td>
    <td class="num">${bytes(s.bytes)}</td><td>${time(bucket.created)}</td></tr>`;
}

export async function storagePage({ main, signal, navigate }) {
  document.title = 'Storage · Granary';
  const [buckets, tables] = await Promise.all([api('GET', '/buckets', { signal }), api('GET', '/tables', { signal })]);
  const stats = new Map();
  for (const t of tables) {
    const id = t.bucket ? t.bucket.id : t.id.split('.').slice(0, 2).join('.');
    const s = stats.get(id) || { tables: 0, rows: 0, bytes: 0 };
    s.tables++;
    s.rows += t.rowsCount || 0;
    s.bytes += t.dataSizeBytes || 0;
    stats.set(id, s);
  }
  mount(main, html`<div class="page-head"><h1>Storage</h1>
      <div class="actions"><a class="button" href="/load">Load a CSV</a></div></div>
    <div id="message"></div>
    ${buckets.length === 0 ? empty('No buckets yet. Create one below, then load a CSV into it (Load data can also create the bucket for you).') : html`
    <div class="scroll"><table id="buckets"><thead><tr><th>Bucket</th><th>Description</th><th class="num">Tables</th>
      <th class="num">Rows</th><th class="num">Size</th><th>Created</th></tr></thead><tbody></tbody></table></div>
    <div id="more"></div>`}
    <section class="card"><h2>New bucket</h2>
      <form id="new-bucket" class="inline">
        <label>Stage <select name="stage"><option value="in">in</option><option value="out">out</option></select></label>
        <label>Name <input name="name" required pattern="[A-Za-z0-9_-]+" placeholder="main"
          title="Letters, digits, - and _"></label>
        <label class="grow">Description <input name="description" placeholder="optional"></label>
        <button type="submit">Create bucket</button>
      </form>
      <p class="muted">The bucket's id will be <code>stage.c-name</code>, e.g. <code>in.c-main</code>.</p>
    </section>`);
  if (buckets.length) {
    localList({ table: main.querySelector('#buckets'), more: main.querySelector('#more'), items: buckets,
      row: (b) => bucketRow(b, stats) });
  }
  main.querySelector('#new-bucket').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.target;
    try {
      const bucket = await api('POST', '/buckets', {
        body: { stage: form.stage.value, name: form.name.value.trim(), description: form.description.value },
      });
      navigate(path('storage', bucket.id));
    } catch (error) {
      showError(main.querySelector('#message'), error);
    }
  });
}

function tableRow(t) {
  return html`<tr><td><a href="${path('tables', t.id)}">${t.name}</a></td><td class="num">${count(t.rowsCount)}</td>
    <td class="num">${bytes(t.dataSizeBytes)}</td><td>${time(t.lastImportDate)}</td>
    <td>${(t.primaryKey || []).join(', ') || html`<span class="muted">none</span>`}</td></tr>`;
}

export async function bucketPage({ main, params, signal, navigate }) {
  const [bucketId] = params;
  document.title = `${bucketId} · Granary`;
  const [bucket, tables] = await Promise.all([
    api('GET', `/buckets/${encodeURIComponent(bucketId)}`, { signal }),
    api('GET', `/buckets/${encodeURIComponent(bucketId)}/tables`, { signal }),
  ]);
  mount(main, html`<nav class="crumbs"><a href="/storage">Storage</a> /</nav>
    <div class="page-head"><h1>${bucket.id} ${readOnlyBadge(bucket.id)}</h1>
      <div class="actions"><a class="button" href="/load?bucket=${encodeURIComponent(bucket.id)}">Load a CSV</a>
        <button type="button" class="danger" id="delete-bucket">Delete bucket</button></div></div>
    ${bucket.description ? html`<p>${bucket.description}</p>` : ''}
    <div id="message"></div><div id="job"></div>
    ${tables.length === 0 ? empty('This bucket has no tables yet. Load a CSV to create the first one.',
      html`<a class="button" href="/load?bucket=${encodeURIComponent(bucket.id)}">Load a CSV</a>`) : html`
    <div class="scroll"><table id="tables"><thead><tr><th>Table</th><th class="num">Rows</th><th class="num">Size</th>
      <th>Last import</th><th>Primary key</th></tr></thead><tbody></tbody></table></div><div id="more"></div>`}`);
  if (tables.length) {
    localList({ table: main.querySelector('#tables'), more: main.querySelector('#more'), items: tables, row: tableRow });
  }
  main.querySelector('#delete-bucket').addEventListener('click', async () => {
    const extra = tables.length ? html`<label class="check"><input type="checkbox" name="force" value="1">
      Also delete its ${tables.length} table(s)</label>` : html``;
    const answer = await confirmAction(html`Delete the bucket <strong>${bucket.id}</strong>?`, 'Delete bucket', extra);
    if (!answer) {
      return;
    }
    try {
      const job = await api('DELETE', `/buckets/${encodeURIComponent(bucket.id)}`,
        { query: { async: 1, force: answer.force ? 1 : 0 } });
      const done = await trackJob(main.querySelector('#job'), job, signal);
      if (done.status === 'success') {
        navigate('/storage');
      }
    } catch (error) {
      showError(main.querySelector('#message'), error);
    }
  });
}
