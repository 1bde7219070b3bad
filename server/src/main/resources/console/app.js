// The console's shell: sign-in, the navigation bar and a router over real URLs (History API), so every
// page can be bookmarked, reloaded and reached with the back button.

import { api, session, whenUnauthorized } from './api.js';
import { html, mount } from './html.js';
import { errorBox } from './ui.js';
import { storagePage, bucketPage } from './pages/storage.js';
import { tablePage } from './pages/table.js';
import { loadPage } from './pages/load.js';
import { filesPage, filePage } from './pages/files.js';
import { jobsPage, jobPage } from './pages/jobs.js';
import { tokensPage } from './pages/tokens.js';

const ROUTES = [
  [/^\/$/, () => ({ redirect: '/storage' })],
  [/^\/storage$/, storagePage],
  [/^\/storage\/([^/]+)$/, bucketPage],
  [/^\/tables\/([^/]+)$/, tablePage],
  [/^\/load$/, loadPage],
  [/^\/files$/, filesPage],
  [/^\/files\/(\d+)$/, filePage],
  [/^\/jobs$/, jobsPage],
  [/^\/jobs\/(\d+)$/, jobPage],
  [/^\/tokens$/, tokensPage],
];

const NAV = [
  ['/storage', 'Storage', /^\/(storage|tables)/],
  ['/load', 'Load data', /^\/load/],
  ['/files', 'Files', /^\/files/],
  ['/jobs', 'Jobs', /^\/jobs/],
  ['/tokens', 'Tokens', /^\/tokens/],
];

const root = document.getElementById('app');
let current = null; // the AbortController of the page on screen

export function navigate(target, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, '', target);
  } else {
    history.pushState(null, '', target);
  }
  render();
}

function shell() {
  const me = session.me;
  const here = location.pathname;
  const nav = NAV.filter(([href]) => href !== '/tokens' || me.canManageTokens || me.isMasterToken);
  mount(root, html`<header class="top">
      <a class="brand" href="/storage"><img src="${document.querySelector('link[rel=icon]').href}" alt="" width="24" height="24">Granary</a>
      <nav aria-label="Main">${nav.map(([href, label, match]) => html`<a href="${href}"
        ${match.test(here) ? html`aria-current="page"` : ''}>${label}</a>`)}</nav>
      <div class="who"><span class="muted" title="Signed in with this token">${me.description || 'token ' + me.id}</span>
        <button type="button" class="secondary small" id="sign-out">Sign out</button></div>
    </header>
    <main id="main" tabindex="-1"></main>`);
  document.getElementById('sign-out').addEventListener('click', () => {
    session.signOut();
    session.me = null;
    navigate('/storage', { replace: true });
  });
  return document.getElementById('main');
}

function signIn(message) {
  mount(root, html`<main class="sign-in">
    <h1><img src="${document.querySelector('link[rel=icon]').href}" alt="" width="40" height="40"> Granary</h1>
    <form id="sign-in-form" class="card" autocomplete="off">
      <label for="token">Storage API token</label>
      <input id="token" name="token" type="password" required autofocus spellcheck="false"
        placeholder="Paste a token">
      <button type="submit">Sign in</button>
      <div id="sign-in-message">${message ? errorBox(message) : ''}</div>
      <p class="muted">On first start <code>./granary server</code> prints the master token and saves it to
        <code>granary-data/master-token</code>. The token stays in this browser tab only and is sent to the API in
        the <code>X-StorageApi-Token</code> header.</p>
    </form></main>`);
  document.getElementById('sign-in-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = e.target.token.value.trim();
    try {
      session.me = await api('GET', '/tokens/verify', { token });
      session.signIn(token);
      render();
    } catch (error) {
      mount(document.getElementById('sign-in-message'), errorBox(error));
    }
  });
}

async function render() {
  if (current) {
    current.abort();
  }
  current = new AbortController();
  const signal = current.signal;
  if (!session.token()) {
    signIn();
    return;
  }
  if (!session.me) {
    try {
      session.me = await api('GET', '/tokens/verify', { signal });
    } catch (error) {
      if (error.name !== 'AbortError') {
        session.signOut();
        signIn(error);
      }
      return;
    }
  }
  const route = ROUTES.find(([pattern]) => pattern.test(location.pathname));
  const main = shell();
  if (!route) {
    mount(main, html`<h1>Not found</h1><p>No page at this address. <a href="/storage">Go to Storage</a>.</p>`);
    return;
  }
  const params = route[0].exec(location.pathname).slice(1).map(decodeURIComponent);
  try {
    const outcome = await route[1]({ main, params, query: new URLSearchParams(location.search), signal, navigate });
    if (outcome && outcome.redirect) {
      navigate(outcome.redirect, { replace: true });
    }
  } catch (error) {
    if (error.name !== 'AbortError' && !signal.aborted) {
      mount(main, html`<h1>Something went wrong</h1>${errorBox(error)}`);
    }
  }
}

whenUnauthorized((error) => {
  session.signOut();
  session.me = null;
  signIn(error);
});

// links inside the console change the page without a reload; everything else behaves as a normal link
document.addEventListener('click', (e) => {
  const link = e.target.closest('a[href]');
  if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey
      || link.target || link.hasAttribute('download') || link.origin !== location.origin
      || link.pathname.startsWith('/v2/') || link.pathname.startsWith('/console/')) {
    return;
  }
  e.preventDefault();
  if (link.pathname + link.search !== location.pathname + location.search) {
    navigate(link.pathname + link.search);
  }
});

window.addEventListener('popstate', render);
render();
