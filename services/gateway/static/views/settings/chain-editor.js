// @ts-check
// The editor of one approval chain: its document type (or any type), then its steps in
// order, each with its approvers (all or any of them must approve); steps move up and
// down, are added (up to MAX_STEPS) and removed.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { codes, documentTypeLabel, roleLabel } from "../../labels.js";
import { errorSummary, formErrors, formField } from "../../widgets.js";

/** @typedef {import("./chains.js").ChainsPanel} ChainsPanel */
/** @typedef {{approvers: Set<string>, mode: string}} Step */

const MAX_STEPS = 10;

/** A chain's type as named in the list ("Báo cáo (BC)", or any type). @param {string | null | undefined} key */
export const typeName = (key) => (key ? `${documentTypeLabel(key)} (${key})` : t("anyType"));

/** A step's approvers: the unit's people as checkboxes. @param {ChainsPanel} state @param {Step} step @param {string} id */
function approverChoices(state, step, id) {
  if (!state.people.length) return h("p", { class: "muted" }, t("noPeople"));
  return h("div", { class: "checkbox-list" }, state.people.map((p) => {
    const role = (p.memberships || []).find((m) => m.unit_id === state.unitId);
    return h("label", { class: "checkbox" },
      h("input", {
        type: "checkbox", id: `${id}-approver-${p.id}`, value: p.id, checked: step.approvers.has(p.id),
        onchange: (/** @type {Event} */ event) => {
          if (/** @type {HTMLInputElement} */ (event.target).checked) step.approvers.add(p.id);
          else step.approvers.delete(p.id);
        },
      }),
      h("span", {}, p.full_name,
        h("span", { class: "muted" }, ` (${[...new Set([p.position, role ? roleLabel(role.role) : null])]
          .filter(Boolean).join(", ")})`)));
  }));
}

/**
 * One step's fieldset: approvers, mode, and moving or removing it.
 * @param {ChainsPanel} state @param {Step[]} steps @param {number} index
 * @param {{move: (index: number, delta: number) => void, remove: (index: number) => void}} tools
 */
function stepFieldset(state, steps, index, tools) {
  const step = steps[index];
  const id = `chain-step-${index}`;
  /** @param {string} label @param {string} text @param {() => void} onclick @param {string} mark */
  const tool = (label, text, onclick, mark) => h("button", { type: "button", class: "btn btn-link btn-small", onclick, "aria-label": label }, mark, text);
  return h("fieldset", { class: "section chain-step-editor", id, tabindex: "-1" },
    h("legend", {}, t("chainStep", index + 1)),
    h("p", { class: "field-error", id: `${id}-error`, hidden: true }),
    h("fieldset", { class: "radio-group approver-group" }, h("legend", {}, t("approvers")), approverChoices(state, step, id)),
    h("fieldset", { class: "radio-group" },
      h("legend", {}, t("chainMode")),
      h("div", { class: "radio-row" }, ["all", "any"].map((mode) => h("label", { class: "radio" },
        h("input", {
          type: "radio", name: `${id}-mode`, id: `${id}-mode-${mode}`, value: mode, checked: step.mode === mode,
          onchange: () => { step.mode = mode; },
        }), " ", t(`mode_${mode}`))))),
    h("div", { class: "step-tools" },
      index > 0 ? tool(t("moveStepUp", index + 1), t("moveUp"), () => tools.move(index, -1), "↑ ") : null,
      index < steps.length - 1 ? tool(t("moveStepDown", index + 1), t("moveDown"), () => tools.move(index, 1), "↓ ") : null,
      steps.length > 1 ? h("button", {
        type: "button", class: "btn btn-link btn-small", "aria-label": t("removeStepLabel", index + 1),
        onclick: () => tools.remove(index),
      }, t("removeStep")) : null));
}

/** The steps, redrawn as they change; `labels` gets each step's name. @param {ChainsPanel} state @param {Record<string, string>} labels */
function stepsEditor(state, labels) {
  /** @type {Step[]} */
  let steps = [];
  const box = h("div", { class: "chain-steps-editor", id: "chain-steps-editor" });
  /** @param {number} index */
  const focusStep = (index) => /** @type {HTMLElement | null} */ (box.querySelector(`#chain-step-${index}`))?.focus();
  const addStep = h("button", {
    type: "button", class: "btn btn-secondary", id: "chain-add-step",
    onclick: () => { steps.push({ approvers: new Set(), mode: "all" }); draw(); focusStep(steps.length - 1); },
  }, "+ ", t("addStep"));
  const tools = {
    move(/** @type {number} */ index, /** @type {number} */ delta) {
      const [moved] = steps.splice(index, 1);
      steps.splice(index + delta, 0, moved);
      draw();
      focusStep(index + delta);
    },
    remove(/** @type {number} */ index) { steps.splice(index, 1); draw(); addStep.focus(); },
  };
  function draw() {
    steps.forEach((_, index) => { labels[`chain-step-${index}`] = t("chainStep", index + 1); });
    box.replaceChildren(...steps.map((_, index) => stepFieldset(state, steps, index, tools)));
    addStep.disabled = steps.length >= MAX_STEPS;
  }
  /** @param {Step[]} fresh */
  const set = (fresh) => { steps = fresh; draw(); };
  return { box, addStep, set, steps: () => steps };
}

/** @param {ChainsPanel} state @param {string | null} editing the type whose chain is edited */
export function chainEditor(state, editing) {
  /** @type {Record<string, string>} */
  const labels = {};
  const summary = errorSummary();
  const type = h("select", { name: "document_type" },
    h("option", { value: "" }, t("anyType")),
    codes("document_types").map((key) => h("option", { value: key }, typeName(key))));
  const existingNote = h("p", { class: "hint", id: "chain-type-note", "aria-live": "polite" });
  const editor = stepsEditor(state, labels);
  const save = h("button", { type: "submit", class: "btn btn-primary", id: "chain-save" }, t("saveChain"));
  const form = h("form", { class: "chain-editor", id: "chain-form", novalidate: true, "aria-labelledby": "chain-editor-title" },
    h("h3", { id: "chain-editor-title" }, t("chainEditorTitle")),
    summary,
    h("div", { class: "form-grid" }, formField(labels, "chain-type", t("documentType"), type, { hint: t("chainTypeHint") })),
    existingNote, editor.box,
    h("div", { class: "form-actions" }, editor.addStep, save));
  const errors = formErrors(form, summary, {
    labels, heading: t("chainErrorSummary"),
    controlFor: (key) => {
      const found = /^steps\[(\d+)\]/.exec(key);
      if (found) return `chain-step-${found[1]}`;
      if (key === "steps") return "chain-step-0";
      return { document_type: "chain-type" }[key] || null;
    },
  });
  /** The chain of a type, or a first empty step. @param {string} key */
  const load = (key) => {
    const existing = state.chains.find((c) => (c.document_type || "") === key);
    editor.set(existing ? existing.steps.map((s) => ({ approvers: new Set(s.approvers), mode: s.mode || "all" }))
      : [{ approvers: new Set(), mode: "all" }]);
    existingNote.textContent = existing ? t("chainExists") : t("chainNew");
  };
  type.addEventListener("change", () => { errors.clear(); load(type.value); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const steps = editor.steps();
    const problems = Object.fromEntries(steps.map((step, index) => [`steps[${index}].approvers`, step.approvers.size ? null : t("chooseApprover")])
      .filter(([, problem]) => problem));
    if (Object.keys(problems).length) {
      errors.show(null, problems);
      return;
    }
    save.disabled = true;
    try {
      const saved = await api.setApprovalChain({
        unit_id: state.unitId, document_type: type.value,
        steps: steps.map((s) => ({ approvers: [...s.approvers], mode: s.mode })),
      });
      state.chains = [...state.chains.filter((c) => (c.document_type || "") !== (saved.document_type || "")), saved]
        .sort((a, b) => (a.document_type || "").localeCompare(b.document_type || ""));
      state.draw();
      state.say("success", h("p", { id: "chain-saved" }, t("chainSaved", typeName(saved.document_type))));
    } catch (error) {
      save.disabled = false;
      errors.show(error.message, error.details);
    }
  });
  type.value = editing ?? "";
  load(type.value);
  return form;
}
