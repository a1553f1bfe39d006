// One văn bản đi: its particulars and state, the steps the caller may take now
// (return, recall and cancel ask for a reason; numbering offers a field code or a
// whole notation), its recipients (with the incoming documents issuing delivered),
// its versions and a form for the next one while it is a draft, copies for the clerk
// once it is numbered, and its processing history with PDF/XLSX exports.

import { ApiError, api } from "../api.js";
import { alertBox, confidentialityBadge, h, loadingBox, stateBadge, urgencyBadge } from "../dom.js";
import {
  confidentialityLabel, documentTypeLabel, formatDate, formatDateTime, t, urgencyLabel,
} from "../i18n.js";
import { hooks, isMember, rolesIn, takeFlash } from "../state.js";
import {
  attachmentItem, codeOf, dataTable, errorPanel, fileLink, formErrors, formField,
  historyPanel, problemText,
} from "../widgets.js";
import { approvalPanel, CHAIN_STEPS } from "./approval.js";
import { copyPanel } from "./copy.js";
import { draftForm } from "./outgoing-form.js";

// services/documents/outgoing.py STEPS: the states each step starts from and the roles
// (in the document's unit) that may take it. The server decides; this only says which
// buttons to show.
const DRAFTERS = ["specialist", "unit_head", "head", "clerk"];
const STEPS = {
  submit: { from: ["draft", "returned"], roles: DRAFTERS },
  approve: { from: ["submitted"], roles: ["head", "unit_head"] },
  check_form: { from: ["approved"], roles: ["clerk"] },
  sign: { from: ["form_checked"], roles: ["head"] },
  number: { from: ["signed"], roles: ["clerk"], form: true },
  issue: { from: ["numbered"], roles: ["clerk"] },
  return: { from: ["submitted", "approved", "form_checked", "signed"], roles: ["head", "unit_head", "clerk"], reason: true },
  recall: { from: ["issued"], roles: ["head", "clerk"], reason: true },
  cancel: { from: ["draft", "returned"], roles: DRAFTERS, reason: true },
};
const FORWARD = ["submit", "approve", "check_form", "sign", "number", "issue"];
const EDITABLE = ["draft", "returned"];
const WITH_REASON = ["returned", "recalled", "cancelled"];

export function renderOutgoingDocument(view, params) {
  const id = params.id;
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, t("outgoingDocTitle"));
  const message = h("div", { id: "doc-message", class: "doc-message", tabindex: "-1" });
  const body = h("div", {}, loadingBox());
  const flash = takeFlash();
  if (flash) message.append(alertBox(flash.kind, flash.text));
  view.append(
    h("p", { class: "back" }, h("a", { href: "#/outgoing" }, "‹ ", t("outgoingTitle"))),
    h("div", { class: "page-head" }, heading),
    message,
    body);

  function say(kind, ...children) {
    message.replaceChildren(alertBox(kind, ...children));
    message.focus();
  }

  // The draft's approval chain (workflow), when its unit has one: null otherwise.
  let processing = null;

  async function readProcessing() {
    try {
      const result = await api.outgoingProcessing(id);
      processing = result?.state ? result : null;
    } catch {
      processing = null;
    }
    return processing;
  }

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const [doc] = await Promise.all([api.getOutgoing(id), readProcessing()]);
      draw(doc);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  /** After a step: the chain may have started (submit) or moved; read it again. */
  async function refreshChain({ later = false } = {}) {
    const before = JSON.stringify(processing);
    if (later) await new Promise((resolve) => { setTimeout(resolve, 1500); });
    if (!body.isConnected) return;
    await readProcessing();
    if (JSON.stringify(processing) === before || !body.isConnected) return;
    try {
      draw(await api.getOutgoing(id));
    } catch {
      /* the next visit shows it */
    }
  }

  function row(label, value, attrs = {}) {
    const empty = value === null || value === undefined || value === "";
    return [h("dt", {}, label), h("dd", attrs, empty ? t("none") : value)];
  }

  function draw(doc) {
    heading.textContent = doc.subject || t("outgoingDocTitle");
    document.title = `${doc.subject || t("outgoingDocTitle")} · ${t("appName")}`;
    const roles = rolesIn(doc.unit_id);
    // While the unit's approval chain runs, its approvers approve or return the draft
    // from the chain's panel; approving it here would go around the chain.
    const chainRuns = (processing?.state === "in_approval" || doc.in_approval_chain) && doc.state === "submitted";
    const allowed = Object.keys(STEPS).filter((action) =>
      STEPS[action].from.includes(doc.state) && STEPS[action].roles.some((r) => roles.includes(r))
      && !(chainRuns && CHAIN_STEPS.includes(action)));
    const canEdit = EDITABLE.includes(doc.state) && roles.some((r) => DRAFTERS.includes(r));
    const numbered = Boolean(doc.code_number);
    const signer = [doc.signer?.position, doc.signer?.full_name].filter(Boolean).join(" ");
    const files = h("ul", { class: "attachment-list" }, (doc.file_ids || []).map(attachmentItem));

    body.replaceChildren(h("div", { class: "doc-stack" },
      h("div", { class: "doc-badges" },
        h("span", { class: "eyebrow" }, `${t("outgoingDocTitle")} · `,
          numbered ? codeOf(doc) : t("notNumbered")),
        stateBadge(doc.state, doc.state_name, { id: "doc-state" }),
        urgencyBadge(doc.urgency, { showNormal: false }), confidentialityBadge(doc.confidentiality)),
      doc.state_reason && WITH_REASON.includes(doc.state)
        ? alertBox("warning", h("p", { id: "doc-state-reason" },
          h("strong", {}, `${t(`reason_${doc.state}`)}: `), doc.state_reason))
        : null,
      processing ? approvalPanel({
        doc, processing,
        onDone: async (result, text) => {
          processing = result?.state ? result : processing;
          let updated = doc;
          try {
            updated = await api.getOutgoing(doc.id);
          } catch {
            /* keep what we have */
          }
          draw(updated);
          say("success", h("p", { id: "step-done" }, text));
          hooks.refreshCounts();
        },
      }) : null,
      allowed.length ? actionsPanel(doc, allowed) : null,
      h("div", { class: "doc-layout" },
        h("section", { class: "panel", "aria-labelledby": "doc-info" },
          h("h2", { id: "doc-info", class: "visually-hidden" }, t("sectionDocument")),
          h("dl", { class: "detail-list" },
            row(t("colCode"), numbered ? h("strong", {}, codeOf(doc)) : t("notNumbered"), { id: "doc-code" }),
            row(t("issuedDate"), doc.issued_date ? formatDate(doc.issued_date) : null),
            row(t("documentType"), documentTypeLabel(doc.document_type, doc.document_type_name)),
            row(t("subject"), doc.subject),
            row(t("draftingUnitLabel"), doc.unit_name),
            row(t("signer"), signer, { id: "doc-signer" }),
            row(t("urgency"), urgencyLabel(doc.urgency)),
            row(t("confidentiality"), confidentialityLabel(doc.confidentiality)),
            row(t("pageAmount"), doc.page_amount != null ? String(doc.page_amount) : null, { id: "doc-page-amount" }),
            row(t("issuedAmount"), doc.issued_amount != null ? String(doc.issued_amount) : null),
            row(t("replyDue"), doc.due_date ? formatDate(doc.due_date) : null),
            row(t("keeper"), doc.keeper),
            doc.description ? row(t("description"), doc.description) : null,
            row(t("version"), String(doc.version), { id: "doc-version" }),
            row(t("createdAt"), formatDateTime(doc.created_at)),
            row(t("updatedAt"), formatDateTime(doc.updated_at)),
            doc.issued_at ? row(t("issuedAt"), formatDateTime(doc.issued_at)) : null)),
        h("section", { class: "panel", "aria-labelledby": "doc-files" },
          h("h2", { id: "doc-files" }, t("attachments")),
          doc.file_ids?.length ? files : h("p", { class: "muted" }, t("noAttachments")))),
      recipientsPanel(doc),
      ...versionsAndHistory(doc, canEdit),
      roles.includes("clerk") && numbered ? copyPanel(doc) : null));
  }

  // ------------------------------------------------------------ steps

  function actionsPanel(doc, allowed) {
    const slot = h("div", { class: "step-form-slot" });
    const ordered = [...FORWARD.filter((a) => allowed.includes(a)), ...allowed.filter((a) => !FORWARD.includes(a))];
    const buttons = ordered.map((action) => {
      const step = STEPS[action];
      const inline = step.reason || step.form;
      const button = h("button", {
        type: "button", id: `action-${action}`,
        class: ["btn", FORWARD.includes(action) ? "btn-primary" : (action === "return" ? "btn-secondary" : "btn-warning")],
        "aria-expanded": inline ? "false" : null, "aria-controls": inline ? "step-form" : null,
        onclick: () => (inline ? openStepForm(doc, action, button, slot, buttons) : take(doc, action, {}, buttons)),
      }, t(`action_${action}`));
      return button;
    });
    return h("section", { class: "panel actions-panel", id: "doc-actions", "aria-labelledby": "doc-actions-title" },
      h("h2", { id: "doc-actions-title" }, t("actionsTitle")),
      h("div", { class: "step-actions" }, buttons),
      slot);
  }

  function openStepForm(doc, action, trigger, slot, buttons) {
    for (const b of buttons) {
      if (b.hasAttribute("aria-controls")) b.setAttribute("aria-expanded", String(b === trigger));
    }
    const labels = {};
    const summary = h("div", { class: "error-summary", tabindex: "-1", hidden: true, role: "alert" });
    const step = STEPS[action];
    const reason = step.reason ? h("textarea", { name: "reason", rows: "2", maxlength: "1000" }) : null;
    const fieldCode = action === "number" && doc.document_type === "CV"
      ? h("input", { type: "text", name: "field_code", maxlength: "20", autocomplete: "off", spellcheck: "false" }) : null;
    const notation = action === "number"
      ? h("input", { type: "text", name: "code_notation", maxlength: "30", autocomplete: "off", spellcheck: "false" }) : null;
    const comment = h("textarea", { name: "comment", rows: "2", maxlength: "1000" });
    const label = t(`action_${action}`);
    const confirm = h("button", { type: "submit", class: ["btn", step.reason && action !== "return" ? "btn-warning" : "btn-primary"], id: "step-confirm" },
      t("confirmAction", label));
    const close = () => {
      slot.replaceChildren();
      trigger.setAttribute("aria-expanded", "false");
      trigger.focus();
    };
    const form = h("form", { class: "step-form", id: "step-form", novalidate: true, "aria-label": label },
      h("h3", {}, label),
      summary,
      h("div", { class: "form-grid" },
        reason ? formField(labels, "step-reason", t("reason"), reason, { required: true, wide: true }) : null,
        fieldCode ? formField(labels, "step-field_code", t("fieldCode"), fieldCode, { hint: t("fieldCodeHint") }) : null,
        notation ? formField(labels, "step-code_notation", t("notationOverride"), notation, { hint: t("notationOverrideHint") }) : null,
        formField(labels, "step-comment", t("stepComment"), comment, { wide: true })),
      h("div", { class: "form-actions" },
        confirm,
        h("button", { type: "button", class: "btn btn-link", onclick: close }, t("cancel"))));
    const errors = formErrors(form, summary, {
      labels, heading: t("errorSummaryStep"),
      controlFor: (key) => ({
        reason: "step-reason", field_code: fieldCode ? "step-field_code" : "step-code_notation",
        code_notation: "step-code_notation", comment: "step-comment",
      })[key] || null,
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      errors.clear();
      const payload = {};
      if (reason) {
        if (!reason.value.trim()) {
          errors.show(null, { reason: t("reasonRequired") });
          return;
        }
        payload.reason = reason.value.trim();
      }
      if (fieldCode?.value.trim()) payload.field_code = fieldCode.value.trim();
      if (notation?.value.trim()) payload.code_notation = notation.value.trim();
      if (comment.value.trim()) payload.comment = comment.value.trim();
      take(doc, action, payload, [...buttons, confirm], errors);
    });
    slot.replaceChildren(form);
    (reason || fieldCode || notation || comment).focus();
  }

  async function take(doc, action, payload, buttons, errors = null) {
    const label = t(`action_${action}`);
    for (const b of buttons) b.disabled = true;
    const busy = buttons.find((b) => b.id === "step-confirm") || buttons.find((b) => b.id === `action-${action}`);
    const busyText = busy?.textContent;
    if (busy) busy.textContent = t("working");
    try {
      const updated = await api.actOnOutgoing(doc.id, action, payload);
      draw(updated);
      refreshChain({ later: action === "submit" });
      say("success", h("p", { id: "step-done" },
        action === "number" ? t("done_number", codeOf(updated)) : t(`done_${action}`)));
    } catch (error) {
      for (const b of buttons) b.disabled = false;
      if (busy) busy.textContent = busyText;
      if (errors && error instanceof ApiError && error.status === 400) {
        errors.show(error.message, error.details);
        return;
      }
      const problems = Object.entries(error.details || {}).filter(([key]) => key !== "state");
      say("error",
        h("p", {}, h("strong", {}, `${label}: `), error.message),
        problems.length ? h("ul", {}, problems.map(([, p]) => h("li", {}, problemText(p)))) : null);
      // The document may have moved on meanwhile: show where it is now.
      if (error instanceof ApiError && [403, 409].includes(error.status)) {
        api.getOutgoing(doc.id).then(draw).catch(() => {});
      }
    }
  }

  // ------------------------------------------------------------ recipients

  function recipientsPanel(doc) {
    const issued = Boolean(doc.issued_at);
    const delivered = (r) => {
      if (r.incoming_id) {
        const text = t("deliveredAs", r.arrival_number);
        return isMember(r.unit_id)
          ? h("a", { href: `#/documents/${encodeURIComponent(r.incoming_id)}`, class: "doc-link", title: t("openIncoming") }, text)
          : text;
      }
      return issued ? t("none") : h("span", { class: "muted" }, t("notDelivered"));
    };
    return h("section", { class: "panel", id: "doc-recipients", "aria-labelledby": "doc-recipients-title" },
      h("h2", { id: "doc-recipients-title" }, t("recipientsTitle")),
      doc.recipients?.length
        ? dataTable([
          { label: t("colRecipient"), render: (r) => h("strong", { class: "recipient-name" }, r.name || t("none")) },
          { label: t("colOrganId"), className: "col-code", render: (r) => r.organ_id || t("none") },
          { label: t("colDelivery"), render: (r) => h("span", { class: `delivery delivery-${r.delivery}` }, t(`delivery_${r.delivery}`)) },
          { label: t("colDelivered"), render: delivered },
        ], doc.recipients, { caption: t("recipientsTitle") })
        : h("p", { class: "muted" }, t("noRecipients")));
  }

  // ------------------------------------------------------------ versions and history

  function versionsAndHistory(doc, canEdit) {
    const savedBy = new Map();   // version number → the cell naming who saved it
    const versions = [...(doc.versions || [])].reverse();
    const versionsPanel = h("section", { class: "panel", id: "doc-versions", "aria-labelledby": "doc-versions-title" },
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

    let versionForm = null;
    if (canEdit) {
      const { form } = draftForm({
        prefix: "v-", doc, submitLabel: t("saveVersion"), submitId: "version-save",
        save: async (payload) => {
          const updated = await api.addOutgoingVersion(doc.id, payload);
          draw(updated);
          say("success", h("p", { id: "version-saved" }, t("versionSaved", updated.version)));
        },
      });
      versionForm = h("details", { class: "panel version-panel", id: "new-version" },
        h("summary", {}, h("h2", { class: "summary-title" }, t("newVersionTitle"))),
        h("p", { class: "muted" }, t("newVersionIntro")),
        form);
    }

    const history = historyPanel(doc.id, {
      onLoaded: (events) => {
        for (const event of events) {
          const number = event.action === "create" ? 1
            : (event.action === "new_version" ? Number(event.details?.version) : null);
          if (number && savedBy.has(number)) savedBy.get(number).textContent = event.actor_name || t("none");
        }
      },
    });
    return [versionsPanel, versionForm, history];
  }

  load();
  return { title: t("outgoingDocTitle") };
}
