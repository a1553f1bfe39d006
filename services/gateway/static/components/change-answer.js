// @ts-check
// The văn thư's answer to what the sender of a document asks of it — a recall (thu hồi)
// or an update of its particulars (cập nhật) — one form wherever the request comes from:
// another agency through the axis (the Liên thông screen) or a unit of this system (the
// incoming document's screen). "Đồng ý" is confirmed first (a recall deletes the document,
// an update changes it); "Từ chối" asks for the reason the sender reads (16).

import { ApiError } from "../api.js";
import { formatDate, formatDateTime } from "../dates.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { urgencyLabel } from "../labels.js";
import { confirmDialog } from "./feedback.js";
import { reasonForm } from "./reason-form.js";

/** The particulars an update may change, in the order they are shown. */
export const UPDATABLE = ["subject", "description", "page_amount", "due_date", "urgency"];

/** One particular's value as shown. @param {string} name @param {any} value */
export function particularText(name, value) {
  if (value === null || value === undefined || value === "") return t("none");
  if (name === "due_date") return formatDate(value);
  if (name === "urgency") return urgencyLabel(value);
  return String(value);
}

/** What an update changes, as a list ("Trích yếu: …"). @param {Record<string, any> | null | undefined} changes */
export function changesList(changes) {
  const names = UPDATABLE.filter((name) => changes && name in changes);
  if (!names.length) return null;
  return h("ul", { class: "change-list" }, names.map((name) => h("li", { dataset: { field: name } },
    h("span", { class: "change-name" }, `${t(`changeField_${name}`)}: `),
    h("strong", {}, particularText(name, changes?.[name])))));
}

/**
 * @typedef {object} ChangeRequest
 * @property {"recall" | "update"} kind
 * @property {string} idPrefix the panel is "<prefix>-actions", its buttons "<prefix>-agree" and "<prefix>-refuse"
 * @property {string | null} [reason] why the sender asks
 * @property {string | null} [askedAt]
 * @property {string | null} [from] who asks
 * @property {Record<string, any> | null} [changes] an update's particulars
 * @property {boolean} mayAnswer the caller is a văn thư of the unit (the server checks too)
 * @property {string} agreeMessage what agreeing does, asked to confirm
 * @property {() => Promise<void>} agree
 * @property {(reason: string) => Promise<void>} refuse
 * @property {(error: ApiError) => void} moved the request was answered meanwhile (403/409)
 * @property {(kind: string, ...children: import("../dom.js").Child[]) => void} say
 */

/**
 * The panel: the request (who, when, why, what changes) and, for a văn thư of the unit,
 * "Đồng ý" and "Từ chối"; for anyone else a line saying who answers.
 * @param {ChangeRequest} request
 */
export function changeAnswerPanel(request) {
  const { kind, idPrefix: id } = request;
  const heading = h("h2", { id: `${id}-actions-title` }, t(`changeTitle_${kind}`));
  const asked = h("div", { class: "change-request", id: `${id}-request`, dataset: { kind } },
    h("p", {},
      h("strong", {}, t(`changeAsked_${kind}`)),
      request.from ? ` — ${request.from}` : null,
      request.askedAt ? h("span", { class: "muted" }, ` (${formatDateTime(request.askedAt)})`) : null),
    request.reason ? h("p", { class: "change-reason" }, t("changeReason", request.reason)) : null,
    kind === "update" ? changesList(request.changes) : null);
  const panel = h("section", {
    class: ["panel", "actions-panel", "change-panel", kind === "recall" && "recall-panel"], id: `${id}-actions`,
    "aria-labelledby": `${id}-actions-title`,
  }, heading, asked);
  if (!request.mayAnswer) {
    panel.append(h("p", { class: "hint", id: `${id}-clerk-only` }, t("changeClerkOnly")));
    return panel;
  }
  const slot = h("div", { class: "step-form-slot" });
  const agree = h("button", { type: "button", class: "btn btn-warning", id: `${id}-agree` }, t(`changeAgree_${kind}`));
  const refuse = h("button", {
    type: "button", class: "btn btn-secondary", id: `${id}-refuse`, "aria-controls": `${id}-refuse-form`, "aria-expanded": "false",
  }, t(`changeRefuse_${kind}`));
  const close = () => {
    slot.replaceChildren();
    refuse.setAttribute("aria-expanded", "false");
    refuse.focus();
  };
  agree.addEventListener("click", async () => {
    const confirmed = await confirmDialog({
      id: `${id}-agree-dialog`, title: t(`changeAgreeTitle_${kind}`), message: request.agreeMessage,
      confirmLabel: t(`changeAgree_${kind}`), confirmClass: "btn-warning",
    });
    if (!confirmed) {
      agree.focus();
      return;
    }
    agree.disabled = true;
    try {
      await request.agree();
    } catch (error) {
      agree.disabled = false;
      if (error instanceof ApiError && [403, 409].includes(error.status)) request.moved(error);
      else request.say("error", h("p", {}, error?.message || t("networkError")));
    }
  });
  refuse.addEventListener("click", () => {
    const { form, focus } = reasonForm({
      id: `${id}-refuse`, title: t(`changeRefuseTitle_${kind}`), intro: t(`changeRefuseIntro_${kind}`),
      action: t(`changeRefuse_${kind}`), label: t("changeRefuseReason"), required: t("changeReasonRequired"),
      send: request.refuse,
    }, { close, moved: request.moved });
    slot.replaceChildren(form);
    refuse.setAttribute("aria-expanded", "true");
    focus();
  });
  panel.append(h("p", { class: "hint" }, t(`changeHint_${kind}`)), h("div", { class: "step-actions" }, agree, refuse), slot);
  return panel;
}
