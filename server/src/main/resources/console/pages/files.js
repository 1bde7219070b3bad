// Files: File Storage with tags, search, upload, download (slices merged), tag changes and delete.

import { api } from '../api.js';
import { bytes, time } from '../format.js';
import { html, mount, path } from '../html.js';
import { remoteList } from '../lists.js';
import { confirmAction, empty, progress, showError, showNotice } from '../ui.js';
import { storeFile } from '../s3.js';
import { downloadButton } from './table.js';

function tagChips(file, removable) {
  return html`${(file.tags || []).map((t) => html`<span class="tag">${t}${removable ? html`<button type="button"
    class="tag-remove" data-remove-tag="${t}" data-file="${file.id}" aria-label="Remove tag ${t}">✕</button>` : ''}</span>`)}`;
}

function fileRow(file) {
  return html`<tr data-file-row="${file.id}"><td class="num"><a href="${path('files', file.id)}">${file.id}</a></td>
    <td class="name"><a href="${path('files', file.id)}">${file.name}</a>${file.isSliced ? html` <span class="badge">sliced</span>` : ''}</td>
    <td class="num">${bytes(file.sizeBytes)}</td><td>${time(file.created)}</td><td>${tagChips(file, true)}</td></tr>`;
}

async function removeTag(button, onDone) {
  try {
    await api('DELETE', `/files/${button.dataset.file}/tags/${encodeURIComponent(button.dataset.removeTag)}`);
    onDone();
  } catch (error) {
    showError(document.getElementById('message'), error);
  }
}

export async function filesPage({ main, query, signal, navigate }) {
  document.title = 'Files · Granary';
  const q = query.get('q') || '';
  const tag = query.get('tag') || '';
  mount(main, html`<h1>Files</h1>
    <form id="search" class="inline card" role="search">
      <label class="grow">Name contains <input name="q" value="${q}" type="search"></label>
      <label>Tag <input name="tag" value="${tag}" placeholder="e.g. storage-merged-export"></label>
      <button type="submit">Search</button>${q || tag ? html`<a href="/files">Clear</a>` : ''}</form>
    <details class="card" id="upload-box"><summary>Upload a file</summary>
      <form id="upload" class="inline"><label class="grow">File <input type="file" name="file" required></label>
        <label>Tags <input name="tags" placeholder="comma separated"></label><button type="submit">Upload</button></form>
      <div id="upload-progress"></div></details>
    <div id="message"></div>
    <div class="scroll"><table id="files"><thead><tr><th class="num">Id</th><th>Name</th><th class="num">Size</th>
      <th>Created</th><th>Tags</th></tr></thead><tbody></tbody></table></div><div id="more"></div>`);
  main.querySelector('#search').addEventListener('submit', (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    if (e.target.q.value.trim()) params.set('q', e.target.q.value.trim());
    if (e.target.tag.value.trim()) params.set('tag', e.target.tag.value.trim());
    navigate('/files' + (params.toString() ? '?' + params : ''));
  });
  main.querySelector('#upload').addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = main.querySelector('#upload-progress');
    const file = e.target.file.files[0];
    const tags = e.target.tags.value.split(',').map((t) => t.trim()).filter(Boolean);
    try {
      const stored = await storeFile(file, { tags }, (sent, total) => mount(out, progress(sent, total, 'Upload')), signal);
      navigate(path('files', stored.id));
    } catch (error) {
      if (error.name !== 'AbortError') showError(out, error);
    }
  });
  main.querySelector('#files').addEventListener('click', (e) => {
    const button = e.target.closest('[data-remove-tag]');
    if (button) removeTag(button, () => button.closest('.tag').remove());
  });
  const first = await remoteList({
    table: main.querySelector('#files'), more: main.querySelector('#more'), row: fileRow, signal,
    fetchPage: (offset, limit) => api('GET', '/files', { query: { limit, offset, q: q || undefined, tags: tag ? [tag] : undefined }, signal }),
  });
  if (first === 0) {
    mount(main.querySelector('#more'), q || tag ? empty('No files match. Clear the search to see all files.')
      : empty('No files yet. Upload one above, or export a table: its file appears here.'));
  }
}

export async function filePage({ main, params, signal, navigate }) {
  const [id] = params;
  const file = await api('GET', `/files/${id}`, { signal });
  document.title = `${file.name} · Granary`;
  mount(main, html`<nav class="crumbs"><a href="/files">Files</a> /</nav>
    <div class="page-head"><h1>${file.name}</h1>
      <div class="actions"><button type="button" class="danger" id="delete-file">Delete file</button></div></div>
    <div id="message"></div>
    <dl class="facts"><div><dt>Id</dt><dd>${file.id}</dd></div><div><dt>Size</dt><dd>${bytes(file.sizeBytes)}</dd></div>
      <div><dt>Created</dt><dd>${time(file.created)}</dd></div>
      <div><dt>Kind</dt><dd>${file.isSliced ? 'sliced (downloads as one file)' : 'single file'}</dd></div>
      <div><dt>Expires</dt><dd>${file.maxAgeDays ? `after ${file.maxAgeDays} days` : 'never'}</dd></div>
      <div><dt>Created by</dt><dd>${file.creatorToken ? file.creatorToken.description : '–'}</dd></div></dl>
    <section><h2>Download</h2><div id="download"></div></section>
    <section><h2>Tags</h2><p class="chips" id="tags">${tagChips(file, true)}</p>
      <form id="add-tag" class="inline"><label>New tag <input name="tag" required></label>
        <button type="submit">Add tag</button></form></section>`);
  downloadButton(main.querySelector('#download'), file, signal);
  const message = main.querySelector('#message');
  const refreshTags = async () => {
    const fresh = await api('GET', `/files/${id}`, { signal });
    mount(main.querySelector('#tags'), tagChips(fresh, true));
  };
  main.querySelector('#tags').addEventListener('click', (e) => {
    const button = e.target.closest('[data-remove-tag]');
    if (button) removeTag(button, refreshTags);
  });
  main.querySelector('#add-tag').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', `/files/${id}/tags`, { body: { tag: e.target.tag.value.trim() } });
      e.target.reset();
      await refreshTags();
      showNotice(message, 'Tag added.');
    } catch (error) {
      showError(message, error);
    }
  });
  main.querySelector('#delete-file').addEventListener('click', async () => {
    if (!(await confirmAction(html`Delete the file <strong>${file.name}</strong> (id ${file.id})?`, 'Delete file'))) {
      return;
    }
    try {
      await api('DELETE', `/files/${id}`);
      navigate('/files');
    } catch (error) {
      showError(message, error);
    }
  });
}
