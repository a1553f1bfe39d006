// @ts-check
// An outgoing draft's approval chain (workflow), on the outgoing document's screen:
// every step of the chain as it was when the draft was submitted (its approvers, and
// whether all of them or any one must approve), which step the draft is at, each
// approver's answer in this round, and — for the approver whose turn it is, or someone
// deciding for them under a delegation, as the API's allowed_actions say — "Duyệt" (with
// an optional comment) and "Trả lại" (with a reason).

import { api } from "../../api.js";
import { formatDateTime } from "../../dates.js";
import { personName, resolveNames } from "../../directory.js";
import { fill, h, loadingBox } from "../../dom.js";
import { t } from "../../i18n.js";
import { itemStateLabel, processingStateLabel } from "../../labels.js";
import { stepForm } from "../../widgets.js";
import { actingFor, delegationFor, heldDelegations } from "../processing/delegations.js";
import { holdsItem } from "../processing/parts.js";
import { latestRound, stepState } from "./rounds.js";

/** @typedef {import("./rounds.js").Item} Item */
/** @typedef {import("./rounds.js").ChainStep} ChainStep */
/** @typedef {(result: any, text: string) => Promise<void>} OnDone */

/** @param {string} userId @param {Item | undefined} item */
function approverRow(userId, item) {
  return h("li", { class: `approver approver-${item ? item.state : "waiting"}` },
    h("span", { class: "approver-name" }, personName(userId)), " — ",
    h("span", { class: "approver-state" }, item ? itemStateLabel("approve", item.state) : t("approverWaiting")),
    item?.done_at && ["done", "returned"].includes(item.state) ? h("span", { class: "muted" }, ` · ${formatDateTime(item.done_at)}`) : null,
    item?.result_note ? h("span", { class: "approver-note" }, ` · ${t("histComment")}: ${item.result_note}`) : null,
    item?.return_reason ? h("span", { class: "approver-note" }, ` · ${t("reason")}: ${item.return_reason}`) : null);
}

/** @param {ChainStep} step @param {number} total */
function stepItem(step, total) {
  const state = step.items.length ? stepState(step.items) : "waiting";
  const extra = step.items.filter((i) => !step.approvers.includes(i.user_id));
  return h("li", { class: `chain-step step-${state}`, dataset: { step: String(step.step) } },
    h("p", { class: "chain-step-head" },
      h("strong", {}, total > 1 ? t("chainStepOf", step.step, total) : t("chainStep", step.step)),
      step.mode ? [" · ", h("span", { class: "chain-step-mode" }, t(`stepMode_${step.mode}`))] : null, " · ",
      h("span", { class: `step-state step-state-${state}` }, t(`chainStep_${state}`))),
    h("ul", { class: "chain-approvers" },
      step.approvers.map((userId) => approverRow(userId, step.items.find((i) => i.user_id === userId))),
      extra.map((item) => approverRow(item.user_id, item))));
}

/** Where the draft is in the chain, in words. @param {ChainStep[]} chain @param {string} state */
function position(chain, state) {
  const total = chain.length;
  const at = chain.find((s) => s.items.some((i) => i.state === "open"));
  const returned = chain.find((s) => s.items.some((i) => i.state === "returned"));
  if (at) return t("chainAt", at.step, total);
  if (returned) return t("chainReturnedAt", returned.step, total);
  return state === "approved" && total ? t("chainAllDone", total) : null;
}

/**
 * The step's form (approve with a comment, or return with a reason) under its buttons.
 * @param {{item: Item, onDone: OnDone, slot: HTMLElement, buttons: HTMLButtonElement[]}} turn
 * @param {HTMLButtonElement} trigger
 * @param {"approve" | "return"} action
 */
function openStep({ item, onDone, slot, buttons }, trigger, action) {
  const approving = action === "approve";
  const text = h("textarea", { name: approving ? "comment" : "reason", rows: approving ? "2" : "3", maxlength: "2000" });
  const close = () => {
    slot.replaceChildren();
    trigger.setAttribute("aria-expanded", "false");
    trigger.focus();
  };
  const title = approving ? t("chainApprove") : t("chainReturn");
  const { form } = stepForm({
    id: approving ? "chain-approve" : "chain-return", title,
    fields: [approving
      ? { id: "chain-comment", label: t("stepComment"), control: text, wide: true }
      : { id: "chain-reason", label: t("reason"), control: text, required: true, wide: true }],
    confirmLabel: t("confirmAction", title), confirmClass: approving ? "btn-primary" : "btn-warning",
    controlFor: approving ? { comment: "chain-comment" } : { reason: "chain-reason" },
    cancel: close,
    submit: async (errors) => {
      const value = text.value.trim();
      if (!approving && !value) {
        errors.show(null, { reason: t("reasonRequired") });
        return;
      }
      const result = await api.actOnAssignment(item.id, action, value ? { [approving ? "comment" : "reason"]: value } : {});
      const done = approving ? (result.state === "approved" ? t("chainDoneApproved") : t("chainDoneStep")) : t("done_return");
      await onDone(result, done);
    },
  });
  for (const b of buttons) b.setAttribute("aria-expanded", String(b === trigger));
  slot.replaceChildren(form);
  text.focus();
}

/**
 * "Duyệt" and "Trả lại" for the item the caller may decide, saying whose turn it is.
 * @param {{doc: Record<string, any>, processing: Record<string, any>, onDone: OnDone}} options
 * @param {Item} item @param {number} turn
 */
async function turnArea({ doc, processing, onDone }, item, turn) {
  const delegation = holdsItem(item) ? null : delegationFor(await heldDelegations(), {
    action: "approve", unitId: doc.unit_id, fromUserId: item.user_id,
    documentType: processing.document_type || doc.document_type || "",
  });
  const slot = h("div", { id: "chain-form", class: "chain-form" });
  /** @type {HTMLButtonElement[]} */
  const buttons = [];
  const opening = { item, onDone, slot, buttons };
  for (const [action, kind, label] of /** @type {const} */ ([["approve", "btn-primary", "chainApprove"], ["return", "btn-warning", "chainReturn"]])) {
    if (!(item.allowed_actions || []).includes(action)) continue;
    const button = h("button", {
      type: "button", class: ["btn", kind], id: `chain-${action}`, "aria-expanded": "false", "aria-controls": "chain-form",
      onclick: () => openStep(opening, button, action),
    }, t(label));
    buttons.push(button);
  }
  return h("div", { class: "chain-actions" },
    h("p", { class: "chain-turn", id: "chain-turn" }, delegation
      ? t("chainTurnFor", turn, personName(item.user_id), delegation.kind)
      : t("chainYourTurn", turn)),
    delegation ? h("p", { class: "acting-for", id: "chain-acting-for" }, actingFor(delegation)) : null,
    h("div", { class: "step-actions" }, buttons), slot);
}

/** @param {{doc: Record<string, any>, processing: Record<string, any>, onDone: OnDone}} options */
export function approvalPanel(options) {
  const { doc, processing } = options;
  const content = h("div", {}, loadingBox());
  const panel = h("section", { class: "panel approval-panel", id: "approval-chain", "aria-labelledby": "approval-chain-title" },
    h("div", { class: "panel-head" }, h("h2", { id: "approval-chain-title" }, t("chainTitle")),
      h("span", { class: `badge proc-state proc-${processing.state}`, id: "chain-state" }, processingStateLabel(processing.state))),
    content);
  const { round, chain } = latestRound(processing);
  // the open item the caller may decide: theirs, or an approver's under a delegation
  const mine = round.flat().find((i) => i.state === "open" && (i.allowed_actions || []).length) || null;

  async function draw() {
    await resolveNames({ userIds: [...round.flat().map((i) => i.user_id), ...chain.flatMap((s) => s.approvers)], documentId: doc.id });
    const turn = mine ? (mine.step || round.findIndex((s) => s.includes(mine)) + 1) : 0;
    const where = position(chain, processing.state);
    fill(content,
      where ? h("p", { class: "chain-position", id: "chain-position" }, where) : null,
      chain.length ? h("ol", { class: "chain-steps", id: "chain-steps" }, chain.map((s) => stepItem(s, chain.length)))
        : h("p", { class: "muted" }, t("chainEmpty")),
      processing.state === "in_approval" && !(processing.approval_steps || []).length ? h("p", { class: "hint" }, t("chainLaterSteps")) : null,
      mine ? await turnArea(options, mine, turn) : null);
  }
  draw();
  return panel;
}
