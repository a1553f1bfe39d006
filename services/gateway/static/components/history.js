// @ts-check
// A document's processing history: each event with who did what and its details in one
// line, like the server's printable history, and its PDF/XLSX export.

import { api } from "../api.js";
import { formatDate, formatDateTime } from "../dates.js";
import { namesFromHistory, personName, rememberPeople, resolveNames, unitName } from "../directory.js";
import { h, loadingBox } from "../dom.js";
import { hasMessage, t } from "../i18n.js";
import { kindLabel, outgoingStateLabel } from "../labels.js";
import { errorPanel } from "./feedback.js";
import { exportButtons } from "./files.js";
import { problemText } from "./forms.js";
import { dataTable } from "./table.js";

// details key → the message naming it, in the order they are told
const NOTED = [["instruction", "histInstruction"], ["reason", "histReason"], ["comment", "histComment"],
  ["note", "histNote"], ["title", "histDossier"], ["file_code", "histFileCode"], ["code", "histCopy"]];

/** Whom a part was given to: a unit or a person. @param {any} a */
const named = (a) => (a.name || (a.unit_id ? unitName(a.unit_id) : personName(a.user_id)));

/** Who was given what (workflow's assignment events). @param {any} event @param {string[]} parts */
function describeAssignment(event, parts) {
  const details = event.details || {};
  if (event.action === "submitted" && details.to_user_id) {
    parts.push(t("histSubmittedTo", personName(details.to_user_id)));
  }
  if (details.lead) {
    parts.push(`${kindLabel("lead")}: ${named(details.lead)}`);
    if (details.co_handlers?.length) parts.push(`${kindLabel("co_handler")}: ${details.co_handlers.map(named).join(", ")}`);
    if (details.for_info?.length) parts.push(`${kindLabel("for_info")}: ${details.for_info.map(named).join(", ")}`);
  } else if (/_assigned$/.test(event.action) && (details.assignee_name || details.unit_id)) {
    parts.push(details.assignee_name || unitName(details.unit_id));
  }
}

/** A history event's details as one line, like the server's printable history. @param {any} event */
export function describeEvent(event) {
  const details = event.details || {};
  /** @type {string[]} */
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
  describeAssignment(event, parts);
  if (details.step) parts.push(t("histStep", details.step));
  if (details.percent != null) parts.push(t("histPercent", details.percent));
  if (details.due_date) parts.push(`${t("dueDate")}: ${formatDate(details.due_date)}`);
  for (const [key, label] of NOTED) {
    // the direction comment is shown once, with the assignment (each part repeats it)
    if (details[key] && !(key === "instruction" && /_assigned$/.test(event.action))) {
      parts.push(`${t(label)}: ${details[key]}`);
    }
  }
  if (details.reply_document_id) parts.push(t("histReplied"));
  if (Array.isArray(details.recipients) && details.recipients.length) {
    parts.push(t("histRecipients", details.recipients.length));
  }
  // a digital signature (sign, seal) and a verification of signatures ({vi, en})
  const signature = details.digital_signature;
  if (signature?.common_name) parts.push(t("histDigitalSignature", signature.common_name, signature.serial || t("none")));
  if (details.summary && typeof details.summary === "object") parts.push(problemText(details.summary));
  return parts.join("; ");
}

/** @param {string} action */
export function historyActionLabel(action) {
  const key = `hist_${action}`;
  return hasMessage(key) ? t(key) : action;
}

/** The events as a table. @param {any[]} events */
function eventsTable(events) {
  return dataTable([
    { label: t("colTime"), className: "col-date", render: (e) => formatDateTime(e.at) },
    {
      label: t("colActor"),
      render: (e) => (String(e.actor_id || "").startsWith("system:") ? t("systemActor") : e.actor_name || t("none")),
    },
    { label: t("colAction"), render: (e) => h("strong", {}, historyActionLabel(e.action)) },
    { label: t("colDetails"), className: "col-details", render: (e) => describeEvent(e) || t("none") },
  ], events, { caption: t("historyTitle") });
}

/**
 * A document's processing history: PDF/XLSX export buttons and, unless `table` is
 * false, the events as a table. `onLoaded(events)` is called once they are read.
 * @param {string} documentId
 * @param {{table?: boolean, onLoaded?: (events: any[]) => void}} [options]
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
      body.replaceChildren(events.length ? eventsTable(events) : h("p", { class: "muted" }, t("emptyHistory")));
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  if (table) load();
  return panel;
}
