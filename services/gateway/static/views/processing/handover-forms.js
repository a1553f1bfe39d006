// @ts-check
// Handing a document or a part to someone: the clerk submits the document to one of the
// unit's leaders; a unit's leader (or their delegate) passes the unit's part to one of
// its people.

import { api } from "../../api.js";
import { formatDate, todayIso } from "../../dates.js";
import { unitMembers, unitName } from "../../directory.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { session } from "../../session.js";
import { LEADER_ROLES } from "../../state.js";
import { dateField, stepForm } from "../../widgets.js";

/** @typedef {import("./panel.js").ProcessingContext} ProcessingContext */
/** @typedef {import("./parts.js").Item} Item */

/** Fill `select` with people, "choose…" first. @param {HTMLSelectElement} select @param {any[]} people @param {string} choose @param {string} none @param {(p: any) => string} text */
function offerPeople(select, people, choose, none, text) {
  select.replaceChildren(
    h("option", { value: "" }, people.length ? choose : none),
    ...people.map((p) => h("option", { value: p.id, dataset: { name: p.full_name } }, text(p))));
}

/**
 * The person chosen in `select` ({id, name}), or null once the form says to choose one.
 * @param {HTMLSelectElement} select @param {import("../../components/forms.js").FormErrors} errors @param {string} key @param {string} message
 */
function chosenPerson(select, errors, key, message) {
  if (select.value) return { id: select.value, name: select.selectedOptions[0]?.dataset.name || "" };
  errors.show(null, { [key]: message });
  return null;
}

/** The clerk submits the document to a leader of its unit. @param {ProcessingContext} ctx @param {HTMLElement} trigger */
export async function openSubmit(ctx, trigger) {
  const select = h("select", { name: "to_user_id" }, h("option", { value: "" }, t("loading")));
  const note = h("textarea", { name: "note", rows: "2", maxlength: "2000" });
  const { form } = stepForm({
    id: "submit", title: t("actionSubmitToLeader"), intro: t("submitIntro"),
    fields: [
      { id: "submit-to", label: t("leaderToAssign"), control: select, required: true, wide: true },
      { id: "submit-note", label: t("noteOptional"), control: note, wide: true },
    ],
    confirmLabel: t("actionSubmitToLeader"), controlFor: { to_user_id: "submit-to", note: "submit-note" },
    cancel: () => ctx.closeForm(trigger), onError: ctx.moved,
    submit: async (errors) => {
      const leader = chosenPerson(select, errors, "to_user_id", t("chooseLeader"));
      if (!leader) return;
      const body = note.value.trim() ? { to_user_id: leader.id, note: note.value.trim() } : { to_user_id: leader.id };
      ctx.apply(await api.submitIncoming(ctx.documentId, body), t("doneSubmitted", leader.name));
    },
  });
  ctx.show(form, trigger, select);
  const people = await unitMembers(ctx.unitId);
  const leaders = people.filter((p) => (p.memberships || []).some((m) => m.unit_id === ctx.unitId && LEADER_ROLES.includes(m.role)));
  offerPeople(select, leaders, t("chooseLeaderOption"), t("noLeaders"),
    (p) => (p.position ? `${p.full_name} — ${p.position}` : p.full_name));
  if (leaders.length === 1) select.value = leaders[0].id;
}

/** A unit's leader passes the unit's part to one of its people. @param {ProcessingContext} ctx @param {Item} item @param {HTMLElement} trigger */
export async function openForward(ctx, item, trigger) {
  const select = h("select", { name: "user_id" }, h("option", { value: "" }, t("loading")));
  const due = dateField({ name: "due_date", min: todayIso(), max: item.due_date || null, label: t("dueDate") });
  const instruction = h("textarea", { name: "instruction", rows: "2", maxlength: "2000" });
  const { form } = stepForm({
    id: "forward", title: t("forwardTitle", unitName(item.unit_id)),
    fields: [
      { id: "fw-user", label: t("forwardTo"), control: select, required: true, wide: true },
      { id: "fw-due", label: t("dueDate"), control: due, hint: item.due_date ? t("forwardDueHint", formatDate(item.due_date)) : null },
      { id: "fw-instruction", label: t("instructionOptional"), control: instruction, wide: true },
    ],
    confirmLabel: t("actionForward"), controlFor: { user_id: "fw-user", due_date: "fw-due", instruction: "fw-instruction" },
    dates: { due_date: due },
    cancel: () => ctx.closeForm(trigger), onError: ctx.moved,
    submit: async (errors) => {
      const person = chosenPerson(select, errors, "user_id", t("choosePerson"));
      if (!person) return;
      /** @type {Record<string, any>} */
      const body = { user_id: person.id };
      if (due.value()) body.due_date = due.value();
      if (instruction.value.trim()) body.instruction = instruction.value.trim();
      ctx.apply(await api.actOnAssignment(item.id, "forward", body), t("doneForwarded", person.name));
    },
  });
  ctx.show(form, trigger, select);
  const me = session.user?.id;
  const people = (await unitMembers(item.unit_id)).filter((p) => p.id !== me);
  offerPeople(select, people, t("choosePersonOption"), t("noPeople"),
    (p) => [p.full_name, p.position].filter(Boolean).join(" — "));
}
