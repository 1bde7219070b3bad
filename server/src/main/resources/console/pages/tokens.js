// Tokens: list, create with bucket permissions (the secret is shown once), refresh, delete.

import { api, session } from '../api.js';
import { time } from '../format.js';
import { html, mount } from '../html.js';
import { localList } from '../lists.js';
import { confirmAction, empty, showError } from '../ui.js';

const EXPIRY = [['', 'never'], ['3600', '1 hour'], ['86400', '1 day'], ['604800', '7 days'], ['2592000', '30 days']];

function abilities(t) {
  if (t.isMasterToken) {
    return 'master: everything';
  }
  const list = [];
  if (t.canManageBuckets) list.push('manage buckets');
  if (t.canManageTokens) list.push('manage tokens');
  if (t.canReadAllFileUploads) list.push('read all files');
  const perms = Object.entries(t.bucketPermissions || {});
  if (!t.canManageBuckets && perms.length) list.push(perms.map(([b, p]) => `${b}: ${p}`).join(', '));
  return list.join('; ') || 'own files only';
}

function tokenRow(t) {
  const mine = String(t.id) === String(session.me.id);
  return html`<tr data-token="${t.id}"><td class="num">${t.id}</td><td>${t.description}${mine ? html` <span class="badge">you</span>` : ''}</td>
    <td>${abilities(t)}</td><td>${time(t.created)}</td><td>${t.expires ? time(t.expires) : 'never'}</td>
    <td class="actions"><button type="button" class="secondary small" data-refresh="${t.id}">Refresh</button>
      ${t.isMasterToken ? '' : html`<button type="button" class="danger small" data-delete="${t.id}">Delete</button>`}</td></tr>`;
}

function secretBox(token, what) {
  return html`<div class="alert ok secret" role="status"><p>${what} <strong>${token.description}</strong>. Copy its secret now:
    it is shown only this once.</p><code id="new-secret">${token.token}</code>
    <button type="button" class="secondary small" id="copy-secret">Copy</button></div>`;
}

function createForm(buckets) {
  return html`<form id="new-token" class="card stack"><h2>New token</h2>
    <div class="inline"><label class="grow">Description <input name="description" required placeholder="what it is for"></label>
      <label>Expires <select name="expiresIn">${EXPIRY.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select></label></div>
    <label class="check"><input type="checkbox" name="canManageBuckets"> Manage all buckets (create, delete, write any)</label>
    <label class="check"><input type="checkbox" name="canReadAllFileUploads"> Read all files, not only its own uploads</label>
    ${buckets.length ? html`<fieldset><legend>Bucket permissions</legend><div class="perm-grid">
      ${buckets.map((b) => html`<label>${b.id} <select name="perm" data-bucket="${b.id}"><option value="">none</option>
        <option value="read">read</option><option value="write">write</option></select></label>`)}</div></fieldset>`
    : html`<p class="muted">No buckets yet to grant access to.</p>`}
    <div><button type="submit">Create token</button></div></form>`;
}

function showSecret(main, token, what) {
  const out = main.querySelector('#secret');
  mount(out, secretBox(token, what));
  out.querySelector('#copy-secret').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(token.token);
      out.querySelector('#copy-secret').textContent = 'Copied';
    } catch (e) {
      window.getSelection().selectAllChildren(out.querySelector('#new-secret'));
    }
  });
  out.scrollIntoView({ block: 'nearest' });
}

export async function tokensPage({ main, signal, navigate }) {
  document.title = 'Tokens · Granary';
  const [tokens, buckets] = await Promise.all([api('GET', '/tokens', { signal }), api('GET', '/buckets', { signal })]);
  mount(main, html`<h1>Tokens</h1><div id="message"></div><div id="secret"></div>
    ${tokens.length ? html`<div class="scroll"><table id="tokens"><thead><tr><th class="num">Id</th><th>Description</th>
      <th>May</th><th>Created</th><th>Expires</th><th></th></tr></thead><tbody></tbody></table></div><div id="more"></div>`
    : empty('No tokens you may manage.')}
    ${createForm(buckets)}`);
  const message = main.querySelector('#message');
  if (tokens.length) {
    localList({ table: main.querySelector('#tokens'), more: main.querySelector('#more'), items: tokens, row: tokenRow });
  }
  main.querySelector('#new-token').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    const bucketPermissions = {};
    f.querySelectorAll('select[name=perm]').forEach((s) => {
      if (s.value) bucketPermissions[s.dataset.bucket] = s.value;
    });
    const body = { description: f.description.value.trim(), canManageBuckets: f.canManageBuckets.checked,
      canReadAllFileUploads: f.canReadAllFileUploads.checked, bucketPermissions };
    if (f.expiresIn.value) body.expiresIn = Number(f.expiresIn.value);
    try {
      const token = await api('POST', '/tokens', { body });
      f.reset();
      showError(message, null);
      const list = main.querySelector('#tokens tbody');
      if (list) {
        const template = document.createElement('template');
        mount(template, tokenRow(token));
        list.append(template.content);
      }
      showSecret(main, token, 'Created');
    } catch (error) {
      showError(message, error);
    }
  });
  main.addEventListener('click', async (e) => {
    const refresh = e.target.closest('[data-refresh]');
    const remove = e.target.closest('[data-delete]');
    try {
      if (refresh) {
        const id = refresh.dataset.refresh;
        const mine = id === String(session.me.id);
        const warn = mine ? ' Your own token: this tab switches to the new secret.' : ' Its old secret stops working.';
        if (!(await confirmAction(`Refresh token ${id}?${warn}`, 'Refresh'))) return;
        const token = await api('POST', `/tokens/${id}/refresh`);
        if (mine) session.signIn(token.token);
        showSecret(main, token, 'Refreshed');
      } else if (remove) {
        const id = remove.dataset.delete;
        if (!(await confirmAction(`Delete token ${id}? Anything using it stops working.`, 'Delete token'))) return;
        await api('DELETE', `/tokens/${id}`);
        if (id === String(session.me.id)) {
          session.signOut();
          session.me = null;
          navigate('/storage', { replace: true });
          return;
        }
        remove.closest('tr').remove();
      }
    } catch (error) {
      showError(message, error);
    }
  });
}
