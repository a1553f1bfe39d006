// Pieces several views use: a responsive table, a pager, an error panel, form fields
// with their error slots, a file picker that uploads at once, attachments, downloads
// of rendered files (PDF/XLSX), a document's processing history and the search for
// the units and people work is given to.

import { api, downloadExport, downloadFile, uploadFile } from "./api.js";
import { alertBox, fill, h, loadingBox } from "./dom.js";
import {
  isWithin, namesFromHistory, personName, rememberPeople, resolveNames, unitMembers, unitName,
} from "./directory.js";
import { formatDate, formatDateTime, formatSize, lang, outgoingStateLabel, t } from "./i18n.js";
import { isMember } from "./state.js";

export const ACCEPT_FILES = ".pdf,.docx,.doc,.odt,.xlsx,.xls,.png,.jpg,.jpeg,.tif,.tiff,.txt";

/**
 * A table that becomes stacked cards on narrow screens (each cell labelled with
 * its column through data-label). columns: [{key, label, className, render(row)}].
 */
export function dataTable(columns, rows, { caption, rowClass, footer, tableClass } = {}) {
  const tr = (row, extraClass) => h("tr", { class: [rowClass ? rowClass(row) : null, extraClass] },
    columns.map((c) => h("td", { class: c.className, "data-label": c.label },
      h("div", { class: "cell" }, c.render ? c.render(row) : (row[c.key] ?? t("none"))))));
  return h("div", { class: "table-wrap" },
    h("table", { class: ["data-table", tableClass] },
      caption ? h("caption", { class: "visually-hidden" }, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) =>
        h("th", { scope: "col", class: c.className }, c.label)))),
      h("tbody", {}, rows.map((row) => tr(row))),
      // `footer`: one more row (e.g. the totals), drawn by the same columns
      footer ? h("tfoot", {}, tr(footer, "row-footer")) : null));
}

/** Previous / next with "page x of y"; hidden when everything fits on one page. */
export function pager({ page, pageSize, total, onPage, noun = "documents" }) {
  const pages = Math.max(1, Math.ceil((total || 0) / (pageSize || 20)));
  const info = h("p", { class: "pager-info", "aria-live": "polite" },
    t(noun === "documents" ? "pageInfo" : "pageInfoItems", page, pages, total || 0));
  if (pages <= 1) return h("div", { class: "pager" }, info);
  return h("nav", { class: "pager", "aria-label": t("pagination") },
    h("button", {
      type: "button", class: "btn btn-secondary", disabled: page <= 1,
      onclick: () => onPage(page - 1),
    }, "‹ ", t("prevPage")),
    info,
    h("button", {
      type: "button", class: "btn btn-secondary", disabled: page >= pages,
      onclick: () => onPage(page + 1),
    }, t("nextPage"), " ›"));
}

/** An error from the API, with a "try again" button when one makes sense. */
export function errorPanel(error, retry) {
  return alertBox("error",
    h("p", {}, error?.message || t("networkError")),
    retry ? h("button", { type: "button", class: "btn btn-secondary btn-small", onclick: retry }, t("retry")) : null);
}

/** A link to a document's detail view. */
export function documentLink(documentId, text) {
  return h("a", { href: `#/documents/${encodeURIComponent(documentId)}`, class: "doc-link" }, text || t("none"));
}

/** A link to an outgoing document's detail view. */
export function outgoingLink(documentId, text) {
  return h("a", { href: `#/outgoing/${encodeURIComponent(documentId)}`, class: "doc-link" }, text || t("none"));
}

/** A notification's title without the server's "[KHẨN] " mark (its badge says it). */
export function notificationTitle(note) {
  const title = note.title || "";
  if (note.urgency && note.urgency !== "normal") return title.replace(/^\[[^\]]{1,20}\]\s*/, "");
  return title;
}

/**
 * A modal question (a <dialog> with cancel and confirm buttons, ids "<id>-title",
 * "<id>-message", "<id>-cancel", "<id>-confirm"); focus starts on cancel. Resolves to
 * true when confirmed; the dialog is then removed.
 */
export function confirmDialog({ id, title, message, confirmLabel, confirmClass = "btn-primary" }) {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "dialog", "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-message` },
      h("h2", { id: `${id}-title` }, title),
      h("p", { id: `${id}-message` }, message),
      h("div", { class: "dialog-actions" },
        h("button", { type: "button", class: "btn btn-secondary", id: `${id}-cancel`, onclick: () => dialog.close("cancel") }, t("cancel")),
        h("button", { type: "button", class: ["btn", confirmClass], id: `${id}-confirm`, onclick: () => dialog.close("confirm") }, confirmLabel)));
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue === "confirm");
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector(`#${id}-cancel`).focus();
  });
}

export function codeOf(doc) {
  if (doc.code) return doc.code;
  const parts = [doc.code_number, doc.code_notation].filter(Boolean);
  return parts.length ? parts.join("/") : t("none");
}

// ------------------------------------------------------------------ forms

/** One problem of an error's `details`: text, or {vi, en} in the chosen language. */
export function problemText(problem) {
  if (typeof problem === "string") return problem;
  if (problem && typeof problem === "object") {
    return problem[lang()] || problem.vi || problem.en || JSON.stringify(problem);
  }
  return String(problem ?? "");
}

export function errorSlotId(controlId) {
  return `${controlId}-error`;
}

/**
 * A labelled field as register.js draws them: the label, an optional hint, an error
 * slot (id "<control id>-error") and the control. `labels` collects the label texts by
 * control id for the error summary.
 */
export function formField(labels, controlId, labelText, control, { hint, required, wide } = {}) {
  labels[controlId] = labelText;
  const hintId = hint ? `${controlId}-hint` : null;
  control.id = controlId;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  if (required) control.setAttribute("aria-required", "true");
  return h("div", { class: ["field", wide && "field-wide"] },
    h("label", { for: controlId }, labelText, required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "field-error", id: errorSlotId(controlId), hidden: true }),
    control);
}

/**
 * Problems shown as register.js shows them: each one of `details` next to the control
 * `controlFor(key)` names (marked aria-invalid and described by its message), and all
 * of them in the summary, linked to their controls. Returns {clear, show}.
 */
export function formErrors(form, summary, { labels, controlFor, heading }) {
  function clear() {
    summary.hidden = true;
    summary.replaceChildren();
    for (const el of form.querySelectorAll(".field-error")) {
      el.hidden = true;
      el.textContent = "";
    }
    for (const el of form.querySelectorAll("[aria-invalid]")) {
      el.removeAttribute("aria-invalid");
      el.setAttribute("aria-describedby", (el.getAttribute("aria-describedby") || "")
        .split(" ").filter((id) => id && !id.endsWith("-error")).join(" "));
      if (!el.getAttribute("aria-describedby")) el.removeAttribute("aria-describedby");
    }
    for (const el of form.querySelectorAll(".has-error")) el.classList.remove("has-error");
  }

  function show(message, details) {
    const items = [];
    for (const [key, problem] of Object.entries(details || {})) {
      const text = problemText(problem);
      const controlId = controlFor(key);
      const control = controlId && form.querySelector(`#${CSS.escape(controlId)}`);
      if (control) {
        const slot = form.querySelector(`#${CSS.escape(errorSlotId(controlId))}`);
        if (slot) {
          slot.textContent = slot.hidden ? text : `${slot.textContent} ${text}`;
          slot.hidden = false;
          (slot.closest(".field") || slot.closest("fieldset"))?.classList.add("has-error");
        }
        control.setAttribute("aria-invalid", "true");
        const described = new Set((control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
        described.add(errorSlotId(controlId));
        control.setAttribute("aria-describedby", [...described].join(" "));
        items.push(h("li", {}, h("a", {
          href: `#${controlId}`,
          onclick: (event) => { event.preventDefault(); control.focus(); },
        }, `${labels[controlId] || key}: ${text}`)));
      } else {
        items.push(h("li", {}, `${key}: ${text}`));
      }
    }
    fill(summary,
      h("h2", {}, heading),
      message ? h("p", {}, message) : null,
      items.length ? h("ul", {}, items) : null);
    summary.hidden = false;
    summary.focus();
  }

  return { clear, show };
}

/**
 * An inline form for one step of a workflow (submit, assign, forward, progress, return,
 * complete, approve): a heading, an error summary, fields drawn by formField and a
 * confirm button (id "<id>-confirm") with a cancel link. `submit(errors)` does the
 * work; what it throws (an ApiError) is shown next to the fields `controlFor(key)`
 * names (an object or a function) and in the summary, unless `onError(error)` says it
 * dealt with it. Returns {form, errors}.
 */
export function stepForm({
  id, title, intro, fields, confirmLabel, confirmClass = "btn-primary", controlFor = {}, submit, cancel,
  labels: extraLabels = {}, onError,
}) {
  const labels = extraLabels;   // with the texts of controls drawn outside formField, by id
  const summary = h("div", { class: "error-summary", tabindex: "-1", hidden: true, role: "alert" });
  const confirm = h("button", { type: "submit", class: ["btn", confirmClass], id: `${id}-confirm` }, confirmLabel);
  const form = h("form", { class: "step-form", id: `${id}-form`, novalidate: true, "aria-labelledby": `${id}-form-title` },
    h("h3", { id: `${id}-form-title` }, title),
    intro ? h("p", { class: "hint" }, intro) : null,
    summary,
    h("div", { class: "form-grid" }, fields.filter(Boolean).map((f) => (f instanceof Node
      ? f : formField(labels, f.id, f.label, f.control, f)))),
    h("div", { class: "form-actions" },
      confirm,
      h("button", { type: "button", class: "btn btn-link", onclick: () => cancel?.() }, t("cancel"))));
  const errors = formErrors(form, summary, {
    labels, heading: t("errorSummaryStep"),
    controlFor: (key) => (typeof controlFor === "function" ? controlFor(key) : controlFor[key]) || null,
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const text = confirm.textContent;
    confirm.disabled = true;
    confirm.textContent = t("working");
    try {
      await submit(errors);
    } catch (error) {
      if (onError?.(error)) return;     // handled by the view (e.g. the step is no longer possible)
      const details = Object.fromEntries(Object.entries(error?.details || {}).filter(([key]) => key !== "state"));
      errors.show(error?.message || t("networkError"), details);
    } finally {
      confirm.disabled = false;
      confirm.textContent = text;
    }
  });
  return { form, errors, labels };
}

function extensionOf(name) {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1, dot + 5).toUpperCase() : "FILE";
}

/**
 * A file picker whose files upload as soon as they are chosen (reserve, then PUT with
 * progress); a file removed while it is being reserved is not sent. `existing` file
 * ids are listed as uploaded; `name` is the input's name.
 * Returns {element, fileIds(), pending(), failed(), problem()}: problem() says why the
 * form cannot be sent yet (a file still uploading or failed), or is null.
 */
export function fileUploader({ id, name, label, hint, max = 20, existing = [] }) {
  const entries = [];
  const input = h("input", {
    type: "file", id, name, multiple: true, accept: ACCEPT_FILES, class: "file-input",
    "aria-describedby": hint ? `${id}-hint` : null,
  });
  const list = h("ul", { class: "file-list", "aria-live": "polite" });
  const element = h("div", { class: "field field-wide file-field" },
    h("label", { for: id, class: "file-drop" },
      h("span", { class: "file-drop-icon", "aria-hidden": "true" }, "⤒"),
      h("span", {}, label)),
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("p", { class: "field-error", id: errorSlotId(id), hidden: true }),
    input,
    list);

  function row(entry, name, size) {
    entry.bar = h("progress", { max: "1", value: entry.status === "done" ? "1" : "0", "aria-label": `${t("uploading")} ${name}` });
    entry.statusText = h("span", { class: "file-status" },
      entry.status === "done" ? `✓ ${t("uploaded")}` : `${t("uploading")} 0%`);
    entry.nameText = h("span", { class: "file-name" }, name);
    entry.sizeText = h("span", { class: "file-size" }, size == null ? "" : formatSize(size));
    entry.icon = h("span", { class: "file-icon", "aria-hidden": "true" }, extensionOf(name));
    const remove = h("button", {
      type: "button", class: "btn btn-link btn-small", "aria-label": t("removeFile", name),
      onclick: () => {
        entry.status = "removed";
        entries.splice(entries.indexOf(entry), 1);
        entry.row.remove();
        input.focus();
      },
    }, t("remove"));
    entry.row = h("li", { class: ["file-item", entry.status === "done" ? "is-done" : "is-uploading"] },
      entry.icon, entry.nameText, entry.sizeText, entry.bar, entry.statusText, remove);
    list.append(entry.row);
  }

  for (const fileId of existing) {
    const entry = { status: "done", fileId };
    entries.push(entry);
    row(entry, fileId, null);
    api.getFile(fileId).then((file) => {
      entry.nameText.textContent = file.filename;
      entry.sizeText.textContent = formatSize(file.size);
      entry.icon.textContent = extensionOf(file.filename);
    }).catch(() => {});
  }

  async function start(file) {
    const entry = { status: "uploading", fileId: null };
    entries.push(entry);
    row(entry, file.name, file.size);
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

  input.addEventListener("change", () => {
    const chosen = [...input.files];
    input.value = "";
    for (const file of chosen) {
      if (entries.length >= max) break;
      start(file);
    }
  });

  return {
    element,
    fileIds: () => entries.filter((e) => e.status === "done").map((e) => e.fileId),
    pending: () => entries.some((e) => e.status === "uploading"),
    failed: () => entries.some((e) => e.status === "error"),
    problem() {
      if (this.pending()) return t("uploadsPending");
      return this.failed() ? t("uploadsFailed") : null;
    },
  };
}

// ------------------------------------------------------------------ files and downloads

async function fileDownload(fileId, filename, status) {
  status.textContent = t("downloading");
  try {
    await downloadFile(fileId, filename);
    status.textContent = "";
  } catch (error) {
    status.textContent = error.message;
  }
}

/** Whether a file's text can be searched: being read (pages read of pages to read),
 * or why it cannot be (a password, a damaged file…); nothing once it is read. */
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

/** An attachment: its kind, name and size, whether its text is searchable, and a
 * download button. */
export function attachmentItem(fileId) {
  const item = h("li", { class: "attachment" }, loadingBox());
  api.getFile(fileId).then((file) => {
    const status = h("span", { class: "file-status", role: "status" });
    const link = h("a", {
      href: `/api/v1/files/${encodeURIComponent(fileId)}/content`, class: "btn btn-secondary btn-small download-link",
      "aria-label": t("downloadFile", file.filename), download: file.filename,
      onclick: (event) => {
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

/** A file as a compact download link named by its filename. */
export function fileLink(fileId) {
  const status = h("span", { class: "file-status", role: "status" });
  const link = h("a", {
    href: `/api/v1/files/${encodeURIComponent(fileId)}/content`, class: "file-link",
    onclick: (event) => {
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
 * Buttons downloading a file the API renders, one per format (PDF, XLSX), with a
 * status line. `label(format)` names a button for screen readers.
 */
export function exportButtons({ path, query = {}, formats = ["pdf", "xlsx"], text, label, idPrefix, fallbackName }) {
  const status = h("span", { class: "export-status", role: "status" });
  const buttons = formats.map((format) => {
    const button = h("button", {
      type: "button", class: "btn btn-secondary btn-small", id: idPrefix ? `${idPrefix}-${format}` : null,
      "aria-label": label ? label(format.toUpperCase()) : null,
      onclick: async () => {
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
      },
    }, "⤓ ", text ? text(format.toUpperCase()) : format.toUpperCase());
    return button;
  });
  return h("div", { class: "export-buttons" }, buttons, status);
}

// ------------------------------------------------------------------ history

/** A history event's details as one line, like the server's printable history. */
export function describeEvent(event) {
  const details = event.details || {};
  const parts = [];
  if (details.from && details.to) {
    parts.push(`${outgoingStateLabel(details.from)} → ${outgoingStateLabel(details.to)}`);
  }
  // done under a delegation (ủy quyền): whom the actor acted for, as the printed history says
  if (details.on_behalf_of) {
    parts.push(t("histOnBehalf", details.delegation_kind, details.on_behalf_of_name || personName(details.on_behalf_of)));
  }
  if (details.code_number) parts.push(t("histCode", `${details.code_number}/${details.code_notation || ""}`));
  if (details.version) parts.push(t("histVersion", details.version));
  // workflow: who was given what, by when
  if (event.action === "submitted" && details.to_user_id) {
    parts.push(t("histSubmittedTo", personName(details.to_user_id)));
  }
  if (details.lead) {
    const named = (a) => (a.name || (a.unit_id ? unitName(a.unit_id) : personName(a.user_id)));
    parts.push(`${t("kind_lead")}: ${named(details.lead)}`);
    if (details.co_handlers?.length) parts.push(`${t("kind_co_handler")}: ${details.co_handlers.map(named).join(", ")}`);
    if (details.for_info?.length) parts.push(`${t("kind_for_info")}: ${details.for_info.map(named).join(", ")}`);
  } else if (/_assigned$/.test(event.action) && (details.assignee_name || details.unit_id)) {
    parts.push(details.assignee_name || unitName(details.unit_id));
  }
  if (details.step) parts.push(t("histStep", details.step));
  if (details.percent != null) parts.push(t("histPercent", details.percent));
  if (details.due_date) parts.push(`${t("dueDate")}: ${formatDate(details.due_date)}`);
  for (const [key, label] of [["instruction", "histInstruction"], ["reason", "histReason"], ["comment", "histComment"],
    ["note", "histNote"], ["title", "histDossier"], ["file_code", "histFileCode"], ["code", "histCopy"]]) {
    // the direction comment is shown once, with the assignment (each part repeats it)
    if (details[key] && !(key === "instruction" && /_assigned$/.test(event.action))) {
      parts.push(`${t(label)}: ${details[key]}`);
    }
  }
  if (details.reply_document_id) parts.push(t("histReplied"));
  if (Array.isArray(details.recipients) && details.recipients.length) {
    parts.push(t("histRecipients", details.recipients.length));
  }
  return parts.join("; ");
}

export function historyActionLabel(action) {
  const key = `hist_${action}`;
  return t(key) === key ? action : t(key);
}

/**
 * A document's processing history: PDF/XLSX export buttons and, unless `table` is
 * false, the events as a table. `onLoaded(events)` is called once they are read.
 */
export function historyPanel(documentId, { table = true, onLoaded } = {}) {
  const body = h("div", { class: "history-body" });
  const panel = h("section", { class: "panel", id: "doc-history", "aria-labelledby": "doc-history-title" },
    h("div", { class: "panel-head" },
      h("h2", { id: "doc-history-title" }, t("historyTitle")),
      exportButtons({
        path: `/documents/${encodeURIComponent(documentId)}/history`, idPrefix: "history",
        text: (format) => t("exportHistory", format), label: (format) => t("exportHistoryLabel", format),
        fallbackName: `lich-su-${documentId.slice(0, 8)}`,
      })),
    table ? body : null);

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const result = await api.history(documentId);
      const events = result.events || [];
      // Names the events refer to by id only (a unit given a part, whom it was submitted to).
      rememberPeople(namesFromHistory(events));
      await resolveNames({ unitIds: events.map((e) => e.details?.unit_id).filter(Boolean) });
      onLoaded?.(events);
      if (!events.length) {
        body.replaceChildren(h("p", { class: "muted" }, t("emptyHistory")));
        return;
      }
      body.replaceChildren(dataTable([
        { label: t("colTime"), className: "col-date", render: (e) => formatDateTime(e.at) },
        {
          label: t("colActor"),
          render: (e) => (String(e.actor_id || "").startsWith("system:") ? t("systemActor") : e.actor_name || t("none")),
        },
        { label: t("colAction"), render: (e) => h("strong", {}, historyActionLabel(e.action)) },
        { label: t("colDetails"), className: "col-details", render: (e) => describeEvent(e) || t("none") },
      ], events, { caption: t("historyTitle") }));
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  if (table) load();
  return panel;
}

// ------------------------------------------------------------------ assignees

const ASSIGNEE_SEARCH_DELAY_MS = 250;
const PEOPLE_OF_UNITS = 3;   // units below whose people a people-only search lists

/** A letter-case and diacritics blind comparison key ("Đặng" matches "dang"). */
export function fold(text) {
  return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();
}

/**
 * Search as the user types (after delayMs), on Enter and on the button: find(q) answers
 * {items, message}; show(items) draws them and status says the message. An older,
 * slower answer never overwrites a newer one. Returns the function that searches now.
 */
export function liveSearch({ input, button, status, delayMs = 300, emptyMessage = "", find, show }) {
  let seq = 0;
  let timer = null;
  async function run() {
    clearTimeout(timer);
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) {
      show([]);
      status.textContent = emptyMessage;
      return;
    }
    status.textContent = t("searchingUnits");
    try {
      const { items, message } = await find(q);
      if (mine !== seq) return;
      show(items);
      status.textContent = message;
    } catch (error) {
      if (mine !== seq) return;
      show([]);
      status.textContent = error.message;
    }
  }
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, delayMs);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      run();
    }
  });
  button?.addEventListener("click", run);
  return run;
}

/**
 * A search over whom work in `unitId` may be given to: the unit and the units below it
 * (the directory, filtered by walking up each result's parents) and the people of the
 * unit (the API lists only the caller's own units' people, and to leaders those of the
 * units below). With `units: false` only people are offered: those of the unit whose
 * name matches, and the people of the units below whose name matches. Each result has
 * a button `buttonLabel`; `isTaken(a)` greys out what is chosen already and `onPick(a)`
 * receives {unit_id, name, meta} or {user_id, name, meta}. Ids: "<prefix>-search",
 * "<prefix>-results", "<prefix>-search-error". Returns {element, input, redraw}.
 */
export function assigneePicker({
  prefix, buttonLabel, unitId, isTaken = () => false, onPick, units: withUnits = true,
  label = withUnits ? t("findAssignee") : t("findPerson"),
  hint = withUnits ? t("findAssigneeHint") : t("findPersonHint"),
}) {
  const input = h("input", {
    type: "search", id: `${prefix}-search`, name: `${prefix}-search`, autocomplete: "off", maxlength: "200",
    "aria-controls": `${prefix}-results`, "aria-describedby": `${prefix}-search-hint`,
  });
  const button = h("button", { type: "button", class: "btn btn-secondary", id: `${prefix}-search-button` }, t("searchUnits"));
  const status = h("p", { class: "hint search-status", role: "status", "aria-live": "polite" });
  const results = h("ul", { class: "unit-results", id: `${prefix}-results` });
  let found = [];

  function redraw() {
    results.replaceChildren(...found.map((a) => {
      const already = isTaken(a);
      return h("li", { class: "unit-result" },
        h("span", { class: "recipient-main" }, h("span", { class: "recipient-name" }, a.name), h("span", { class: "cell-meta" }, a.meta)),
        h("button", {
          type: "button", class: "btn btn-secondary btn-small", disabled: already,
          "aria-label": already ? `${a.name}: ${t("alreadyAdded")}` : `${buttonLabel}: ${a.name}`,
          onclick: () => {
            onPick(a);
            // Chosen: the search is done; say so where a screen reader hears it.
            input.value = "";
            found = [];
            redraw();
            status.textContent = t("assigneeChosen", a.name);
            input.focus();
          },
        }, already ? t("alreadyAdded") : buttonLabel));
    }));
  }

  const person = (p, unit) => ({
    user_id: p.id, name: p.full_name,
    meta: [t("assigneePerson"), p.position, unit?.name].filter(Boolean).join(" · "),
  });

  liveSearch({
    input, button, status, delayMs: ASSIGNEE_SEARCH_DELAY_MS,
    emptyMessage: withUnits ? t("typeToSearchAssignee") : t("typeToSearchPerson"),
    show: (items) => { found = items; redraw(); },
    async find(q) {
      const [page, people] = await Promise.all([
        api.listUnits({ q, active: "true", page_size: 30 }),
        isMember(unitId) ? unitMembers(unitId) : Promise.resolve([]),
      ]);
      const within = await Promise.all((page.items || []).map((u) => isWithin(u.id, unitId)));
      const units = (page.items || []).filter((u, i) => within[i]);
      const key = fold(q);
      const named = people.filter((p) => fold(p.full_name).includes(key) || fold(p.username).includes(key)).map((p) => person(p));
      let offered;
      if (withUnits) {
        offered = [...units.map((u) => ({ unit_id: u.id, name: u.name, meta: t("assigneeUnit") })), ...named];
      } else {
        // The people of the units below whose name matches (leaders may list them).
        const below = units.filter((u) => u.id !== unitId).slice(0, PEOPLE_OF_UNITS);
        const lists = await Promise.all(below.map((u) => unitMembers(u.id)));
        const seen = new Set(named.map((a) => a.user_id));
        offered = [...named];
        below.forEach((u, i) => {
          for (const p of lists[i]) {
            if (!seen.has(p.id)) offered.push(person(p, u));
            seen.add(p.id);
          }
        });
      }
      const items = offered.slice(0, 15);
      return {
        items,
        message: items.length ? t("assigneesFound", items.length)
          : (withUnits ? t("noAssigneeFound") : t("noPersonFound")),
      };
    },
  });
  const element = h("div", { class: "picker" },
    h("label", { for: `${prefix}-search` }, label),
    h("p", { class: "hint", id: `${prefix}-search-hint` }, hint),
    h("p", { class: "field-error", id: `${prefix}-search-error`, hidden: true }),
    h("div", { class: "search-box" }, input, button),
    status,
    results);
  return { element, input, redraw };
}
