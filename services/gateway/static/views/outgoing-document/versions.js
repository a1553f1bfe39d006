// @ts-check
// An outgoing document's versions (who saved each, from the history), the form saving
// the next one while it may be edited, and its processing history.

import { api } from "../../api.js";
import { formatDateTime } from "../../dates.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { dataTable, fileLink, historyPanel } from "../../widgets.js";
import { draftForm } from "../outgoing-form/draft-form.js";

/** @typedef {import("./steps.js").StepHost} StepHost */

/** @param {Record<string, any>} doc @param {Map<number, HTMLElement>} savedBy filled with the cells naming who saved each */
function versionsPanel(doc, savedBy) {
  const versions = [...(doc.versions || [])].reverse();
  return h("section", { class: "panel", id: "doc-versions", "aria-labelledby": "doc-versions-title" },
    h("h2", { id: "doc-versions-title" }, t("versionsTitle")),
    dataTable([
      {
        label: t("colVersion"), className: "col-num",
        render: (v) => [h("strong", {}, String(v.number)),
          v.number === doc.version ? h("span", { class: "cell-meta" }, t("currentVersion")) : null],
      },
      { label: t("colTime"), className: "col-date", render: (v) => formatDateTime(v.created_at) },
      {
        label: t("colBy"), render: (v) => {
          const cell = h("span", {}, t("none"));
          savedBy.set(v.number, cell);
          return cell;
        },
      },
      { label: t("colNote"), className: "col-details", render: (v) => v.note || t("none") },
      {
        label: t("colFiles"), render: (v) => (v.file_ids?.length
          ? h("span", { class: "file-links" }, v.file_ids.map(fileLink))
          : h("span", { class: "muted" }, t("noFiles"))),
      },
    ], versions, { caption: t("versionsTitle") }));
}

/** "Lưu phiên bản mới": the draft form filled with the current version. @param {StepHost} host @param {Record<string, any>} doc */
function versionForm(host, doc) {
  const { form } = draftForm({
    prefix: "v-", doc, submitLabel: t("saveVersion"), submitId: "version-save",
    save: async (payload) => {
      const updated = await api.addOutgoingVersion(doc.id, payload);
      host.draw(updated);
      host.say("success", h("p", { id: "version-saved" }, t("versionSaved", updated.version)));
    },
  });
  return h("details", { class: "panel version-panel", id: "new-version" },
    h("summary", {}, h("h2", { class: "summary-title" }, t("newVersionTitle"))),
    h("p", { class: "muted" }, t("newVersionIntro")),
    form);
}

/** @param {StepHost} host @param {Record<string, any>} doc */
export function versionsAndHistory(host, doc) {
  /** @type {Map<number, HTMLElement>} */
  const savedBy = new Map();   // version number → the cell naming who saved it
  const history = historyPanel(doc.id, {
    onLoaded: (events) => {
      for (const event of events) {
        const number = event.action === "create" ? 1
          : (event.action === "new_version" ? Number(event.details?.version) : null);
        if (number && savedBy.has(number)) savedBy.get(number).textContent = event.actor_name || t("none");
      }
    },
  });
  return [
    versionsPanel(doc, savedBy),
    (doc.allowed_actions || []).includes("edit") ? versionForm(host, doc) : null,
    history,
  ];
}
