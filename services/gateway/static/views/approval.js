// An outgoing draft's approval chain (workflow), on the outgoing document's screen:
// the steps of this round with each approver's answer, and for an approver whose turn
// it is, "Duyệt" (with an optional comment) and "Trả lại" (with a reason).
//
// The processing lists approval items without their step number, so the steps are
// read from the items: the approvers of one step are given the draft at the same
// instant; a round ends with a return, or with a step closed unanswered when the
// draft was returned some other way and submitted again.

import { api } from "../api.js";
import { personName, resolveNames } from "../directory.js";
import { fill, h, loadingBox } from "../dom.js";
import { formatDateTime, itemStateLabel, processingStateLabel, t } from "../i18n.js";
import { stepForm } from "../widgets.js";
import { holdsItem } from "./processing.js";

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
  const mine = round.flat().find((i) => i.state === "open" && holdsItem(i));

  async function draw() {
    await resolveNames({ userIds: round.flat().map((i) => i.user_id), documentId: doc.id });
    const slot = h("div", { id: "chain-form", class: "chain-form" });
    const steps = round.map((step, index) => {
      const state = stepState(step);
      return h("li", { class: `chain-step step-${state}`, dataset: { step: String(index + 1) } },
        h("p", { class: "chain-step-head" },
          h("strong", {}, t("chainStep", index + 1)), " · ",
          h("span", { class: `step-state step-state-${state}` }, t(`chainStep_${state}`))),
        h("ul", { class: "chain-approvers" }, step.map((item) => h("li", { class: `approver approver-${item.state}` },
          h("span", { class: "approver-name" }, personName(item.user_id)), " — ",
          h("span", { class: "approver-state" }, itemStateLabel("approve", item.state)),
          item.done_at && ["done", "returned"].includes(item.state) ? h("span", { class: "muted" }, ` · ${formatDateTime(item.done_at)}`) : null,
          item.result_note ? h("span", { class: "approver-note" }, ` · ${t("histComment")}: ${item.result_note}`) : null,
          item.return_reason ? h("span", { class: "approver-note" }, ` · ${t("reason")}: ${item.return_reason}`) : null))));
    });
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
    fill(content,
      round.length ? h("ol", { class: "chain-steps", id: "chain-steps" }, steps) : h("p", { class: "muted" }, t("chainEmpty")),
      processing.state === "in_approval" ? h("p", { class: "hint" }, t("chainLaterSteps")) : null,
      mine ? h("div", { class: "chain-actions" },
        h("p", { class: "chain-turn", id: "chain-turn" }, t("chainYourTurn", round.findIndex((s) => s.includes(mine)) + 1)),
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
