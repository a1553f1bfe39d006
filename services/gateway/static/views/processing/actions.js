// @ts-check
// The steps the caller may take on a document's processing, as the API says
// (allowed_actions): on the processing, submit it to a leader and assign it; on each
// part, pass it on, record progress, complete it (or mark it read) and return it. Under
// a delegation the buttons say whom the caller acts for.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { kindLabel } from "../../labels.js";
import { leadsUnit } from "../../state.js";
import { openAssign } from "./assign-form.js";
import { actingFor, delegationFor, heldDelegations } from "./delegations.js";
import { openForward, openSubmit } from "./handover-forms.js";
import { HANDLING, deadlineText, holderName, holdsItem } from "./parts.js";
import { openComplete, openProgress, openReturn } from "./work-forms.js";

/** @typedef {import("./parts.js").Item} Item */
/** @typedef {import("./panel.js").ProcessingContext} ProcessingContext */
/** @typedef {import("./delegations.js").Delegation} Delegation */

// A part's steps, in the order of their buttons: id, label, class, the form it opens.
const WORK_STEPS = [
  { action: "forward", id: "work-forward", label: "actionForward", kind: "btn-primary", open: openForward },
  { action: "progress", id: "work-progress", label: "actionProgress", kind: "btn-secondary", open: openProgress },
  { action: "complete", id: "work-complete", label: "actionComplete", kind: "btn-primary", open: openComplete },
  { action: "return", id: "work-return", label: "actionReturnPart", kind: "btn-warning", open: openReturn },
];

/** What the caller may do: the API's allowed_actions. @param {{allowed_actions?: string[]}} object */
function allowed(object) {
  return object.allowed_actions || [];
}

/**
 * The delegation under which the caller passes a unit's part on or assigns the
 * document for a leader of `unitId`, for saying so; null when they act for themselves.
 * @param {Delegation[]} held @param {string} unitId @param {string} documentType @param {string[]} [fromUserIds]
 */
function delegationUsed(held, unitId, documentType, fromUserIds = []) {
  if (!unitId || leadsUnit(unitId)) return null;
  return fromUserIds.map((id) => delegationFor(held, { action: "assign", unitId, fromUserId: id, documentType }))
    .find(Boolean) || delegationFor(held, { action: "assign", unitId, documentType });
}

/** @param {string} id @param {string} label @param {string} kind @param {(button: HTMLButtonElement) => void} open */
function actionButton(id, label, kind, open) {
  const button = h("button", {
    type: "button", id, class: ["btn", kind], "aria-expanded": "false", "aria-controls": "processing-form",
    onclick: () => open(button),
  }, label);
  return button;
}

/** "Đánh dấu đã đọc": a part for information is done once read. @param {ProcessingContext} ctx @param {Item} item @param {string} suffix */
function readButton(ctx, item, suffix) {
  const button = h("button", {
    type: "button", class: "btn btn-primary", id: `work-read${suffix}`, dataset: { action: "read", item: item.id },
    onclick: async () => {
      button.disabled = true;
      try {
        ctx.apply(await api.actOnAssignment(item.id, "complete", {}), t("doneRead"));
      } catch (error) {
        button.disabled = false;
        if (!ctx.moved(error)) ctx.say("error", h("p", {}, error.message));
      }
    },
  }, t("actionMarkRead"));
  return button;
}

/** One part the caller may act on, with its buttons. @param {ProcessingContext} ctx @param {Item} item @param {number} index @param {Delegation | null} delegated */
function workCard(ctx, item, index, delegated) {
  const suffix = index ? `-${index + 1}` : "";
  const buttons = item.kind === "for_info"
    ? [readButton(ctx, item, suffix)]
    : WORK_STEPS.filter((step) => allowed(item).includes(step.action)).map((step) => actionButton(
      `${step.id}${suffix}`, t(step.label), step.kind, (b) => step.open(ctx, item, b)));
  for (const b of buttons) b.dataset.item = item.id;
  return h("div", { class: "work-card", dataset: { itemId: item.id, kind: item.kind } },
    h("p", { class: "work-title" },
      h("strong", {}, kindLabel(item.kind)), " · ", holderName(item),
      item.due_date || item.due_at ? [" · ", t("dueShort"), " ", deadlineText(item)] : null),
    delegated ? h("p", { class: "acting-for" }, actingFor(delegated)) : null,
    item.instruction ? h("p", { class: "work-instruction" }, h("span", { class: "muted" }, `${t("instruction")}: `), item.instruction) : null,
    h("div", { class: "step-actions" }, buttons));
}

/**
 * The buttons of the processing's steps and the cards of the parts the caller may act
 * on; null when there is nothing for them to do.
 * @param {ProcessingContext} ctx @param {Item[]} items
 */
export async function actionsArea(ctx, items) {
  const result = ctx.processing;
  const may = allowed(result);
  const work = items.filter((i) => [...HANDLING, "for_info"].includes(i.kind) && allowed(i).length);
  if (!may.includes("submit") && !may.includes("assign") && !work.length) return null;
  const documentType = result.document_type || "";
  const needsNames = (may.includes("assign") && !leadsUnit(ctx.unitId))
    || work.some((i) => !holdsItem(i) && !leadsUnit(i.unit_id));
  const held = needsNames ? await heldDelegations() : [];
  const holders = items.filter((i) => i.kind === "to_assign" && i.state === "open").map((i) => i.user_id);
  const forLeader = may.includes("assign") && !items.some((i) => i.kind === "to_assign" && i.state === "open" && holdsItem(i))
    ? delegationUsed(held, ctx.unitId, documentType, holders) : null;
  const buttons = [
    may.includes("submit")
      ? actionButton("proc-submit", t("actionSubmitToLeader"), "btn-primary", (b) => openSubmit(ctx, b)) : null,
    may.includes("assign")
      ? actionButton("proc-assign", forLeader ? t("actionAssignFor", forLeader.from_name || "") : t("actionAssign"),
        "btn-primary", (b) => openAssign(ctx, b, forLeader)) : null,
  ].filter(Boolean);
  const cards = work.map((item, index) => workCard(ctx, item, index,
    holdsItem(item) || item.user_id ? null : delegationUsed(held, item.unit_id, documentType)));
  return h("div", { class: "processing-actions", id: "processing-actions" },
    forLeader ? h("p", { class: "acting-for", id: "processing-acting-for" }, actingFor(forLeader)) : null,
    buttons.length ? h("div", { class: "step-actions" }, buttons) : null,
    cards.length ? h("div", { class: "my-work" }, h("h3", { class: "subhead" }, t("yourWork")), cards) : null);
}
