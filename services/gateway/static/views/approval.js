// An outgoing draft's approval chain (workflow), on the outgoing document's screen:
// every step of the chain as it was when the draft was submitted (approval_steps: its
// approvers, and whether all of them or any one must approve), which step the draft is
// at, each approver's answer in this round, and for an approver whose turn it is —
// or someone holding a delegation (ủy quyền "approve") from that approver — "Duyệt"
// (with an optional comment) and "Trả lại" (with a reason).
//
// A round is read from the items: the approvers of one step are given the draft at the
// same instant; a round ends with a return, or with a step closed unanswered when the
// draft was returned some other way and submitted again. Each item names its step.

import { api } from "../api.js";
import { personName, resolveNames } from "../directory.js";
import { fill, h, loadingBox } from "../dom.js";
import { formatDateTime, itemStateLabel, processingStateLabel, t } from "../i18n.js";
import { stepForm } from "../widgets.js";
import { actingFor, delegationFor, heldDelegations, holdsItem } from "./processing.js";

/** The documents steps the chain's panel stands in for while the chain runs. */
export const CHAIN_STEPS = ["approve", "return"];

/** The approval items as rounds of steps: [[[item, …] (step 1), …] (round), …]. */
export function approvalRounds(items) {
  const approvals = items.filter((i) => i.kind === "approve")
    .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
  const steps = [];
  for (const item of approvals) {
    const last = steps[steps.length - 1];
    if (last && last[0].created_at === item.created_at) last.push(item);
    else steps.push([item]);
  }
  const rounds = [[]];
  for (const step of steps) {
    rounds[rounds.length - 1].push(step);
    const ended = step.some((i) => i.state === "returned") || step.every((i) => i.state === "closed");
    if (ended) rounds.push([]);
  }
  return rounds.filter((round) => round.length);
}

function stepState(step) {
  if (step.some((i) => i.state === "returned")) return "returned";
  if (step.some((i) => i.state === "open")) return "open";
  if (step.some((i) => i.state === "done")) return "done";
  return "closed";
}

export function approvalPanel({ doc, processing, onDone }) {
  const stateBadge = h("span", {
    class: `badge proc-state proc-${processing.state}`, id: "chain-state",
  }, processingStateLabel(processing.state));
  const content = h("div", {}, loadingBox());
  const panel = h("section", { class: "panel approval-panel", id: "approval-chain", "aria-labelledby": "approval-chain-title" },
    h("div", { class: "panel-head" }, h("h2", { id: "approval-chain-title" }, t("chainTitle")), stateBadge),
    content);
  const rounds = approvalRounds(processing.items || []);
  const round = rounds[rounds.length - 1] || [];
  // the chain's steps with this round's items; from the items alone for a chain without steps
  const chain = (processing.approval_steps || []).length
    ? processing.approval_steps.map((s) => ({
      step: s.step, mode: s.mode, approvers: s.approvers || [],
      items: round.flat().filter((i) => i.step === s.step),
    }))
    : round.map((items, index) => ({
      step: index + 1, mode: items[0]?.mode || null, approvers: items.map((i) => i.user_id), items,
    }));
  let mine = null;
  let delegation = null;   // when the caller decides for an approver (ủy quyền "approve")

  async function whoseTurn() {
    const open = round.flat().filter((i) => i.state === "open");
    mine = open.find((i) => holdsItem(i)) || null;
    delegation = null;
    if (mine || !open.length) return;
    const held = await heldDelegations();
    for (const item of open) {
      const found = delegationFor(held, {
        action: "approve", unitId: doc.unit_id, fromUserId: item.user_id,
        documentType: processing.document_type || doc.document_type || "",
      });
      if (found) {
        mine = item;
        delegation = found;
        return;
      }
    }
  }

  async function draw() {
    await Promise.all([
      resolveNames({ userIds: [...round.flat().map((i) => i.user_id), ...chain.flatMap((s) => s.approvers)], documentId: doc.id }),
      whoseTurn(),
    ]);
    const slot = h("div", { id: "chain-form", class: "chain-form" });
    const total = chain.length;
    const steps = chain.map((step) => {
      const state = step.items.length ? stepState(step.items) : "waiting";
      const extra = step.items.filter((i) => !step.approvers.includes(i.user_id));
      const approverRow = (userId, item) => h("li", { class: `approver approver-${item ? item.state : "waiting"}` },
        h("span", { class: "approver-name" }, personName(userId)), " — ",
        h("span", { class: "approver-state" }, item ? itemStateLabel("approve", item.state) : t("approverWaiting")),
        item?.done_at && ["done", "returned"].includes(item.state) ? h("span", { class: "muted" }, ` · ${formatDateTime(item.done_at)}`) : null,
        item?.result_note ? h("span", { class: "approver-note" }, ` · ${t("histComment")}: ${item.result_note}`) : null,
        item?.return_reason ? h("span", { class: "approver-note" }, ` · ${t("reason")}: ${item.return_reason}`) : null);
      return h("li", { class: `chain-step step-${state}`, dataset: { step: String(step.step) } },
        h("p", { class: "chain-step-head" },
          h("strong", {}, total > 1 ? t("chainStepOf", step.step, total) : t("chainStep", step.step)),
          step.mode ? [" · ", h("span", { class: "chain-step-mode" }, t(`stepMode_${step.mode}`))] : null, " · ",
          h("span", { class: `step-state step-state-${state}` }, t(`chainStep_${state}`))),
        h("ul", { class: "chain-approvers" },
          step.approvers.map((userId) => approverRow(userId, step.items.find((i) => i.user_id === userId))),
          extra.map((item) => approverRow(item.user_id, item))));
    });
    const at = chain.find((s) => s.items.some((i) => i.state === "open"));
    const returned = chain.find((s) => s.items.some((i) => i.state === "returned"));
    let position = null;
    if (at) position = t("chainAt", at.step, total);
    else if (returned) position = t("chainReturnedAt", returned.step, total);
    else if (processing.state === "approved" && total) position = t("chainAllDone", total);
    const buttons = [];
    if (mine) {
      const approve = h("button", {
        type: "button", class: "btn btn-primary", id: "chain-approve", "aria-expanded": "false", "aria-controls": "chain-form",
        onclick: () => openApprove(slot, approve, buttons),
      }, t("chainApprove"));
      const back = h("button", {
        type: "button", class: "btn btn-warning", id: "chain-return", "aria-expanded": "false", "aria-controls": "chain-form",
        onclick: () => openReturn(slot, back, buttons),
      }, t("chainReturn"));
      buttons.push(approve, back);
    }
    const turn = mine?.step || round.findIndex((s) => s.includes(mine)) + 1;
    fill(content,
      position ? h("p", { class: "chain-position", id: "chain-position" }, position) : null,
      chain.length ? h("ol", { class: "chain-steps", id: "chain-steps" }, steps) : h("p", { class: "muted" }, t("chainEmpty")),
      processing.state === "in_approval" && !(processing.approval_steps || []).length ? h("p", { class: "hint" }, t("chainLaterSteps")) : null,
      mine ? h("div", { class: "chain-actions" },
        h("p", { class: "chain-turn", id: "chain-turn" }, delegation
          ? t("chainTurnFor", turn, personName(mine.user_id), delegation.kind)
          : t("chainYourTurn", turn)),
        delegation ? h("p", { class: "acting-for", id: "chain-acting-for" }, actingFor(delegation)) : null,
        h("div", { class: "step-actions" }, buttons), slot) : null);
  }

  function opened(trigger, buttons) {
    for (const b of buttons) b.setAttribute("aria-expanded", String(b === trigger));
  }

  function closer(slot, trigger) {
    return () => {
      slot.replaceChildren();
      trigger.setAttribute("aria-expanded", "false");
      trigger.focus();
    };
  }

  function openApprove(slot, trigger, buttons) {
    const comment = h("textarea", { name: "comment", rows: "2", maxlength: "2000" });
    const { form } = stepForm({
      id: "chain-approve", title: t("chainApprove"),
      fields: [{ id: "chain-comment", label: t("stepComment"), control: comment, wide: true }],
      confirmLabel: t("confirmAction", t("chainApprove")), controlFor: { comment: "chain-comment" },
      cancel: closer(slot, trigger),
      submit: async () => {
        const body = comment.value.trim() ? { comment: comment.value.trim() } : {};
        const result = await api.actOnAssignment(mine.id, "approve", body);
        await onDone(result, result.state === "approved" ? t("chainDoneApproved") : t("chainDoneStep"));
      },
    });
    opened(trigger, buttons);
    slot.replaceChildren(form);
    comment.focus();
  }

  function openReturn(slot, trigger, buttons) {
    const reason = h("textarea", { name: "reason", rows: "3", maxlength: "2000" });
    const { form } = stepForm({
      id: "chain-return", title: t("chainReturn"),
      fields: [{ id: "chain-reason", label: t("reason"), control: reason, required: true, wide: true }],
      confirmLabel: t("confirmAction", t("chainReturn")), confirmClass: "btn-warning", controlFor: { reason: "chain-reason" },
      cancel: closer(slot, trigger),
      submit: async (errors) => {
        if (!reason.value.trim()) {
          errors.show(null, { reason: t("reasonRequired") });
          return;
        }
        const result = await api.actOnAssignment(mine.id, "return", { reason: reason.value.trim() });
        await onDone(result, t("done_return"));
      },
    });
    opened(trigger, buttons);
    slot.replaceChildren(form);
    reason.focus();
  }

  draw();
  return panel;
}
