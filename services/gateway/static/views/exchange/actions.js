// @ts-check
// What the văn thư of the addressed unit does with a received document while it waits:
// "Tiếp nhận" opens the registration form filled from the package (accept.js), "Trả lại"
// asks for the reason the sender will read. A lãnh đạo sees who acts instead. A recall or
// an update its sender asks is answered in the one answer form (change-answer.js).

import { api } from "../../api.js";
import { changeAnswerPanel } from "../../components/change-answer.js";
import { reasonForm } from "../../components/reason-form.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { hasRole, hooks } from "../../state.js";
import { acceptForm } from "./accept.js";
import { recallWaiting } from "./common.js";

/** @typedef {import("./common.js").Received} Received */
/**
 * What an action's answer does on the screen: draw the document again, say how it went,
 * read it again (when it moved on meanwhile).
 * @typedef {{draw: (r: Received) => void, say: (kind: string, ...children: import("../../dom.js").Child[]) => void,
 *   reload: () => void}} ActionsHost
 */

/**
 * "Trả lại": the reason, required.
 * @param {Received} r @param {ActionsHost} host @param {{close: () => void, moved: (error: import("../../api.js").ApiError) => void}} hooksOf
 */
function returnForm(r, host, hooksOf) {
  return reasonForm({
    id: "return", title: t("receivedReturnTitle"), intro: t("receivedReturnIntro"),
    action: t("receivedReturnAction"), label: t("returnReason"), required: t("receivedReasonRequired"),
    send: async (reason) => {
      host.draw(await api.returnReceived(r.id, { reason }));
      host.say("success", h("p", { id: "step-done" }, t("receivedReturnedFlash")));
      hooks.refreshCounts();
    },
  }, hooksOf);
}

/**
 * The actions panel while the document waits (null once it does not); for someone who
 * is not its unit's văn thư, a line saying who acts.
 * @param {Received} r @param {ActionsHost} host
 */
export function receivedActions(r, host) {
  if (r.state !== "waiting" || r.business_type === 2) return null;     // an update is answered instead
  if (!hasRole("clerk", r.unit_id)) {
    return h("p", { class: "hint", id: "received-clerk-only" }, t("receivedClerkOnly"));
  }
  const slot = h("div", { class: "step-form-slot" });
  const accept = h("button", {
    type: "button", class: "btn btn-primary", id: "received-accept", "aria-controls": "accept-form", "aria-expanded": "false",
  }, t("acceptAction"));
  const back = h("button", {
    type: "button", class: "btn btn-warning", id: "received-return", "aria-controls": "return-form", "aria-expanded": "false",
  }, t("receivedReturnAction"));
  /** @param {HTMLButtonElement | null} [focusTo] */
  const close = (focusTo = null) => {
    slot.replaceChildren();
    accept.setAttribute("aria-expanded", "false");
    back.setAttribute("aria-expanded", "false");
    focusTo?.focus();
  };
  /** Refused because the document moved on (someone acted meanwhile): read it again. @param {import("../../api.js").ApiError} error */
  const moved = (error) => {
    host.say("error", h("p", {}, error.message));
    host.reload();
  };
  /** @param {HTMLButtonElement} trigger @param {{form: HTMLFormElement, focus: () => void}} opened */
  const open = (trigger, { form, focus }) => {
    slot.replaceChildren(form);
    trigger.setAttribute("aria-expanded", "true");
    focus();
  };
  accept.addEventListener("click", () => {
    close();
    open(accept, acceptForm(r, {
      onAccepted: (accepted) => {
        host.draw(accepted);
        host.say("success", h("p", { id: "step-done" }, t("acceptedFlash", accepted.incoming?.arrival_number ?? "")));
        hooks.refreshCounts();
      },
      onConflict: moved,
      onCancel: () => close(accept),
    }));
  });
  back.addEventListener("click", () => {
    close();
    open(back, returnForm(r, host, { close: () => close(back), moved }));
  });
  return h("section", { class: "panel actions-panel", id: "received-actions", "aria-labelledby": "received-actions-title" },
    h("h2", { id: "received-actions-title" }, t("receivedActionsTitle")),
    h("p", { class: "hint" }, t("receivedActionsHint")),
    h("div", { class: "step-actions" }, accept, back),
    slot);
}

/**
 * The answer to a recall its sender asked for, while unanswered (the one answer form,
 * components/change-answer.js): "Đồng ý thu hồi" (confirmed: what was made of it is
 * deleted, only the recall log stays) and "Từ chối thu hồi" (with a reason). Null when no
 * recall waits.
 * @param {Received} r @param {ActionsHost} host
 */
export function recallActions(r, host) {
  if (!recallWaiting(r)) return null;
  return changeAnswerPanel({
    kind: "recall", idPrefix: "recall", reason: r.recall_request?.reason, askedAt: r.recall_request?.asked_at,
    from: r.from?.name || r.from?.organ_id, mayAnswer: hasRole("clerk", r.unit_id),
    agreeMessage: r.incoming_id ? t("recallAgreeIncoming") : t("recallAgreeWaiting"),
    agree: async () => {
      host.draw(await api.answerRecall(r.id, { agree: true }));
      host.say("success", h("p", { id: "step-done" }, t("recallAgreedFlash")));
      hooks.refreshCounts();
    },
    refuse: async (reason) => {
      host.draw(await api.answerRecall(r.id, { agree: false, reason }));
      host.say("success", h("p", { id: "step-done" }, t("recallRefusedFlash")));
    },
    moved: (error) => {
      host.say("error", h("p", {}, error.message));
      host.reload();
    },
    say: host.say,
  });
}

/**
 * The answer to an update (an edoc of type 2) while it waits: the same form; agreed,
 * its particulars go to the document registered from the original (or to the original
 * while it waits) and 15 goes back; refused, 16 with the reason.
 * @param {Received} r @param {ActionsHost} host
 */
export function updateActions(r, host) {
  if (r.business_type !== 2 || r.state !== "waiting") return null;
  return changeAnswerPanel({
    kind: "update", idPrefix: "update", reason: r.fields?.business_reason, askedAt: r.received_at,
    from: r.from?.name || r.from?.organ_id, changes: r.fields?.changes, mayAnswer: hasRole("clerk", r.unit_id),
    agreeMessage: t("updateAgreeMessage"),
    agree: async () => {
      host.draw(await api.answerReceivedChange(r.id, { agree: true }));
      host.say("success", h("p", { id: "step-done" }, t("updateAgreedFlash")));
      hooks.refreshCounts();
    },
    refuse: async (reason) => {
      host.draw(await api.answerReceivedChange(r.id, { agree: false, reason }));
      host.say("success", h("p", { id: "step-done" }, t("updateRefusedFlash")));
      hooks.refreshCounts();
    },
    moved: (error) => {
      host.say("error", h("p", {}, error.message));
      host.reload();
    },
    say: host.say,
  });
}
