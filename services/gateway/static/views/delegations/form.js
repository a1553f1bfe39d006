// @ts-check
// The form giving a delegation (ủy quyền): a unit's head delegates to someone of the unit
// or of a unit below it; whoever holds a KT or TL may pass it on within its limits (its
// steps, document types and end date). Kind, delegate, steps, document types, window,
// note.

import { api } from "../../api.js";
import { formatDate, todayIso } from "../../dates.js";
import { peopleBelow, unitMembers, unitName } from "../../directory.js";
import { fill, h } from "../../dom.js";
import { t } from "../../i18n.js";
import { codes, documentTypeLabel } from "../../labels.js";
import { hasRole } from "../../state.js";
import { dateField, dateProblems, errorSlotId, errorSummary, formErrors, formField } from "../../widgets.js";
import { passable } from "./common.js";

/** @typedef {import("./common.js").Delegation} Delegation */
/** @typedef {ReturnType<typeof controlsOf>} Controls */
/**
 * @typedef {object} FormContext
 * @property {Delegation[]} items the delegations listed (those held may be passed on)
 * @property {any} me the signed-in user
 * @property {{id: string, name: string}[]} units where the user may delegate
 * @property {Delegation | null} via the delegation passed on, if any
 * @property {(made: Delegation) => Promise<void>} onSaved
 */

/** API field (as named in a 400's `details`) → the id of its control. @param {string} key */
function controlFor(key) {
  return {
    unit_id: "dl-unit", via_id: "dl-via", kind: "dl-kind-KT", to_user_id: "dl-to",
    actions: "dl-action-sign", document_types: `dl-type-${codes("document_types")[0]}`,
    valid_from: "dl-from", valid_to: "dl-to-date", note: "dl-note",
  }[key] || null;
}

/** Units where the user may delegate: where they are the head, or hold a delegation to pass on. @param {Delegation[]} items @param {any} me */
export function formUnits(items, me) {
  const units = new Map();
  for (const m of me?.memberships || []) {
    if (m.role === "head" && !units.has(m.unit_id)) units.set(m.unit_id, m.unit_name);
  }
  for (const d of items) {
    if (d.to_user_id === me?.id && passable(d) && !units.has(d.unit_id)) units.set(d.unit_id, unitName(d.unit_id));
  }
  return [...units.entries()].map(([id, name]) => ({ id, name }));
}

/** A group of choices with its legend, hint and error slot. @param {Record<string, string>} labels @param {string} id @param {string} legend @param {string | null} hint @param {HTMLElement} choices */
function group(labels, id, legend, hint, choices) {
  labels[id] = legend;
  return h("fieldset", { class: "radio-group field field-wide", "aria-describedby": hint ? `${id}-hint` : null },
    h("legend", {}, legend),
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("p", { class: "field-error", id: errorSlotId(id), hidden: true }),
    choices);
}

/** The choices: kind (KT, TL, TUQ), steps, document types. @param {Record<string, string>} labels */
function choiceGroups(labels) {
  return [
    group(labels, "dl-kind-KT", t("delegationKind"), null,
      h("div", { class: "dkind-choices" }, codes("delegation_kinds").map((kind) => h("label", { class: "radio dkind-choice" },
        h("input", { type: "radio", name: "kind", value: kind, id: `dl-kind-${kind}`, checked: kind === "KT" }),
        h("span", {}, h("strong", {}, `${kind} · ${t(`dkind_${kind}`)}`), h("span", { class: "dkind-hint" }, t(`dkindHint_${kind}`))))))),
    group(labels, "dl-action-sign", t("delegationActions"), t("delegationActionsHint"),
      h("div", { class: "radio-row" }, codes("delegation_actions").map((action) => h("label", { class: "checkbox" },
        h("input", { type: "checkbox", name: "actions", value: action, id: `dl-action-${action}`, checked: action === "sign" }),
        h("span", {}, t(`daction_${action}`)))))),
    group(labels, controlFor("document_types"), t("delegationTypes"), t("delegationTypesHint"),
      h("div", { class: "checkbox-grid dl-types" }, codes("document_types").map((key) => h("label", { class: "checkbox" },
        h("input", { type: "checkbox", name: "document_types", value: key, id: `dl-type-${key}` }),
        h("span", {}, `${documentTypeLabel(key)} (${key})`))))),
  ];
}

/** @param {{id: string, name: string}[]} units @param {string} startUnit */
function controlsOf(units, startUnit) {
  return {
    unitSelect: h("select", { name: "unit_id" }, units.map((u) => h("option", { value: u.id, selected: u.id === startUnit }, u.name))),
    viaSelect: h("select", { name: "via_id" }),
    toSelect: h("select", { name: "to_user_id" }, h("option", { value: "" }, t("loading"))),
    validFrom: dateField({ name: "valid_from", value: todayIso(), min: todayIso(), label: t("validFrom") }),
    validTo: dateField({ name: "valid_to", min: todayIso(), label: t("validTo") }),
    note: h("textarea", { name: "note", rows: "2", maxlength: "500" }),
  };
}

/** Passing a delegation on: start from its limits (steps, types, end date, kind). @param {HTMLFormElement} form @param {Controls} c @param {Delegation | null} held */
function applyVia(form, c, held) {
  c.validTo.picker.max = held ? held.valid_to : "";
  if (!held) return;
  for (const box of form.querySelectorAll("input[name=actions]")) {
    const input = /** @type {HTMLInputElement} */ (box);
    input.checked = held.actions.includes(input.value);
  }
  for (const box of form.querySelectorAll("input[name=document_types]")) {
    const input = /** @type {HTMLInputElement} */ (box);
    input.checked = held.document_types.includes(input.value);
  }
  c.validTo.set(held.valid_to);
  /** @type {HTMLInputElement} */ (form.querySelector(`#dl-kind-${held.kind}`)).checked = true;
}

/**
 * The via choices and the people of the chosen unit: the head may delegate to someone of
 * a unit below (a chief of office, a deputy); someone passing a delegation on chooses
 * among the unit's own people.
 * @param {FormContext} ctx @param {HTMLFormElement} form @param {Controls} c @param {string} unitId @param {Delegation | null} chosenVia
 */
async function fillUnit(ctx, form, c, unitId, chosenVia) {
  const isHead = hasRole("head", unitId);
  const held = ctx.items.filter((d) => d.to_user_id === ctx.me?.id && d.unit_id === unitId && passable(d));
  fill(c.viaSelect,
    isHead ? h("option", { value: "" }, t("delegationViaNone")) : null,
    held.map((d) => h("option", { value: d.id, selected: d.id === chosenVia?.id },
      `${d.kind} · ${d.from_name || ""} · ${t("windowText", formatDate(d.valid_from), formatDate(d.valid_to))}`)));
  /** @type {HTMLElement} */ (c.viaSelect.closest(".field")).hidden = !held.length;
  applyVia(form, c, held.find((d) => d.id === c.viaSelect.value) || null);
  c.toSelect.replaceChildren(h("option", { value: "" }, t("loading")));
  const listed = isHead ? await peopleBelow(unitId) : await unitMembers(unitId);
  const people = listed.filter((p) => p.id !== ctx.me?.id && (p.memberships || []).some((m) => m.role !== "admin"));
  if (c.unitSelect.value !== unitId && ctx.units.length > 1) return;   // changed meanwhile
  fill(c.toSelect,
    h("option", { value: "" }, people.length ? t("chooseDelegateOption") : t("noPeople")),
    people.map((p) => h("option", { value: p.id, dataset: { name: p.full_name } },
      [p.full_name, p.position].filter(Boolean).join(" — "))));
}

/** The delegation as the API takes it. @param {HTMLFormElement} form @param {Controls} c @param {FormContext} ctx @param {string[]} actions */
function bodyOf(form, c, ctx, actions) {
  /** @type {Record<string, any>} */
  const body = {
    unit_id: ctx.units.length > 1 ? c.unitSelect.value : ctx.units[0].id,
    to_user_id: c.toSelect.value,
    kind: /** @type {HTMLInputElement | null} */ (form.querySelector("input[name=kind]:checked"))?.value,
    actions,
    document_types: [...form.querySelectorAll("input[name=document_types]:checked")].map((box) => /** @type {HTMLInputElement} */ (box).value),
    valid_from: c.validFrom.value() || undefined,
    valid_to: c.validTo.value(),
  };
  if (c.viaSelect.value) body.via_id = c.viaSelect.value;
  if (c.note.value.trim()) body.note = c.note.value.trim();
  return body;
}

/** @param {FormContext} ctx @param {string} currentUnitId the unit the user works in */
export function delegationForm(ctx, currentUnitId) {
  const { units, via } = ctx;
  /** @type {Record<string, string>} */
  const labels = {};
  /** @param {string} id @param {string} label @param {import("../../components/forms.js").Control} control @param {object} options */
  const field = (id, label, control, options) => formField(labels, id, label, control, options);
  const c = controlsOf(units, via?.unit_id || units.find((u) => u.id === currentUnitId)?.id || units[0].id);
  const [kindGroup, actionGroup, typeGroup] = choiceGroups(labels);
  const summary = errorSummary();
  const save = h("button", { type: "submit", class: "btn btn-primary", id: "delegation-save" }, t("saveDelegation"));
  const form = h("form", { class: "delegation-form", id: "delegation-form", novalidate: true, "aria-labelledby": "delegation-new-title" },
    h("p", { class: "muted" }, t("newDelegationIntro")),
    summary,
    h("div", { class: "form-grid" },
      units.length > 1 ? field("dl-unit", t("delegationUnit"), c.unitSelect, { required: true, wide: true }) : null,
      field("dl-via", t("delegationVia"), c.viaSelect, { hint: t("delegationViaHint"), wide: true }),
      kindGroup,
      field("dl-to", t("delegationTo"), c.toSelect, { required: true, wide: true }),
      actionGroup, typeGroup,
      field("dl-from", t("validFrom"), c.validFrom, { hint: t("validFromHint") }),
      field("dl-to-date", t("validTo"), c.validTo, { required: true, hint: t("validToHint") }),
      field("dl-note", t("delegationNote"), c.note, { wide: true })),
    h("div", { class: "form-actions" }, save));
  const errors = formErrors(form, summary, { labels, heading: t("delegationErrorSummary"), controlFor });
  c.unitSelect.addEventListener("change", () => { errors.clear(); fillUnit(ctx, form, c, c.unitSelect.value, null); });
  c.viaSelect.addEventListener("change", () => applyVia(form, c, ctx.items.find((d) => d.id === c.viaSelect.value) || null));
  fillUnit(ctx, form, c, c.unitSelect.value, via);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const actions = [...form.querySelectorAll("input[name=actions]:checked")].map((box) => /** @type {HTMLInputElement} */ (box).value);
    const problems = dateProblems({ valid_from: c.validFrom, valid_to: c.validTo });
    if (!actions.length) problems.actions = t("chooseAction");
    if (Object.keys(problems).length) {
      errors.show(null, problems);
      return;
    }
    save.disabled = true;
    try {
      await ctx.onSaved(await api.createDelegation(bodyOf(form, c, ctx, actions)));
    } catch (error) {
      save.disabled = false;
      errors.show(error.message, error.details);
    }
  });
  return form;
}
