// Every value that reaches the page goes through html``: interpolations are escaped unless they are
// themselves html`` results, so table cells, file names and error texts always render as text.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

class Html {
  constructor(text) {
    this.text = text;
  }

  toString() {
    return this.text;
  }
}

export function escape(value) {
  return String(value).replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
}

function render(value) {
  if (value instanceof Html) {
    return value.text;
  }
  if (Array.isArray(value)) {
    return value.map(render).join('');
  }
  if (value === null || value === undefined || value === false) {
    return '';
  }
  return escape(value);
}

/** A tagged template: html`<td>${cell}</td>` escapes cell. */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + strings[i + 1];
  }
  return new Html(out);
}

/** Replaces the element's content; only html`` results are accepted. */
export function mount(element, content) {
  if (!(content instanceof Html)) {
    throw new TypeError('mount() takes html`` content only');
  }
  element.innerHTML = content.text;
}

/** A path of the console or the API with each segment URL-encoded: path('tables', id). */
export function path(...segments) {
  return '/' + segments.map((s) => encodeURIComponent(s)).join('/');
}
