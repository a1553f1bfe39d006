// The fields of a draft văn bản đi, shared by the new-draft screen and the "save a new
// version" form of a draft: type, subject, signer, recipients (units of this system
// found by name, and other bodies with an optional mã định danh), urgency,
// confidentiality, issue particulars, files and the version note. Problems the server
// finds are shown next to their fields and in a summary, as on the register form.

import { ApiError, api } from "../api.js";
import { h } from "../dom.js";
import {
  CONFIDENTIALITIES, DOCUMENT_TYPES, URGENCIES, confidentialityLabel, documentTypeLabel, lang, t,
  todayIso, urgencyLabel,
} from "../i18n.js";
import { errorSlotId, fileUploader, formErrors, formField, liveSearch, problemText } from "../widgets.js";

const UNIT_RESULTS = 8;
const SEARCH_DELAY_MS = 300;

// The document types the server offers, read once per page load.
let typesPromise = null;
function documentTypes() {
  if (!typesPromise) {
    typesPromise = api.documentTypes().then((r) => r.items || []).catch(() => {
      typesPromise = null;
      return DOCUMENT_TYPES.map(([key, name]) => ({ key, name }));
    });
  }
  return typesPromise;
}

function typeOptionText(key, name) {
  const label = documentTypeLabel(key, name);
  return lang() === "en" && label !== name ? `${label} (${name})` : label;
}

/** A recipient as the API takes it: {unit_id} or {name, organ_id?}. */
function recipientBody(r) {
  if (r.unit_id) return { unit_id: r.unit_id };
  return r.organ_id ? { name: r.name, organ_id: r.organ_id } : { name: r.name };
}

/**
 * The draft form. prefix: the controls' id prefix ("f-", "v-"). doc: the document
 * whose current version fills it (a new version sends only what changed). units: the
 * memberships the caller drafts in (a choice when creating in more than one).
 * save(body) → Promise; a rejection with an ApiError shows its problems.
 */
export function draftForm({ prefix, doc = null, units = [], submitLabel, submitId, cancel, save }) {
  const id = (name) => `${prefix}${name}`;
  const labels = {};
  const creating = !doc;
  const input = (name, attrs = {}) => h("input", { name, type: "text", ...attrs });

  // ------------------------------------------------------------ controls
  const unitSelect = h("select", { name: "unit_id" },
    units.map((m) => h("option", { value: m.unit_id }, m.unit_name)));
  const documentType = h("select", { name: "document_type" },
    h("option", { value: "" }, t("chooseType")));
  const subject = h("textarea", { name: "subject", rows: "3", maxlength: "500" });
  const pageAmount = input("page_amount", { type: "number", min: "1", max: "999", inputmode: "numeric" });
  const signerPosition = input("signer_position", { maxlength: "100" });
  const signerName = input("signer_full_name", { maxlength: "50", autocomplete: "off" });
  const confidentiality = h("select", { name: "confidentiality" },
    CONFIDENTIALITIES.map((c) => h("option", { value: c }, confidentialityLabel(c))));
  const issuedAmount = input("issued_amount", { type: "number", min: "1", max: "999", inputmode: "numeric" });
  const dueDate = input("due_date", { type: "date", min: todayIso() });
  const keeper = input("keeper", { maxlength: "200" });
  const note = h("textarea", { name: "note", rows: "2", maxlength: "500" });
  const files = fileUploader({
    id: id("files"), label: t("draftFiles"), hint: t("draftFilesHint"), existing: doc?.file_ids || [],
  });
  labels[id("files")] = t("sectionDraftFiles");

  labels[id("urgency-normal")] = t("urgency");
  const urgencyGroup = h("fieldset", { class: "radio-group field field-wide" },
    h("legend", {}, t("urgency")),
    h("p", { class: "field-error", id: errorSlotId(id("urgency-normal")), hidden: true }),
    h("div", { class: "radio-row" }, URGENCIES.map((u) => h("label", { class: `radio urgency-choice urgency-choice-${u}` },
      h("input", {
        type: "radio", name: `${prefix}urgency`, value: u, id: id(`urgency-${u}`),
        checked: u === (doc?.urgency || "normal"),
      }),
      h("span", {}, urgencyLabel(u))))));

  // ------------------------------------------------------------ recipients
  const chosen = [];   // {unit_id?, organ_id?, name}
  const live = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const chosenList = h("ul", { class: "recipient-list", id: id("recipient-list"), "aria-label": t("chosenRecipients") });
  const unitSearch = h("input", {
    type: "search", name: "unit_search", autocomplete: "off", maxlength: "200",
    "aria-controls": id("unit-results"),
  });
  const searchButton = h("button", { type: "button", class: "btn btn-secondary", id: id("unit-search-button") }, t("searchUnits"));
  const searchStatus = h("p", { class: "hint search-status", role: "status", "aria-live": "polite" });
  const results = h("ul", { class: "unit-results", id: id("unit-results") });
  const externalName = input("external_name", { maxlength: "200", autocomplete: "organization" });
  const externalOrganId = input("external_organ_id", { maxlength: "35", autocomplete: "off", spellcheck: "false" });
  const externalError = h("p", { class: "field-error", id: errorSlotId(id("ext-name")), hidden: true });
  const addExternal = h("button", { type: "button", class: "btn btn-secondary", id: id("ext-add") }, "+ ", t("addExternal"));
  labels[id("recipients")] = t("sectionRecipients");

  const deliveryOf = (r) => {
    if (r.unit_id) return "internal";
    return r.organ_id && confidentiality.value === "none" ? "exchange" : "paper";
  };
  const sameRecipient = (a, b) => (a.unit_id || b.unit_id
    ? a.unit_id === b.unit_id
    : (a.organ_id && b.organ_id ? a.organ_id === b.organ_id : a.name.toLowerCase() === b.name.toLowerCase()));

  function drawChosen() {
    if (!chosen.length) {
      chosenList.replaceChildren(h("li", { class: "recipient-empty muted" }, t("noRecipients")));
    } else {
      chosenList.replaceChildren(...chosen.map((r) => h("li", { class: "recipient" },
        h("span", { class: "recipient-main" },
          h("span", { class: "recipient-name" }, r.name),
          h("span", { class: "cell-meta" },
            [r.organ_id, t(`delivery_${deliveryOf(r)}`)].filter(Boolean).join(" · "))),
        h("button", {
          type: "button", class: "btn btn-link btn-small", "aria-label": t("removeRecipient", r.name),
          onclick: () => {
            chosen.splice(chosen.indexOf(r), 1);
            drawChosen();
            drawResults();
            live.textContent = t("recipientRemoved", r.name);
            unitSearch.focus();
          },
        }, t("remove")))));
    }
  }

  function addRecipient(r) {
    if (chosen.some((c) => sameRecipient(c, r))) {
      live.textContent = t("recipientDuplicate");
      return false;
    }
    chosen.push(r);
    drawChosen();
    drawResults();
    live.textContent = t("recipientAdded", r.name);
    return true;
  }

  let found = [];
  function drawResults() {
    results.replaceChildren(...found.map((u) => {
      const already = chosen.some((c) => c.unit_id === u.id);
      return h("li", { class: "unit-result" },
        h("span", { class: "recipient-main" },
          h("span", { class: "recipient-name" }, u.name),
          u.organ_id ? h("span", { class: "cell-meta" }, u.organ_id) : null),
        h("button", {
          type: "button", class: "btn btn-secondary btn-small", disabled: already,
          "aria-label": already ? null : t("addRecipientLabel", u.name),
          onclick: () => {
            addRecipient({ unit_id: u.id, organ_id: u.organ_id, name: u.name });
            unitSearch.focus();
          },
        }, already ? `✓ ${t("alreadyAdded")}` : `+ ${t("addRecipient")}`));
    }));
  }

  liveSearch({
    input: unitSearch, button: searchButton, status: searchStatus, delayMs: SEARCH_DELAY_MS,
    emptyMessage: t("typeToSearch"),
    show: (items) => { found = items; drawResults(); },
    async find(q) {
      const page = await api.listUnits({ q, active: "true", page_size: UNIT_RESULTS });
      const items = page.items || [];
      return { items, message: items.length ? t("unitsFound", items.length, page.total) : t("noUnitsFound") };
    },
  });

  function addExternalRecipient() {
    externalError.hidden = true;
    externalName.removeAttribute("aria-invalid");
    const name = externalName.value.trim();
    if (!name) {
      externalError.textContent = t("externalNameRequired");
      externalError.hidden = false;
      externalName.setAttribute("aria-invalid", "true");
      externalName.focus();
      return;
    }
    const organId = externalOrganId.value.trim();
    if (addRecipient(organId ? { name, organ_id: organId } : { name })) {
      externalName.value = "";
      externalOrganId.value = "";
    }
    externalName.focus();
  }
  addExternal.addEventListener("click", addExternalRecipient);
  for (const el of [externalName, externalOrganId]) {
    el.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        addExternalRecipient();
      }
    });
  }
  confidentiality.addEventListener("change", drawChosen);

  labels[id("ext-name")] = t("externalName");
  externalName.id = id("ext-name");
  externalName.setAttribute("aria-describedby", `${errorSlotId(id("ext-name"))}`);
  externalOrganId.id = id("ext-organ_id");
  externalOrganId.setAttribute("aria-describedby", `${id("ext-organ_id")}-hint`);
  unitSearch.id = id("recipients");
  unitSearch.setAttribute("aria-describedby", `${id("recipients")}-hint`);

  const recipientsSection = h("fieldset", { class: "section recipients-section" },
    h("legend", {}, t("sectionRecipients")),
    h("p", { class: "field-error", id: errorSlotId(id("recipients")), hidden: true }),
    h("h3", { class: "subhead", id: id("chosen-title") }, t("chosenRecipients")),
    chosenList,
    live,
    h("div", { class: "recipient-pickers" },
      h("div", { class: "picker" },
        h("label", { for: id("recipients") }, t("recipientSearch")),
        h("p", { class: "hint", id: `${id("recipients")}-hint` }, t("recipientSearchHint")),
        h("div", { class: "search-box" }, unitSearch, searchButton),
        searchStatus,
        results),
      h("div", { class: "picker" },
        h("h3", { class: "subhead" }, t("externalRecipient")),
        h("div", { class: "field" },
          h("label", { for: id("ext-name") }, t("externalName")),
          externalError,
          externalName),
        h("div", { class: "field" },
          h("label", { for: id("ext-organ_id") }, t("externalOrganId")),
          h("p", { class: "hint", id: `${id("ext-organ_id")}-hint` }, t("externalOrganIdHint")),
          externalOrganId),
        h("div", {}, addExternal))));

  // ------------------------------------------------------------ the form
  const summary = h("div", { class: "error-summary", tabindex: "-1", hidden: true, role: "alert" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", id: submitId }, submitLabel);
  const form = h("form", { class: "register-form draft-form", novalidate: true },
    summary,
    creating && units.length > 1 ? h("div", { class: "form-grid" },
      formField(labels, id("unit_id"), t("draftUnit"), unitSelect, { required: true })) : null,
    h("fieldset", { class: "section" },
      h("legend", {}, t("sectionContent")),
      h("div", { class: "form-grid" },
        formField(labels, id("document_type"), t("documentType"), documentType, { required: true }),
        formField(labels, id("page_amount"), t("pageAmount"), pageAmount),
        formField(labels, id("subject"), t("subject"), subject, { required: true, wide: true }))),
    h("fieldset", { class: "section" },
      h("legend", {}, t("sectionSigner")),
      h("p", { class: "hint section-hint" }, t("signerDraftHint")),
      h("div", { class: "form-grid" },
        formField(labels, id("signer-position"), t("signerPosition"), signerPosition),
        formField(labels, id("signer-full_name"), t("signerName"), signerName))),
    recipientsSection,
    h("fieldset", { class: "section" },
      h("legend", {}, t("sectionIssue")),
      h("div", { class: "form-grid" },
        urgencyGroup,
        formField(labels, id("confidentiality"), t("confidentiality"), confidentiality),
        formField(labels, id("issued_amount"), t("issuedAmount"), issuedAmount),
        formField(labels, id("due_date"), t("replyDue"), dueDate),
        formField(labels, id("keeper"), t("keeper"), keeper))),
    h("fieldset", { class: "section" },
      h("legend", {}, t("sectionDraftFiles")),
      files.element),
    h("fieldset", { class: "section" },
      h("legend", {}, t("sectionNote")),
      h("div", { class: "form-grid" },
        formField(labels, id("note"), t("versionNote"), note, { hint: t("versionNoteHint"), wide: true }))),
    h("div", { class: "form-actions" }, submit, cancel || null));

  const FIELD_IDS = {
    unit_id: "unit_id", document_type: "document_type", subject: "subject",
    page_amount: "page_amount", issued_amount: "issued_amount", due_date: "due_date",
    keeper: "keeper", signer: "signer-position", "signer.position": "signer-position",
    "signer.full_name": "signer-full_name", urgency: "urgency-normal",
    confidentiality: "confidentiality", file_ids: "files", note: "note",
  };
  const errors = formErrors(form, summary, {
    labels, heading: t("draftErrorSummary"),
    controlFor: (key) => {
      if (key === "recipients" || key.startsWith("recipients[")) return id("recipients");
      if (key === "unit_id" && !(creating && units.length > 1)) return null;
      return FIELD_IDS[key] ? id(FIELD_IDS[key]) : null;
    },
  });

  // ------------------------------------------------------------ values
  function values() {
    const v = (el) => el.value.trim();
    const number = (el) => (v(el) === "" ? null : Number(v(el)));
    return {
      document_type: documentType.value || null,
      subject: v(subject),
      page_amount: number(pageAmount),
      signer: { position: v(signerPosition) || null, full_name: v(signerName) || null },
      recipients: chosen.map(recipientBody),
      urgency: form.querySelector(`input[name="${prefix}urgency"]:checked`)?.value || "normal",
      confidentiality: confidentiality.value,
      issued_amount: number(issuedAmount),
      due_date: dueDate.value || null,
      keeper: v(keeper) || null,
    };
  }

  if (doc) {
    subject.value = doc.subject || "";
    pageAmount.value = doc.page_amount ?? "";
    signerPosition.value = doc.signer?.position || "";
    signerName.value = doc.signer?.full_name || "";
    confidentiality.value = doc.confidentiality || "none";
    issuedAmount.value = doc.issued_amount ?? "";
    dueDate.value = doc.due_date || "";
    keeper.value = doc.keeper || "";
    for (const r of doc.recipients || []) {
      chosen.push({ unit_id: r.unit_id || undefined, organ_id: r.organ_id || undefined, name: r.name });
    }
  }
  // The types: our list at once, the server's when it arrives; the chosen one is kept
  // even if it is not listed.
  function setTypes(types) {
    const current = documentType.value || doc?.document_type || "";
    const options = types.map((ty) => h("option", { value: ty.key }, typeOptionText(ty.key, ty.name)));
    if (current && !types.some((ty) => ty.key === current)) {
      options.push(h("option", { value: current }, typeOptionText(current, doc?.document_type_name || current)));
    }
    documentType.replaceChildren(h("option", { value: "" }, t("chooseType")), ...options);
    documentType.value = current;
  }
  setTypes(DOCUMENT_TYPES.map(([key, name]) => ({ key, name })));
  documentTypes().then(setTypes);

  drawChosen();
  const baseline = doc ? values() : null;
  const baselineFiles = JSON.stringify(doc?.file_ids || []);

  /** A problem with the n-th recipient says which one it is. */
  function withRecipientNames(details) {
    return Object.fromEntries(Object.entries(details || {}).map(([key, problem]) => {
      const match = /^recipients\[(\d+)\]/.exec(key);
      const recipient = match ? chosen[Number(match[1])] : null;
      return [key, recipient ? `${recipient.name}: ${problemText(problem)}` : problem];
    }));
  }

  /** What to send: everything given when creating; only the changes for a new version. */
  function payload() {
    const now = values();
    const noteText = note.value.trim();
    if (creating) {
      const body = { unit_id: units.length > 1 ? unitSelect.value : units[0]?.unit_id };
      for (const [key, value] of Object.entries(now)) {
        if (key === "signer") {
          if (value.position || value.full_name) body.signer = value;
        } else if (key === "recipients") {
          body.recipients = value;
        } else if (value !== null && value !== "") {
          body[key] = value;
        }
      }
      const fileIds = files.fileIds();
      if (fileIds.length) body.file_ids = fileIds;
      if (noteText) body.note = noteText;
      return body;
    }
    const body = {};
    for (const [key, value] of Object.entries(now)) {
      if (JSON.stringify(value) !== JSON.stringify(baseline[key])) body[key] = value;
    }
    const fileIds = files.fileIds();
    if (JSON.stringify(fileIds) !== baselineFiles) body.file_ids = fileIds;
    if (noteText) body.note = noteText;
    return body;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const uploadProblem = files.problem();
    if (uploadProblem) {
      errors.show(null, { file_ids: uploadProblem });
      return;
    }
    const body = payload();
    if (!creating && !Object.keys(body).length) {
      errors.show(t("noChanges"), {});
      return;
    }
    submit.disabled = true;
    submit.textContent = t("saving");
    form.setAttribute("aria-busy", "true");
    try {
      await save(body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) errors.show(error.message, withRecipientNames(error.details));
      else errors.show(error.message, {});
    } finally {
      submit.disabled = false;
      submit.textContent = submitLabel;
      form.removeAttribute("aria-busy");
    }
  });

  return { form, focus: creating && units.length > 1 ? unitSelect : documentType };
}
