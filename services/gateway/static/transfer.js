// @ts-check
// Files to and from the system: an upload reserves the file through the API and PUTs
// its bytes to the storage service's signed URL with progress; a download follows the
// gateway's redirect to storage, or saves a file the API renders (PDF/XLSX) under the
// server's filename.

import { ApiError, api, apiFetch, errorOf, headers, queryString } from "./api.js";
import { lang, t } from "./i18n.js";

/**
 * Upload one file: reserve it (POST /uploads), then PUT its bytes to the signed URL
 * with progress. Resolves to the reservation's file_id, or to null without sending the
 * bytes when `cancelled()` says so once the file is reserved.
 * @param {File} file
 * @param {(fraction: number) => void} [onProgress]
 * @param {{cancelled?: () => boolean}} [options]
 * @returns {Promise<string | null>}
 */
export async function uploadFile(file, onProgress = () => {}, { cancelled = () => false } = {}) {
  const reservation = await api.createUpload({
    filename: file.name, content_type: file.type || "application/octet-stream", size: file.size,
  });
  if (cancelled()) return null;
  await putFile(reservation.upload_url, file, onProgress);
  return reservation.file_id;
}

/** @param {XMLHttpRequest} xhr */
function parsedBody(xhr) {
  try {
    return JSON.parse(xhr.responseText);
  } catch {
    return null;
  }
}

/**
 * PUT a file's bytes to the signed upload URL (the storage service, another origin),
 * reporting progress as a fraction. Resolves to the stored file record.
 * @param {string} url
 * @param {File} file
 * @param {(fraction: number) => void} onProgress
 * @returns {Promise<any>}
 */
export function putFile(url, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.setRequestHeader("Accept-Language", lang());
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      const body = parsedBody(xhr);
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body);
      } else {
        reject(errorOf(xhr.status, body));
      }
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "NETWORK", t("networkError"))));
    xhr.addEventListener("abort", () => reject(new ApiError(0, "ABORTED", "aborted")));
    xhr.send(file);
  });
}

/**
 * Download a stored file: the gateway answers 302 to a signed URL on the storage
 * service, which the browser follows (dropping the Authorization header, as the Fetch
 * standard does across origins). The bytes are handed to the browser's download with
 * the file's own name.
 * @param {string} fileId
 * @param {string} filename
 */
export async function downloadFile(fileId, filename) {
  const response = await apiFetch(`/files/${encodeURIComponent(fileId)}/content`, {
    headers: headers(), redirect: "follow",
  });
  saveBlob(await response.blob(), filename);
}

/**
 * Show a stored PDF in a tab the caller opened beforehand (window.open on the click, so
 * no popup blocker stops it): the API, which wants the session's token, gives a
 * short-lived signed link that shows it inline, and the tab goes there. The tab is
 * closed when there is no link.
 * @param {string} fileId
 * @param {Window | null} tab
 */
export async function showPdf(fileId, tab) {
  try {
    // storage's short-lived signed URL, shown inline: the browser's own PDF viewer, on
    // storage's origin, draws the document with its stamps (no token in the URL)
    const response = await apiFetch(`/files/${encodeURIComponent(fileId)}/view-link`, {
      headers: headers(),
    });
    const { url } = await response.json();
    if (tab && !tab.closed) tab.location.href = url;
    else window.open(url, "_blank", "noopener");
  } catch (error) {
    tab?.close();
    throw error;
  }
}

/**
 * Show a PDF through a short-lived link the API gave (`link()` asks for it; e.g. a
 * received document's file before it is accepted) in a tab opened beforehand, as showPdf.
 * @param {() => Promise<{url: string}>} link @param {Window | null} tab
 */
export async function showLinkedPdf(link, tab) {
  try {
    const { url } = await link();
    if (tab && !tab.closed) tab.location.href = url;
    else window.open(url, "_blank", "noopener");
  } catch (error) {
    tab?.close();
    throw error;
  }
}

/**
 * Download a file through a short-lived link the API gave: storage's signed URL (no
 * token in it), its bytes saved under `filename`.
 * @param {() => Promise<{url: string}>} link @param {string} filename
 */
export async function downloadLinked(link, filename) {
  const { url } = await link();
  const response = await fetch(url);
  if (!response.ok) throw new ApiError(response.status, "DOWNLOAD", t("networkError"));
  saveBlob(await response.blob(), filename);
}

/** Hand bytes to the browser's download under `filename`. @param {Blob} blob @param {string} filename */
function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename || "download";
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The filename of a Content-Disposition header (filename*=UTF-8'' first), or null. @param {string | null} header */
function dispositionName(header) {
  if (!header) return null;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain ? plain[1].trim() : null;
}

/**
 * Download a file the API renders (a register or a history as PDF/XLSX): an
 * authenticated GET whose body is saved under the server's filename. Resolves to it.
 * @param {string} path
 * @param {Record<string, any>} query
 * @param {string} [fallbackName]
 */
export async function downloadExport(path, query, fallbackName = "download") {
  const response = await apiFetch(path + queryString(query), { headers: headers({ Accept: "*/*" }) });
  const filename = dispositionName(response.headers.get("Content-Disposition")) || fallbackName;
  saveBlob(await response.blob(), filename);
  return filename;
}
