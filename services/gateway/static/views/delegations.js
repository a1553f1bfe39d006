// Ủy quyền (NĐ 30/2020 Điều 13): ký thay (KT), thừa lệnh (TL), thừa ủy quyền (TUQ).
// The delegations the user gave, those they received and, for a unit's leaders and
// administrators, the unit's others; each with its kind, the other person, the steps
// and document types it covers, its window and its state. A unit's head delegates to
// someone of the unit; whoever holds a KT or TL may pass it on within its limits
// (never a TUQ). The one who gave it (or an administrator of the unit) revokes it.

import { api } from "../api.js";
import { peopleBelow, resolveNames, unitMembers, unitName } from "../directory.js";
import { alertBox, fill, h, loadingBox, pageHeading } from "../dom.js";
import { DOCUMENT_TYPES, documentTypeLabel, formatDate, formatDateTime, t, todayIso } from "../i18n.js";
import { currentMembership, hasRole, user } from "../state.js";
import { confirmDialog, dataTable, errorPanel, errorSlotId, formErrors, formField } from "../widgets.js";

const KINDS = ["KT", "TL", "TUQ"];
const ACTIONS = ["sign", "approve", "assign"];
// API field (as named in a 400's `details`) → the id of its control
const FIELD_IDS = {
  unit_id: "dl-unit", via_id: "dl-via", kind: "dl-kind-KT", to_user_id: "dl-to",
  actions: "dl-action-sign", document_types: `dl-type-${DOCUMENT_TYPES[0][0]}`,
  valid_from: "dl-from", valid_to: "dl-to-date", note: "dl-note",
};

/** Whether a delegation is in force today, not yet, no longer, or revoked. */
function delegationState(d, today = todayIso()) {
  if (d.revoked_at) return "revoked";
  if (today < d.valid_from) return "pending";
  if (today > d.valid_to) return "expired";
  return "active";
}

/** Whether the holder may pass this delegation on (never a TUQ; not when it is over). */
function passable(d, today = todayIso()) {
  return d.kind !== "TUQ" && !d.revoked_at && d.valid_to >= today;
}

const kindBadge = (kind) => [h("span", { class: `badge dkind dkind-${kind}` }, kind), " ", t(`dkind_${kind}`)];
const typesText = (types) => (types?.length
  ? types.map((key) => `${documentTypeLabel(key)} (${key})`).join(", ") : t("allDocTypes"));
const actionsText = (actions) => (actions || []).map((a) => t(`daction_${a}`)).join(", ") || t("none");

export function renderDelegations(view) {
  const me = user();
  const message = h("div", { class: "doc-message", id: "delegation-message", tabindex: "-1" });
  const activeOnly = h("input", { type: "checkbox", id: "dl-active-only" });
  const lists = h("div", { class: "doc-stack" }, loadingBox());
  const formPanel = h("section", { class: "panel", id: "delegation-new", "aria-labelledby": "delegation-new-title" },
    h("h2", { id: "delegation-new-title", tabindex: "-1" }, t("newDelegation")));
  const newButton = h("a", {
    href: "#delegation-new", class: "btn btn-primary", id: "delegation-new-link", hidden: true,
    onclick: (event) => {
      event.preventDefault();
      formPanel.scrollIntoView({ block: "start" });
      (formPanel.querySelector("select, input") || formPanel.querySelector("h2")).focus();
    },
  }, "+ ", t("newDelegation"));
  view.append(
    h("p", { class: "back-link" }, h("a", { href: "#/settings" }, "‹ ", t("navSettings"))),
    pageHeading(t("delegationsTitle"), newButton),
    h("p", { class: "muted page-sub" }, t("delegationsIntro")),
    message,
    h("div", { class: "filter-bar delegation-filter" },
      h("label", { class: "checkbox", for: "dl-active-only" }, activeOnly, " ", t("activeOnly"))),
    lists,
    formPanel);
  activeOnly.addEventListener("change", () => load());

  let items = [];

  function say(kind, id, text) {
    message.replaceChildren(alertBox(kind, h("p", { id }, text)));
    message.focus();
  }

  async function load({ redrawForm = true } = {}) {
    lists.replaceChildren(loadingBox());
    try {
      const result = await api.listDelegations(activeOnly.checked ? { active: "true" } : {});
      items = result.items || [];
      await resolveNames({ unitIds: items.map((d) => d.unit_id) });
      drawLists();
      if (redrawForm) drawForm();
    } catch (error) {
      lists.replaceChildren(errorPanel(error, load));
    }
  }

  // ------------------------------------------------------------ the lists

  function drawLists() {
    const today = todayIso();
    const manyUnits = new Set(items.map((d) => d.unit_id)).size > 1
      || new Set((me?.memberships || []).map((m) => m.unit_id)).size > 1;
    const given = items.filter((d) => d.from_user_id === me?.id);
    const received = items.filter((d) => d.to_user_id === me?.id);
    const others = items.filter((d) => d.from_user_id !== me?.id && d.to_user_id !== me?.id);

    const kindColumn = {
      label: t("colDelegationKind"), className: "col-badge", render: (d) => [
        h("span", { class: "dkind-cell", dataset: { delegation: d.id } }, kindBadge(d.kind)),
        manyUnits ? h("span", { class: "cell-meta" }, unitName(d.unit_id)) : null,
        d.via_id ? h("span", { class: "cell-meta" }, t("passedOnMark")) : null],
    };
    const person = (key, label) => ({
      label, render: (d) => h("span", { class: "dl-person" }, d[key] || t("unknownPerson")),
    });
    const scope = [
      { label: t("colSteps"), render: (d) => actionsText(d.actions) },
      { label: t("colDocTypes"), className: "col-details", render: (d) => typesText(d.document_types) },
      {
        label: t("colWindow"), className: "col-window", render: (d) => [
          h("span", { class: "nowrap" }, t("windowText", formatDate(d.valid_from), formatDate(d.valid_to))),
          d.note ? h("span", { class: "cell-meta" }, d.note) : null],
      },
      {
        label: t("colDelegationState"), render: (d) => {
          const state = delegationState(d, today);
          return [h("span", { class: `badge dstate dstate-${state}` }, t(`dstate_${state}`)),
            d.revoked_at ? h("span", { class: "cell-meta" }, t("revokedOn", formatDateTime(d.revoked_at))) : null];
        },
      },
    ];
    const revokeColumn = {
      label: t("colActions"), className: "col-actions", render: (d) => {
        const mayRevoke = !d.revoked_at && (d.from_user_id === me?.id || hasRole("admin", d.unit_id));
        if (!mayRevoke) return t("none");
        return h("button", {
          type: "button", class: "btn btn-secondary btn-small dl-revoke", dataset: { id: d.id },
          "aria-label": t("revokeLabel", d.kind, d.to_name || ""),
          onclick: (event) => revoke(d, event.currentTarget),
        }, t("revoke"));
      },
    };
    const passOnColumn = {
      label: t("colActions"), className: "col-actions", render: (d) => {
        if (d.kind === "TUQ") return h("span", { class: "muted" }, t("tuqNoPassOn"));
        if (!passable(d, today) || !d.actions?.length) return t("none");
        return h("button", {
          type: "button", class: "btn btn-link btn-small dl-pass-on", "aria-label": t("passOnLabel", d.kind, d.from_name || ""),
          onclick: () => drawForm(d),
        }, t("passOn"));
      },
    };

    const section = (id, title, rows, columns, empty) => h("section", { class: "panel", id, "aria-labelledby": `${id}-title` },
      h("h2", { id: `${id}-title` }, title, h("span", { class: "count-pill" }, String(rows.length))),
      rows.length
        ? dataTable(columns, rows, { caption: title, rowClass: (d) => `dl-row dl-${delegationState(d, today)}` })
        : h("p", { class: "muted" }, empty));

    fill(lists,
      section("delegations-given", t("delegationsGiven"), given,
        [kindColumn, person("to_name", t("colDelegate")), ...scope, revokeColumn], t("noDelegationsGiven")),
      section("delegations-received", t("delegationsReceived"), received,
        [kindColumn, person("from_name", t("colDelegator")), ...scope, passOnColumn], t("noDelegationsReceived")),
      others.length
        ? section("delegations-others", t("delegationsOthers"), others,
          [kindColumn, person("from_name", t("colDelegator")), person("to_name", t("colDelegate")), ...scope, revokeColumn], "")
        : null);
  }

  async function revoke(d, button) {
    const confirmed = await confirmDialog({
      id: "revoke", title: t("revokeTitle"), message: t("revokeMessage", t(`dkind_${d.kind}`), d.to_name || ""),
      confirmLabel: t("revoke"), confirmClass: "btn-warning",
    });
    if (!confirmed) {
      button.focus();
      return;
    }
    try {
      await api.revokeDelegation(d.id);
      await load({ redrawForm: false });
      say("success", "delegation-revoked", t("revokedDone", t(`dkind_${d.kind}`), d.to_name || ""));
    } catch (error) {
      say("error", "delegation-error", error.message);
      load({ redrawForm: false });
    }
  }

  // ------------------------------------------------------------ the form

  /** Units where the user may delegate: where they are the head, or hold a delegation to pass on. */
  function formUnits() {
    const units = new Map();
    for (const m of me?.memberships || []) {
      if (m.role === "head" && !units.has(m.unit_id)) units.set(m.unit_id, m.unit_name);
    }
    for (const d of items) {
      if (d.to_user_id === me?.id && passable(d) && !units.has(d.unit_id)) units.set(d.unit_id, unitName(d.unit_id));
    }
    return [...units.entries()].map(([id, name]) => ({ id, name }));
  }

  function drawForm(via = null) {
    const units = formUnits();
    newButton.hidden = !units.length;
    const heading = formPanel.querySelector("h2");
    if (!units.length) {
      formPanel.replaceChildren(heading, h("p", { class: "muted", id: "delegation-cannot" }, t("cannotDelegate")));
      return;
    }
    const current = currentMembership();
    const labels = {};
    const field = (...args) => formField(labels, ...args);
    const startUnit = via?.unit_id || units.find((u) => u.id === current?.unit_id)?.id || units[0].id;

    const unitSelect = h("select", { name: "unit_id" },
      units.map((u) => h("option", { value: u.id, selected: u.id === startUnit }, u.name)));
    const viaSelect = h("select", { name: "via_id" });
    const toSelect = h("select", { name: "to_user_id" }, h("option", { value: "" }, t("loading")));
    const validFrom = h("input", { type: "date", name: "valid_from", value: todayIso(), min: todayIso() });
    const validTo = h("input", { type: "date", name: "valid_to", min: todayIso() });
    const note = h("textarea", { name: "note", rows: "2", maxlength: "500" });

    const group = (id, legend, hint, controls, extraClass) => {
      labels[id] = legend;
      return h("fieldset", { class: ["radio-group field field-wide", extraClass], "aria-describedby": hint ? `${id}-hint` : null },
        h("legend", {}, legend),
        hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
        h("p", { class: "field-error", id: errorSlotId(id), hidden: true }),
        controls);
    };
    const kindGroup = group("dl-kind-KT", t("delegationKind"), null,
      h("div", { class: "dkind-choices" }, KINDS.map((kind) => h("label", { class: "radio dkind-choice" },
        h("input", { type: "radio", name: "kind", value: kind, id: `dl-kind-${kind}`, checked: kind === "KT" }),
        h("span", {}, h("strong", {}, `${kind} · ${t(`dkind_${kind}`)}`),
          h("span", { class: "dkind-hint" }, t(`dkindHint_${kind}`)))))));
    const actionGroup = group("dl-action-sign", t("delegationActions"), t("delegationActionsHint"),
      h("div", { class: "radio-row" }, ACTIONS.map((action) => h("label", { class: "checkbox" },
        h("input", { type: "checkbox", name: "actions", value: action, id: `dl-action-${action}`, checked: action === "sign" }),
        h("span", {}, t(`daction_${action}`))))));
    const typeGroup = group(FIELD_IDS.document_types, t("delegationTypes"), t("delegationTypesHint"),
      h("div", { class: "checkbox-grid dl-types" }, DOCUMENT_TYPES.map(([key]) => h("label", { class: "checkbox" },
        h("input", { type: "checkbox", name: "document_types", value: key, id: `dl-type-${key}` }),
        h("span", {}, `${documentTypeLabel(key)} (${key})`)))));

    const summary = h("div", { class: "error-summary", tabindex: "-1", hidden: true, role: "alert" });
    const save = h("button", { type: "submit", class: "btn btn-primary", id: "delegation-save" }, t("saveDelegation"));
    const form = h("form", { class: "delegation-form", id: "delegation-form", novalidate: true, "aria-labelledby": "delegation-new-title" },
      h("p", { class: "muted" }, t("newDelegationIntro")),
      summary,
      h("div", { class: "form-grid" },
        units.length > 1 ? field("dl-unit", t("delegationUnit"), unitSelect, { required: true, wide: true }) : null,
        field("dl-via", t("delegationVia"), viaSelect, { hint: t("delegationViaHint"), wide: true }),
        kindGroup,
        field("dl-to", t("delegationTo"), toSelect, { required: true, wide: true }),
        actionGroup,
        typeGroup,
        field("dl-from", t("validFrom"), validFrom, { hint: t("validFromHint") }),
        field("dl-to-date", t("validTo"), validTo, { required: true, hint: t("validToHint") }),
        field("dl-note", t("delegationNote"), note, { wide: true })),
      h("div", { class: "form-actions" }, save));
    const errors = formErrors(form, summary, {
      labels, heading: t("delegationErrorSummary"), controlFor: (key) => FIELD_IDS[key] || null,
    });
    const viaField = viaSelect.closest(".field");

    /** The via choices and the people of the chosen unit. */
    async function fillUnit(unitId, chosenVia) {
      const isHead = hasRole("head", unitId);
      const held = items.filter((d) => d.to_user_id === me?.id && d.unit_id === unitId && passable(d));
      fill(viaSelect,
        isHead ? h("option", { value: "" }, t("delegationViaNone")) : null,
        held.map((d) => h("option", { value: d.id, selected: d.id === chosenVia?.id },
          `${d.kind} · ${d.from_name || ""} · ${t("windowText", formatDate(d.valid_from), formatDate(d.valid_to))}`)));
      viaField.hidden = !held.length;
      applyVia(held.find((d) => d.id === viaSelect.value) || null);
      toSelect.replaceChildren(h("option", { value: "" }, t("loading")));
      // The head may delegate to someone of a unit below (a chief of office, a deputy);
      // someone passing a delegation on chooses among the unit's own people.
      const listed = isHead ? await peopleBelow(unitId) : await unitMembers(unitId);
      const people = listed.filter((p) => p.id !== me?.id
        && (p.memberships || []).some((m) => m.role !== "admin"));
      if (unitSelect.value !== unitId && units.length > 1) return;   // changed meanwhile
      fill(toSelect,
        h("option", { value: "" }, people.length ? t("chooseDelegateOption") : t("noPeople")),
        people.map((p) => h("option", { value: p.id, dataset: { name: p.full_name } },
          [p.full_name, p.position].filter(Boolean).join(" — "))));
    }
    /** Passing a delegation on: start from its limits (steps, types, end date). */
    function applyVia(held) {
      validTo.max = held ? held.valid_to : "";
      if (!held) return;
      for (const box of form.querySelectorAll("input[name=actions]")) box.checked = held.actions.includes(box.value);
      for (const box of form.querySelectorAll("input[name=document_types]")) box.checked = held.document_types.includes(box.value);
      validTo.value = held.valid_to;
      form.querySelector(`#dl-kind-${held.kind}`).checked = true;
    }
    unitSelect.addEventListener("change", () => { errors.clear(); fillUnit(unitSelect.value, null); });
    viaSelect.addEventListener("change", () => applyVia(items.find((d) => d.id === viaSelect.value) || null));
    fillUnit(startUnit, via);

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errors.clear();
      const actions = [...form.querySelectorAll("input[name=actions]:checked")].map((box) => box.value);
      if (!actions.length) {
        errors.show(null, { actions: t("chooseAction") });
        return;
      }
      const body = {
        unit_id: units.length > 1 ? unitSelect.value : units[0].id,
        to_user_id: toSelect.value,
        kind: form.querySelector("input[name=kind]:checked")?.value,
        actions,
        document_types: [...form.querySelectorAll("input[name=document_types]:checked")].map((box) => box.value),
        valid_from: validFrom.value || undefined,
        valid_to: validTo.value,
      };
      if (viaSelect.value) body.via_id = viaSelect.value;
      if (note.value.trim()) body.note = note.value.trim();
      save.disabled = true;
      try {
        const made = await api.createDelegation(body);
        await load();
        say("success", "delegation-saved", t("delegationSaved", t(`dkind_${made.kind}`), made.to_name || ""));
      } catch (error) {
        save.disabled = false;
        errors.show(error.message, error.details);
      }
    });

    formPanel.replaceChildren(heading, form);
    if (via) {
      formPanel.scrollIntoView({ block: "start" });
      heading.focus();
    }
  }

  load();
  return { title: t("delegationsTitle") };
}
