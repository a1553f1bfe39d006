// @ts-check
// Telling the user: an error from the API with "try again", and a modal question.

import { alertBox, h } from "../dom.js";
import { t } from "../i18n.js";

/**
 * An error from the API, with a "try again" button when one makes sense.
 * @param {{message?: string} | null | undefined} error
 * @param {() => void} [retry]
 */
export function errorPanel(error, retry) {
  return alertBox("error",
    h("p", {}, error?.message || t("networkError")),
    retry ? h("button", { type: "button", class: "btn btn-secondary btn-small", onclick: retry }, t("retry")) : null);
}

/**
 * A modal question (a <dialog> with cancel and confirm buttons, ids "<id>-title",
 * "<id>-message", "<id>-cancel", "<id>-confirm"); focus starts on cancel. Resolves to
 * true when confirmed; the dialog is then removed.
 * @param {{id: string, title: string, message: string, confirmLabel: string, confirmClass?: string}} options
 * @returns {Promise<boolean>}
 */
export function confirmDialog({ id, title, message, confirmLabel, confirmClass = "btn-primary" }) {
  return new Promise((resolve) => {
    const cancel = h("button", {
      type: "button", class: "btn btn-secondary", id: `${id}-cancel`, onclick: () => dialog.close("cancel"),
    }, t("cancel"));
    const dialog = h("dialog", { class: "dialog", "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-message` },
      h("h2", { id: `${id}-title` }, title),
      h("p", { id: `${id}-message` }, message),
      h("div", { class: "dialog-actions" },
        cancel,
        h("button", { type: "button", class: ["btn", confirmClass], id: `${id}-confirm`, onclick: () => dialog.close("confirm") }, confirmLabel)));
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue === "confirm");
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
