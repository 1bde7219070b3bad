// Load data: a CSV (or .csv.gz) from this computer into a new or an existing table, straight to the object
// store and then through an asynchronous import job.

import { api } from '../api.js';
import { bytes, count } from '../format.js';
import { html, mount, path } from '../html.js';
import { progress, showError, trackJob } from '../ui.js';
import { storeFile } from '../s3.js';

const NEW_BUCKET = '__new__';

/** A table name from a file name, as Keboola sanitises names: orders 2024.csv.gz → orders_2024. */
export function tableNameOf(fileName) {
  const base = fileName.replace(/\.gz$/i, '').replace(/\.(csv|tsv|txt)$/i, '');
  return base.replace(/[^A-Za-z0-9_-]/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 96) || 'table';
}

function form(buckets, tables, query) {
  const chosenTable = query.get('table');
  const chosenBucket = query.get('bucket') || (buckets[0] && buckets[0].id) || NEW_BUCKET;
  const existing = Boolean(chosenTable);
  return html`<form id="load-form" class="card stack">
    <label>CSV file (.csv or .csv.gz)
      <input type="file" name="file" required accept=".csv,.gz,.tsv,.txt,text/csv,application/gzip"></label>
    <fieldset><legend>Into</legend>
      <label class="check"><input type="radio" name="target" value="new" ${existing ? '' : html`checked`}> a new table</label>
      <label class="check"><input type="radio" name="target" value="existing" ${existing ? html`checked` : ''}
        ${tables.length ? '' : html`disabled`}> an existing table</label>
      <div class="when-new stack">
        <div class="inline">
          <label>Bucket <select name="bucket">${buckets.map((b) => html`<option value="${b.id}"
            ${b.id === chosenBucket ? html`selected` : ''}>${b.id}</option>`)}
            <option value="${NEW_BUCKET}" ${chosenBucket === NEW_BUCKET ? html`selected` : ''}>New bucket…</option></select></label>
          <span class="when-new-bucket inline">
            <label>Stage <select name="stage"><option>in</option><option>out</option></select></label>
            <label>Bucket name <input name="bucketName" pattern="[A-Za-z0-9_-]+" placeholder="main"
              value="${buckets.length ? '' : 'main'}"></label></span>
        </div>
        <div class="inline">
          <label>Table name <input name="name" pattern="[A-Za-z0-9][A-Za-z0-9_-]*" placeholder="from the file name"></label>
          <label class="grow">Primary key <input name="primaryKey" placeholder="optional: id or id,date"></label>
        </div>
      </div>
      <div class="when-existing stack">
        <label>Table <select name="table">${tables.map((t) => html`<option value="${t.id}"
          ${t.id === chosenTable ? html`selected` : ''}>${t.id}</option>`)}</select></label>
        <label class="check"><input type="checkbox" name="incremental"> Incremental: add rows (rows with an existing
          primary key are replaced) instead of replacing the table's content</label>
      </div>
    </fieldset>
    <fieldset><legend>CSV format</legend><div class="inline">
      <label>Delimiter <select name="delimiter"><option value=",">, comma</option><option value=";">; semicolon</option>
        <option value="\t">tab</option><option value="|">| pipe</option></select></label>
      <label>Enclosure <select name="enclosure"><option value='"'>" double quote</option><option value="'">' single quote</option>
        <option value="">none</option></select></label></div></fieldset>
    <div><button type="submit" id="load-submit">Load</button></div>
  </form>
  <div id="message"></div><div id="steps" aria-live="polite"></div>`;
}

function toggle(formEl) {
  const existing = formEl.target.value === 'existing';
  formEl.querySelector('.when-new').hidden = existing;
  formEl.querySelector('.when-existing').hidden = !existing;
  formEl.querySelector('.when-new-bucket').hidden = existing || formEl.bucket.value !== NEW_BUCKET;
}

async function destinationBucket(f) {
  if (f.bucket.value !== NEW_BUCKET) {
    return f.bucket.value;
  }
  const name = f.bucketName.value.trim();
  if (!name) {
    throw new Error('Name the new bucket.');
  }
  const bucket = await api('POST', '/buckets', { body: { stage: f.stage.value, name } });
  return bucket.id;
}

async function load(main, f, signal) {
  const file = f.file.files[0];
  const steps = main.querySelector('#steps');
  mount(steps, html`<div class="card"><h2>Loading ${file.name} (${bytes(file.size)})</h2>
    <div class="upload"></div><div class="job"></div><div class="done"></div></div>`);
  const uploadEl = steps.querySelector('.upload');
  const dialect = { delimiter: f.delimiter.value, enclosure: f.enclosure.value };
  const existing = f.target.value === 'existing';
  const bucketId = existing ? null : await destinationBucket(f);
  mount(uploadEl, progress(0, file.size, 'Upload'));
  const stored = await storeFile(file, {}, (sent, total) => mount(uploadEl, progress(sent, total, 'Upload')), signal);
  let job;
  if (existing) {
    job = await api('POST', `/tables/${encodeURIComponent(f.table.value)}/import-async`,
      { body: { dataFileId: stored.id, incremental: f.incremental.checked, ...dialect } });
  } else {
    const name = f.name.value.trim() || tableNameOf(file.name);
    job = await api('POST', `/buckets/${encodeURIComponent(bucketId)}/tables-async`,
      { body: { dataFileId: stored.id, name, primaryKey: f.primaryKey.value.trim(), ...dialect } });
  }
  const done = await trackJob(steps.querySelector('.job'), job, signal);
  if (done.status === 'success') {
    const tableId = existing ? f.table.value : done.results.id;
    const t = await api('GET', `/tables/${encodeURIComponent(tableId)}`, { signal });
    mount(steps.querySelector('.done'), html`<div class="alert ok" role="status">Loaded: <a href="${path('tables', t.id)}"
      id="loaded-table">${t.id}</a> has ${count(t.rowsCount)} rows.</div>`);
  }
}

export async function loadPage({ main, query, signal }) {
  document.title = 'Load data · Granary';
  const [buckets, tables] = await Promise.all([api('GET', '/buckets', { signal }), api('GET', '/tables', { signal })]);
  mount(main, html`<h1>Load data</h1>
    <p class="muted">The file goes from this browser straight to the object store, then an import job loads it.</p>
    ${form(buckets, tables, query)}`);
  const f = main.querySelector('#load-form');
  toggle(f);
  f.addEventListener('change', () => toggle(f));
  f.file.addEventListener('change', () => {
    if (f.file.files[0] && !f.name.value) {
      f.name.placeholder = tableNameOf(f.file.files[0].name);
    }
  });
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const button = main.querySelector('#load-submit');
    button.disabled = true;
    showError(main.querySelector('#message'), null);
    try {
      await load(main, f, signal);
    } catch (error) {
      if (error.name !== 'AbortError') {
        showError(main.querySelector('#message'), error);
      }
    } finally {
      button.disabled = false;
    }
  });
}
