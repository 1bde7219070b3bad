// The Storage API as any client calls it. The token lives in this tab's sessionStorage and travels only
// in the X-StorageApi-Token header: never in a URL, a cookie or a log line.

const TOKEN_KEY = 'granary.token';
const BASE = '/v2/storage';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
  /** The verified token (tokens/verify), set by the app after sign-in. */
  me: null,
};

/** An error answer of the API: message is its `error` text, as a Keboola client shows it. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `The server answered HTTP ${status}.`);
    this.status = status;
    this.code = body && body.code;
    this.exceptionId = body && body.exceptionId;
  }
}

/** Query parameters as PHP clients send them: arrays as a[]=x, objects as a[0][column]=x. */
function appendQuery(params, key, value) {
  if (value === undefined || value === null) {
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => appendQuery(params, typeof v === 'object' ? `${key}[${i}]` : `${key}[]`, v));
  } else if (typeof value === 'object') {
    Object.entries(value).forEach(([k, v]) => appendQuery(params, `${key}[${k}]`, v));
  } else {
    params.append(key, String(value));
  }
}

export function queryString(query) {
  const params = new URLSearchParams();
  Object.entries(query || {}).forEach(([k, v]) => appendQuery(params, k, v));
  const text = params.toString();
  return text ? '?' + text : '';
}

let onUnauthorized = () => {};

/** What to do when the token stops being valid (it was deleted or refreshed elsewhere). */
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

/** One API call; resolves to the parsed JSON (null for 204) or rejects with an ApiError. */
export async function api(method, path, { query, body, signal, token } = {}) {
  const headers = { 'X-StorageApi-Token': token || session.token() || '' };
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(BASE + path + queryString(query), {
    method, headers, body: payload, signal, cache: 'no-store', credentials: 'omit', redirect: 'error',
  });
  if (response.status === 204) {
    return null;
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, json);
    if (response.status === 401 && !token) {
      onUnauthorized(error);
    }
    throw error;
  }
  return json;
}

export const isFinished = (job) => job.status === 'success' || job.status === 'error';

/**
 * Follows a job until it ends with the job detail's long poll (each request waits on the server for the
 * job to end, up to `wait` seconds), calling onUpdate with every answer. Stops quietly when aborted.
 */
export async function followJob(job, onUpdate, signal, wait = 2) {
  let current = job;
  onUpdate(current);
  while (!isFinished(current)) {
    current = await api('GET', `/jobs/${current.id}`, { query: { wait }, signal });
    onUpdate(current);
  }
  return current;
}
