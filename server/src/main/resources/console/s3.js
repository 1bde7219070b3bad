// Moving bytes between the browser and the object store directly (never through the API process):
// uploads with a presigned PUT, downloads with presigned GETs, slices merged in manifest order.

import { api } from './api.js';
import { presign } from './sigv4.js';

let endpointPromise = null;

/** The S3 endpoint, as the API index lists it for humans and Granary's own clients. */
export function s3Endpoint() {
  if (!endpointPromise) {
    endpointPromise = fetch('/v2/storage', { cache: 'no-store', credentials: 'omit' })
      .then((r) => r.json())
      .then((index) => {
        const s3 = (index.services || []).find((s) => s.id === 's3');
        if (!s3) {
          throw new Error('The API index names no S3 endpoint.');
        }
        return s3.url;
      })
      .catch((e) => {
        endpointPromise = null;
        throw e;
      });
  }
  return endpointPromise;
}

function s3Message(status, body, target) {
  const message = /<Message>([^<]*)<\/Message>/.exec(body || '');
  const code = /<Code>([^<]*)<\/Code>/.exec(body || '');
  if (status === 0) {
    return `The browser could not reach the object store at ${target}. It must be reachable from this computer and `
      + 'allow this page\'s origin (CORS; see the README).';
  }
  return `The object store refused the transfer (HTTP ${status}${code ? ' ' + code[1] : ''})`
    + (message ? `: ${message[1]}` : '.');
}

/** The URL a prepared file (files/prepare) is uploaded to with one PUT. */
async function uploadUrl(prepared) {
  const params = prepared.uploadParams || {};
  if (params.url) {
    return params.url; // a store without STS: the server presigned it
  }
  if (!params.credentials) {
    throw new Error('files/prepare gave neither upload credentials nor an upload URL.');
  }
  return presign({
    method: 'PUT', endpoint: await s3Endpoint(), bucket: params.bucket, key: params.key,
    region: prepared.region, credentials: params.credentials,
  });
}

/**
 * Uploads a File to a prepared file's object; onProgress(sentBytes, totalBytes). Resolves when stored, rejects
 * with the store's message. signal aborts the upload.
 */
export async function upload(file, prepared, onProgress, signal) {
  const url = await uploadUrl(prepared);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
      } else {
        reject(new Error(s3Message(xhr.status, xhr.responseText, new URL(url).origin)));
      }
    };
    xhr.onerror = () => reject(new Error(s3Message(0, '', new URL(url).origin)));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    if (signal) {
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    // a Blob without a type sends no Content-Type: the store keeps none, and no extra header needs allowing
    xhr.send(file.slice(0, file.size, ''));
  });
}

async function fetchBlob(url, signal) {
  let response;
  try {
    response = await fetch(url, { signal, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') {
      throw e;
    }
    throw new Error(s3Message(0, '', new URL(url).origin));
  }
  if (!response.ok) {
    throw new Error(s3Message(response.status, await response.text(), new URL(url).origin));
  }
  return response.blob();
}

/**
 * A stored file's bytes as one Blob: a single file as it is, a sliced file's slices joined in manifest order
 * (as the docs' `cat` does; gzipped slices join into one valid multi-member gzip). onProgress(doneParts, parts).
 */
export async function download(fileId, onProgress, signal) {
  const file = await api('GET', `/files/${fileId}`, { query: { federationToken: 1 }, signal });
  if (!file.isSliced) {
    onProgress(0, 1);
    const blob = await fetchBlob(file.url, signal);
    onProgress(1, 1);
    return { file, blob };
  }
  const manifest = JSON.parse(await (await fetchBlob(file.url, signal)).text());
  const entries = manifest.entries || [];
  if (entries.length > 0 && !file.credentials) {
    throw new Error('This object store hands out no credentials for slices; download them with the CLI: granary file download.');
  }
  const endpoint = await s3Endpoint();
  const parts = [];
  onProgress(0, entries.length);
  for (const entry of entries) {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(entry.url);
    if (!match) {
      throw new Error(`The manifest names a slice this console cannot read: ${entry.url}`);
    }
    const url = presign({
      method: 'GET', endpoint, bucket: match[1], key: match[2], region: file.region, credentials: file.credentials,
    });
    parts.push(await fetchBlob(url, signal));
    onProgress(parts.length, entries.length);
  }
  return { file, blob: new Blob(parts) };
}

/** Offers a Blob to the user as a download under this name. */
export function save(blob, name) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}

/** Puts a browser File into File Storage: files/prepare, then the direct upload. Resolves to the file resource. */
export async function storeFile(file, { tags = [] } = {}, onProgress, signal) {
  const prepared = await api('POST', '/files/prepare', {
    body: { name: file.name, sizeBytes: file.size, federationToken: true, tags }, signal,
  });
  await upload(file, prepared, onProgress, signal);
  return prepared;
}
