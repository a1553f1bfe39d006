// @ts-check
// The "Xử lý" panel of an incoming document: where its handling stands (state,
// direction comment, deadline, every part with who holds it, its deadline, progress,
// state and result) and the steps the caller may take now (the API's allowed_actions):
// submit it to a leader, assign it (lead, co-handlers, for-information), pass a unit's
// part to one of its people, record progress, return a part with a reason or complete
// it. Each step redraws the panel from the processing the API returns.

import { ApiError, api } from "../../api.js";
import { formatDateTime, formatDeadline } from "../../dates.js";
import { resolveNames } from "../../directory.js";
import { alertBox, fill, h, loadingBox } from "../../dom.js";
import { t } from "../../i18n.js";
import { processingStateLabel } from "../../labels.js";
import { hooks } from "../../state.js";
import { errorPanel } from "../../widgets.js";
import { actionsArea } from "./actions.js";
import { itemsTable, replyLink } from "./items.js";

const POLL_MS = 1500;
const POLL_TRIES = 8;

/**
 * What the panel's parts and step forms share: the document, the processing drawn now,
 * where a step's form opens, and what a step's answer does.
 * @typedef {object} ProcessingContext
 * @property {string} documentId
 * @property {Record<string, any> | null} doc the incoming document (null: the caller may not read it)
 * @property {string | null} unitId the document's unit
 * @property {Record<string, any> | null} processing
 * @property {HTMLElement} panel
 * @property {HTMLElement | null} formSlot
 * @property {(kind: string, ...children: import("../../dom.js").Child[]) => void} say
 * @property {(form: HTMLElement, trigger: HTMLElement, focus?: HTMLElement) => void} show
 * @property {(trigger: HTMLElement) => void} closeForm
 * @property {(error: any) => boolean} moved
 * @property {(result: Record<string, any>, text: string) => void} apply
 */

/** The handling's summary: direction, deadline, when it was done, the reply. @param {Record<string, any>} result */
function summary(result) {
  const reply = result.reply_document_id;
  return h("dl", { class: "detail-list processing-summary" },
    h("dt", {}, t("instruction")), h("dd", { id: "processing-instruction" }, result.instruction || t("none")),
    h("dt", {}, t("dueDate")), h("dd", { id: "processing-due" }, formatDeadline(result.due_date, result.due_at)),
    result.completed_at ? [h("dt", {}, t("completedAt")), h("dd", {}, formatDateTime(result.completed_at))] : null,
    reply ? [h("dt", {}, t("replyDocument")), h("dd", {}, replyLink(reply))] : null);
}

/**
 * The context's behaviour: the message line, the form slot, and a step's answer.
 * @param {ProcessingContext} ctx @param {HTMLElement} message @param {(result: any) => Promise<void>} draw
 * @param {((processing: any) => void) | undefined} onChange
 */
function behave(ctx, message, draw, onChange) {
  ctx.say = (kind, ...children) => {
    message.replaceChildren(alertBox(kind, ...children));
    message.focus();
  };
  ctx.show = (form, trigger, focus) => {
    for (const b of ctx.panel.querySelectorAll("[aria-controls=processing-form]")) b.setAttribute("aria-expanded", String(b === trigger));
    ctx.formSlot.replaceChildren(form);
    (focus || /** @type {HTMLElement | null} */ (form.querySelector("input, select, textarea, button")))?.focus();
  };
  ctx.closeForm = (trigger) => {
    ctx.formSlot.replaceChildren();
    trigger?.setAttribute("aria-expanded", "false");
    trigger?.focus();
  };
  // A step refused because the document moved on meanwhile (409) or the part is no
  // longer the caller's (403): say so and show where it stands now.
  ctx.moved = (error) => {
    if (!(error instanceof ApiError) || ![403, 409].includes(error.status)) return false;
    api.processing(ctx.documentId).then(draw).catch(() => {}).finally(() => {
      ctx.say("error", h("p", {}, error.message));
    });
    return true;
  };
  ctx.apply = (result, text) => {
    draw(result).then(() => {
      ctx.say("success", h("p", { id: "processing-done" }, text));
      onChange?.(result);
      hooks.refreshCounts();
    });
  };
}

/**
 * The panel. `doc` is the incoming document (null when the caller may not read it but
 * has a part in its handling). `onChange(processing)` runs after each step.
 * @param {{documentId: string, doc: Record<string, any> | null, onChange?: (processing: any) => void}} options
 */
export function processingPanel({ documentId, doc, onChange }) {
  const stateBadge = h("span", { class: "badge proc-state", id: "processing-state", hidden: true });
  const message = h("div", { id: "processing-message", class: "doc-message", tabindex: "-1" });
  const body = h("div", { class: "processing-body" }, loadingBox());
  const panel = h("section", { class: "panel processing-panel", id: "processing", "aria-labelledby": "processing-title" },
    h("div", { class: "panel-head" }, h("h2", { id: "processing-title" }, t("processingTitle")), stateBadge),
    message,
    body);
  /** @type {ProcessingContext} */
  const ctx = { documentId, doc, unitId: doc?.unit_id || null, processing: null, panel, formSlot: null,
    say: null, show: null, closeForm: null, moved: null, apply: null };
  let tries = 0;

  async function load() {
    try {
      const result = await api.processing(documentId);
      if (!result.state && tries < POLL_TRIES) {
        // Workflow opens the processing from documents' event: it may be a moment behind.
        tries += 1;
        body.replaceChildren(h("p", { class: "muted", role: "status" }, t("processingOpening")));
        setTimeout(() => { if (panel.isConnected) load(); }, POLL_MS);
        return;
      }
      await draw(result);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  /** @param {Record<string, any>} result */
  async function draw(result) {
    ctx.processing = result;
    const items = (result.items || []).filter((i) => !(i.kind === "to_assign" && i.state === "closed"));
    await resolveNames({
      unitIds: items.map((i) => i.unit_id),
      userIds: [...items.map((i) => i.user_id), ...items.map((i) => i.assigned_by)].filter(Boolean),
      documentId: doc ? documentId : null,
    });
    if (!result.state) {
      stateBadge.hidden = true;
      body.replaceChildren(h("p", { class: "muted" }, t("processingNone")),
        h("button", { type: "button", class: "btn btn-secondary btn-small", onclick: () => { tries = 0; load(); } }, t("refresh")));
      return;
    }
    stateBadge.hidden = false;
    stateBadge.className = `badge proc-state proc-${result.state}`;
    stateBadge.textContent = processingStateLabel(result.state);
    ctx.formSlot = h("div", { id: "processing-form", class: "processing-form" });
    fill(body, summary(result), await actionsArea(ctx, items), ctx.formSlot, itemsTable(ctx, items));
  }

  behave(ctx, message, draw, onChange);
  load();
  return panel;
}
