// @ts-check
// The holder's steps on a part: record progress (with a note), return it with a reason,
// complete it (with a result and, for the lead, the reply issued).

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { session } from "../../session.js";
import { codeOf, stepForm } from "../../widgets.js";

/** @typedef {import("./panel.js").ProcessingContext} ProcessingContext */
/** @typedef {import("./parts.js").Item} Item */

/** @param {ProcessingContext} ctx @param {Item} item @param {HTMLElement} trigger */
export function openProgress(ctx, item, trigger) {
  const percent = h("input", {
    type: "number", name: "percent", min: "0", max: "100", step: "5", inputmode: "numeric",
    value: item.progress != null ? String(item.progress) : "",
  });
  const note = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
  const { form } = stepForm({
    id: "progress", title: t("actionProgress"),
    fields: [
      { id: "pr-percent", label: t("percentDone"), control: percent, hint: t("percentHint") },
      { id: "pr-note", label: t("progressNote"), control: note, required: true, wide: true },
    ],
    confirmLabel: t("saveProgress"), controlFor: { percent: "pr-percent", note: "pr-note" },
    cancel: () => ctx.closeForm(trigger), onError: ctx.moved,
    submit: async (errors) => {
      /** @type {Record<string, string>} */
      const problems = {};
      if (!note.value.trim()) problems.note = t("noteRequired");
      const value = percent.value.trim();
      if (value && !(/^\d{1,3}$/.test(value) && Number(value) <= 100)) problems.percent = t("percentInvalid");
      if (Object.keys(problems).length) {
        errors.show(null, problems);
        return;
      }
      /** @type {Record<string, any>} */
      const body = { note: note.value.trim() };
      if (value) body.percent = Number(value);
      ctx.apply(await api.actOnAssignment(item.id, "progress", body), t("doneProgress"));
    },
  });
  ctx.show(form, trigger, percent);
}

/** @param {ProcessingContext} ctx @param {Item} item @param {HTMLElement} trigger */
export function openReturn(ctx, item, trigger) {
  const reason = h("textarea", { name: "reason", rows: "3", maxlength: "2000" });
  const { form } = stepForm({
    id: "return", title: t("actionReturnPart"), intro: t("returnIntro"),
    fields: [{ id: "rt-reason", label: t("reason"), control: reason, required: true, wide: true }],
    confirmLabel: t("confirmReturn"), confirmClass: "btn-warning", controlFor: { reason: "rt-reason" },
    cancel: () => ctx.closeForm(trigger), onError: ctx.moved,
    submit: async (errors) => {
      if (!reason.value.trim()) {
        errors.show(null, { reason: t("reasonRequired") });
        return;
      }
      ctx.apply(await api.actOnAssignment(item.id, "return", { reason: reason.value.trim() }), t("doneReturnedPart"));
    },
  });
  ctx.show(form, trigger, reason);
}

/**
 * The documents issued by the caller's unit for this part (the part's unit, or the unit
 * that gave it, else their first), offered as the reply.
 * @param {ProcessingContext} ctx @param {Item} item @param {HTMLSelectElement} reply
 */
async function offerReplies(ctx, item, reply) {
  const parent = (ctx.processing?.items || []).find((i) => i.id === item.parent_id);
  const memberships = (session.user?.memberships || []).filter((m) => m.role !== "admin");
  const own = [item.unit_id, parent?.unit_id].find((u) => u && memberships.some((m) => m.unit_id === u))
    || memberships[0]?.unit_id;
  let issued = [];
  if (own) {
    try {
      issued = (await api.listOutgoing({ unit_id: own, state: "issued", page_size: 50 })).items || [];
    } catch {
      issued = [];
    }
  }
  reply.replaceChildren(
    h("option", { value: "" }, issued.length ? t("noReply") : t("noIssuedDocuments")),
    ...issued.map((d) => h("option", { value: d.id }, `${codeOf(d)} — ${d.subject}`)));
}

/** @param {ProcessingContext} ctx @param {Item} item @param {HTMLElement} trigger */
export async function openComplete(ctx, item, trigger) {
  const note = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
  const reply = h("select", { name: "reply_document_id" }, h("option", { value: "" }, t("loading")));
  const { form } = stepForm({
    id: "complete", title: t("actionComplete"), intro: item.kind === "lead" && !item.parent_id ? t("completeLeadIntro") : null,
    fields: [
      { id: "cp-note", label: t("resultNote"), control: note, wide: true },
      { id: "cp-reply", label: t("replyDocumentOptional"), control: reply, wide: true, hint: t("replyHint") },
    ],
    confirmLabel: t("confirmComplete"), controlFor: { note: "cp-note", reply_document_id: "cp-reply" },
    cancel: () => ctx.closeForm(trigger), onError: ctx.moved,
    submit: async () => {
      /** @type {Record<string, any>} */
      const body = {};
      if (note.value.trim()) body.note = note.value.trim();
      if (reply.value) body.reply_document_id = reply.value;
      ctx.apply(await api.actOnAssignment(item.id, "complete", body), t("doneCompleted"));
    },
  });
  ctx.show(form, trigger, note);
  await offerReplies(ctx, item, reply);
}
