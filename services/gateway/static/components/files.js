// @ts-check
// Files shown on a document: attachments with their download button, compact download
// links, and the buttons that download a file the API renders (PDF, XLSX).

import { api } from "../api.js";
import { h, loadingBox } from "../dom.js";
import { formatSize, lang, t } from "../i18n.js";
import { downloadExport, downloadFile } from "../transfer.js";

/** @param {string} fileId @param {string} filename @param {HTMLElement} status */
async function fileDownload(fileId, filename, status) {
  status.textContent = t("downloading");
  try {
    await downloadFile(fileId, filename);
    status.textContent = "";
  } catch (error) {
    status.textContent = error.message;
  }
}

/**
 * Whether a file's text can be searched: being read (pages read of pages to read), or
 * why it cannot be (a password, a damaged file…); nothing once it is read.
 * @param {any} file
 */
function textNote(file) {
  if (file.text_status === "pending") {
    const progress = file.text_progress;
    return h("span", { class: "file-text-note" }, progress && progress.total > 1
      ? t("textReadingPages", progress.done, progress.total) : t("textReading"));
  }
  if (file.text_status === "failed" && file.text_problem) {
    return h("span", { class: "file-text-note is-problem" },
      t("textUnreadable", file.text_problem[lang()] || file.text_problem.vi));
  }
  return null;
}

/** An attachment: its kind, name and size, whether its text is searchable, and a download button. @param {string} fileId */
export function attachmentItem(fileId) {
  const item = h("li", { class: "attachment" }, loadingBox());
  api.getFile(fileId).then((file) => {
    const status = h("span", { class: "file-status", role: "status" });
    const link = h("a", {
      href: `/api/v1/files/${encodeURIComponent(fileId)}/content`, class: "btn btn-secondary btn-small download-link",
      "aria-label": t("downloadFile", file.filename), download: file.filename,
      onclick: (/** @type {Event} */ event) => {
        event.preventDefault();
        fileDownload(fileId, file.filename, status);
      },
    }, "⤓ ", t("download"));
    item.replaceChildren(
      h("span", { class: "file-icon", "aria-hidden": "true" }, (file.kind || "file").toUpperCase().slice(0, 4)),
      h("span", { class: "attachment-name" },
        h("span", { class: "file-name" }, file.filename),
        h("span", { class: "file-size" }, formatSize(file.size)),
        textNote(file)),
      link, status);
  }).catch((error) => {
    item.replaceChildren(h("span", { class: "muted" }, `${t("fileUnavailable")} ${error.message}`));
  });
  return item;
}

/** A file as a compact download link named by its filename. @param {string} fileId */
export function fileLink(fileId) {
  const status = h("span", { class: "file-status", role: "status" });
  const link = h("a", {
    href: `/api/v1/files/${encodeURIComponent(fileId)}/content`, class: "file-link",
    onclick: (/** @type {Event} */ event) => {
      event.preventDefault();
      fileDownload(fileId, link.dataset.filename, status);
    },
  }, "⤓ ", t("loading"));
  api.getFile(fileId).then((file) => {
    link.dataset.filename = file.filename;
    link.setAttribute("download", file.filename);
    link.setAttribute("aria-label", t("downloadFile", file.filename));
    link.replaceChildren("⤓ ", file.filename);
  }).catch(() => {
    link.replaceChildren(t("fileUnavailable"));
  });
  return h("span", { class: "file-link-wrap" }, link, status);
}

/**
 * @typedef {object} ExportOptions
 * @property {string} path the API path that renders the file
 * @property {Record<string, any>} [query]
 * @property {string[]} [formats]
 * @property {(format: string) => string} [text] a button's text
 * @property {(format: string) => string} [label] a button's name for screen readers
 * @property {string} [idPrefix] buttons "<idPrefix>-<format>"
 * @property {string} [fallbackName] the file's name when the server gives none
 */

/**
 * Buttons downloading a file the API renders, one per format (PDF, XLSX), with a
 * status line.
 * @param {ExportOptions} options
 */
export function exportButtons({ path, query = {}, formats = ["pdf", "xlsx"], text, label, idPrefix, fallbackName }) {
  const status = h("span", { class: "export-status", role: "status" });
  /** @param {string} format */
  async function download(format) {
    for (const b of buttons) b.disabled = true;
    status.textContent = t("exporting");
    try {
      const name = await downloadExport(path, { ...query, format }, `${fallbackName || "export"}.${format}`);
      status.textContent = t("downloaded", name);
    } catch (error) {
      status.textContent = error.message;
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }
  const buttons = formats.map((format) => h("button", {
    type: "button", class: "btn btn-secondary btn-small", id: idPrefix ? `${idPrefix}-${format}` : null,
    "aria-label": label ? label(format.toUpperCase()) : null,
    onclick: () => download(format),
  }, "⤓ ", text ? text(format.toUpperCase()) : format.toUpperCase()));
  return h("div", { class: "export-buttons" }, buttons, status);
}
