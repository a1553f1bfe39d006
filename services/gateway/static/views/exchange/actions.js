// @ts-check
// What the văn thư of the addressed unit does with a received document while it waits:
// "Tiếp nhận" opens the registration form filled from the package (accept.js), "Trả lại"
// asks for the reason the sender will read. A lãnh đạo sees who acts instead.

import { ApiError, api } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { hasRole, hooks } from "../../state.js";
import { confirmDialog, stepForm } from "../../widgets.js";
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
 * A step that needs the reason the sender will read ("Trả lại", "Từ chối thu hồi"): the
 * form, refusing an empty reason before asking the server; a 403 or 409 (the document moved
 * on meanwhile) goes to ``moved``.
 * @param {{id: string, title: string, intro: string, action: string, label: string,
 *   required: string, send: (reason: string) => Promise<void>}} step
 * @param {{close: () => void, moved: (error: ApiError) => void}} hooksOf
 */
function reasonForm(step, { close, moved }) {
  const reason = h("textarea", { name: "reason", rows: "3", maxlength: "1000" });
  const field = `f-${step.id}-reason`;
  const { form } = stepForm({
    id: step.id, title: step.title, intro: step.intro, confirmLabel: step.action, confirmClass: "btn-warning",
    fields: [{ id: field, label: step.label, control: reason, required: true, wide: true }],
    controlFor: { reason: field },
    submit: async (errors) => {
      if (!reason.value.trim()) {
        errors.show(null, { reason: step.required });
        return;
      }
      await step.send(reason.value.trim());
    },
    onError: (error) => {
      if (error instanceof ApiError && [403, 409].includes(error.status)) {
        moved(error);
        return true;
      }
      return false;
    },
    cancel: close,
  });
  return { form, focus: () => reason.focus() };
}

/**
 * "Trả lại": the reason, required.
 * @param {Received} r @param {ActionsHost} host @param {{close: () => void, moved: (error: ApiError) => void}} hooksOf
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
  if (r.state !== "waiting") return null;
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
  /** Refused because the document moved on (someone acted meanwhile): read it again. @param {ApiError} error */
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
 * "Từ chối thu hồi": the reason, required (the sender reads it with 16).
 * @param {Received} r @param {ActionsHost} host @param {{close: () => void, moved: (error: ApiError) => void}} hooksOf
 */
function refuseRecallForm(r, host, hooksOf) {
  return reasonForm({
    id: "recall-refuse", title: t("recallRefuseTitle"), intro: t("recallRefuseIntro"),
    action: t("recallRefuseAction"), label: t("recallRefuseReason"), required: t("recallReasonRequired"),
    send: async (reason) => {
      host.draw(await api.answerRecall(r.id, { agree: false, reason }));
      host.say("success", h("p", { id: "step-done" }, t("recallRefusedFlash")));
    },
  }, hooksOf);
}

/**
 * The answer to a recall its sender asked for, while unanswered: for a văn thư of the
 * unit "Đồng ý thu hồi" (confirmed: what was made of it is deleted, only the recall log
 * stays) and "Từ chối thu hồi" (with a reason); for a lãnh đạo, who answers. Null when
 * no recall waits.
 * @param {Received} r @param {ActionsHost} host
 */
export function recallActions(r, host) {
  if (!recallWaiting(r)) return null;
  if (!hasRole("clerk", r.unit_id)) {
    return h("p", { class: "hint", id: "recall-clerk-only" }, t("recallClerkOnly"));
  }
  const slot = h("div", { class: "step-form-slot" });
  const agree = h("button", { type: "button", class: "btn btn-warning", id: "recall-agree" }, t("recallAgreeAction"));
  const refuse = h("button", {
    type: "button", class: "btn btn-secondary", id: "recall-refuse", "aria-controls": "recall-refuse-form", "aria-expanded": "false",
  }, t("recallRefuseAction"));
  /** @param {ApiError} error */
  const moved = (error) => {
    host.say("error", h("p", {}, error.message));
    host.reload();
  };
  const close = () => {
    slot.replaceChildren();
    refuse.setAttribute("aria-expanded", "false");
    refuse.focus();
  };
  agree.addEventListener("click", async () => {
    const confirmed = await confirmDialog({
      id: "recall-agree-dialog", title: t("recallAgreeTitle"),
      message: r.incoming_id ? t("recallAgreeIncoming") : t("recallAgreeWaiting"),
      confirmLabel: t("recallAgreeAction"), confirmClass: "btn-warning",
    });
    if (!confirmed) {
      agree.focus();
      return;
    }
    agree.disabled = true;
    try {
      host.draw(await api.answerRecall(r.id, { agree: true }));
      host.say("success", h("p", { id: "step-done" }, t("recallAgreedFlash")));
      hooks.refreshCounts();
    } catch (error) {
      agree.disabled = false;
      if (error instanceof ApiError && [403, 409].includes(error.status)) moved(error);
      else host.say("error", h("p", {}, error?.message || t("networkError")));
    }
  });
  refuse.addEventListener("click", () => {
    const { form, focus } = refuseRecallForm(r, host, { close, moved });
    slot.replaceChildren(form);
    refuse.setAttribute("aria-expanded", "true");
    focus();
  });
  return h("section", { class: "panel actions-panel recall-panel", id: "recall-actions", "aria-labelledby": "recall-actions-title" },
    h("h2", { id: "recall-actions-title" }, t("recallActionsTitle")),
    h("p", { class: "hint" }, t("recallActionsHint")),
    h("div", { class: "step-actions" }, agree, refuse),
    slot);
}
