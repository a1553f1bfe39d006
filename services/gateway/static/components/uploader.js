// @ts-check
// A file picker whose files upload as soon as they are chosen (reserve, then PUT with
// progress); a file removed while it is being reserved is not sent. What the view adds
// under an uploaded file (the verification of a PDF's signatures) goes in its row.

import { api } from "../api.js";
import { h } from "../dom.js";
import { formatSize, t } from "../i18n.js";
import { uploadFile } from "../transfer.js";
import { errorSlotId } from "./forms.js";

export const ACCEPT_FILES = ".pdf,.docx,.doc,.odt,.xlsx,.xls,.png,.jpg,.jpeg,.tif,.tiff,.txt";

/**
 * One file of the picker and the parts of its row that change.
 * @typedef {{status: "uploading" | "done" | "error" | "removed", fileId: string | null,
 *   row?: HTMLLIElement, bar?: HTMLProgressElement, statusText?: HTMLSpanElement,
 *   nameText?: HTMLSpanElement, sizeText?: HTMLSpanElement, icon?: HTMLSpanElement}} Entry
 */

/** "PDF", "DOCX"… from a file's name. @param {string} name */
export function extensionOf(name) {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1, dot + 5).toUpperCase() : "FILE";
}

/**
 * The row of one file. @param {Entry} entry @param {string} name @param {number | null} size
 * @param {() => void} onRemove
 */
function fileRow(entry, name, size, onRemove) {
  entry.bar = h("progress", { max: "1", value: entry.status === "done" ? "1" : "0", "aria-label": `${t("uploading")} ${name}` });
  entry.statusText = h("span", { class: "file-status" },
    entry.status === "done" ? `✓ ${t("uploaded")}` : `${t("uploading")} 0%`);
  entry.nameText = h("span", { class: "file-name" }, name);
  entry.sizeText = h("span", { class: "file-size" }, size == null ? "" : formatSize(size));
  entry.icon = h("span", { class: "file-icon", "aria-hidden": "true" }, extensionOf(name));
  const remove = h("button", {
    type: "button", class: "btn btn-link btn-small", "aria-label": t("removeFile", name), onclick: onRemove,
  }, t("remove"));
  entry.row = h("li", { class: ["file-item", entry.status === "done" ? "is-done" : "is-uploading"] },
    entry.icon, entry.nameText, entry.sizeText, entry.bar, entry.statusText, remove);
  return entry.row;
}

/** Send one chosen file, showing its progress and how it ended. @param {Entry} entry @param {File} file */
async function send(entry, file) {
  try {
    const fileId = await uploadFile(file, (fraction) => {
      entry.bar.value = fraction;
      entry.statusText.textContent = `${t("uploading")} ${Math.round(fraction * 100)}%`;
    }, { cancelled: () => entry.status === "removed" });
    if (entry.status === "removed") return;
    entry.fileId = fileId;
    entry.status = "done";
    entry.row.className = "file-item is-done";
    entry.statusText.textContent = `✓ ${t("uploaded")}`;
  } catch (error) {
    if (entry.status === "removed") return;
    entry.status = "error";
    entry.row.className = "file-item is-error";
    entry.bar.hidden = true;
    entry.statusText.textContent = `${t("uploadFailed")}: ${error.message}`;
    entry.statusText.setAttribute("role", "alert");
  }
}

/**
 * A file picker whose files upload as soon as they are chosen. `existing` file ids are
 * listed as uploaded; `name` is the input's name. problem() says why the form cannot
 * be sent yet (a file still uploading or failed), or is null. `afterUpload(fileId,
 * filename)` may give what to show under a file once it is uploaded.
 * @param {{id: string, name?: string, label: string, hint?: string, max?: number, existing?: string[],
 *   afterUpload?: (fileId: string, filename: string) => Node | null}} options
 */
export function fileUploader({ id, name, label, hint, max = 20, existing = [], afterUpload }) {
  /** @type {Entry[]} */
  const entries = [];
  const input = h("input", {
    type: "file", id, name, multiple: true, accept: ACCEPT_FILES, class: "file-input",
    "aria-describedby": hint ? `${id}-hint` : null,
  });
  const list = h("ul", { class: "file-list", "aria-live": "polite" });
  /** @param {Entry} entry @param {string} fileName @param {number | null} size */
  const listed = (entry, fileName, size) => {
    entries.push(entry);
    list.append(fileRow(entry, fileName, size, () => {
      entry.status = "removed";
      entries.splice(entries.indexOf(entry), 1);
      entry.row.remove();
      input.focus();
    }));
  };
  for (const fileId of existing) {
    /** @type {Entry} */
    const entry = { status: "done", fileId };
    listed(entry, fileId, null);
    api.getFile(fileId).then((file) => {
      entry.nameText.textContent = file.filename;
      entry.sizeText.textContent = formatSize(file.size);
      entry.icon.textContent = extensionOf(file.filename);
    }).catch(() => {});
  }
  input.addEventListener("change", () => {
    const chosen = [...input.files];
    input.value = "";
    for (const file of chosen) {
      if (entries.length >= max) break;
      /** @type {Entry} */
      const entry = { status: "uploading", fileId: null };
      listed(entry, file.name, file.size);
      send(entry, file).then(() => {
        const extra = entry.status === "done" && afterUpload ? afterUpload(entry.fileId, file.name) : null;
        if (extra) entry.row.append(h("div", { class: "file-extra", "aria-live": "off" }, extra));
      });
    }
  });
  return {
    element: h("div", { class: "field field-wide file-field" },
      h("label", { for: id, class: "file-drop" },
        h("span", { class: "file-drop-icon", "aria-hidden": "true" }, "⤒"),
        h("span", {}, label)),
      hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
      h("p", { class: "field-error", id: errorSlotId(id), hidden: true }),
      input,
      list),
    fileIds: () => entries.filter((e) => e.status === "done").map((e) => e.fileId),
    pending: () => entries.some((e) => e.status === "uploading"),
    failed: () => entries.some((e) => e.status === "error"),
    problem() {
      if (this.pending()) return t("uploadsPending");
      return this.failed() ? t("uploadsFailed") : null;
    },
  };
}
