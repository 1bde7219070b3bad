// Long lists never load or draw everything at once: lists the API pages (files, jobs) are fetched a page at
// a time as the user scrolls; lists the API returns whole (buckets, tables, tokens) are drawn a page at a time.

import { html, mount } from './html.js';

function appendRows(tbody, rows) {
  const template = document.createElement('template');
  mount(template, html`${rows}`);
  tbody.querySelector('tbody').append(template.content);
}

function moreButton(more, label, onClick) {
  mount(more, html`<button type="button" class="secondary" data-more>${label}</button>`);
  more.querySelector('button').addEventListener('click', onClick);
}

/** Draws items into table's tbody pageSize at a time, with a button for the next page. */
export function localList({ table, more, items, row, pageSize = 100 }) {
  let shown = 0;
  const next = () => {
    appendRows(table, items.slice(shown, shown + pageSize).map(row));
    shown = Math.min(items.length, shown + pageSize);
    if (shown < items.length) {
      moreButton(more, `Show ${Math.min(pageSize, items.length - shown)} more of ${items.length - shown} left`, next);
    } else {
      mount(more, html``);
    }
  };
  next();
}

/**
 * Fetches fetchPage(offset, limit) a page at a time into table's tbody: the next page loads when the "Load more"
 * button scrolls into view or is pressed. Resolves to the number of items of the first page.
 */
export async function remoteList({ table, more, fetchPage, row, pageSize = 50, signal }) {
  let offset = 0;
  let loading = false;
  let observer = null;
  const load = async () => {
    if (loading) {
      return 0;
    }
    loading = true;
    try {
      const items = await fetchPage(offset, pageSize);
      if (signal.aborted) {
        return 0;
      }
      offset += items.length;
      appendRows(table, items.map(row));
      if (items.length < pageSize) {
        mount(more, html``);
        if (observer) {
          observer.disconnect();
        }
      } else {
        moreButton(more, 'Load more', load);
        if (!observer && 'IntersectionObserver' in window) {
          observer = new IntersectionObserver((seen) => seen.some((s) => s.isIntersecting) && load());
          observer.observe(more);
          signal.addEventListener('abort', () => observer.disconnect());
        }
      }
      return items.length;
    } finally {
      loading = false;
    }
  };
  return load();
}
