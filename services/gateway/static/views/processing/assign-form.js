// @ts-check
// The leader (or their delegate) assigns the document: a lead with a deadline,
// co-handlers with theirs, units and people informed, and the direction comment.

import { api } from "../../api.js";
import { todayIso } from "../../dates.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { dateField, dateProblems, stepForm } from "../../widgets.js";
import { assigneeLists, coHandlers, who } from "./assignees.js";
import { actingFor } from "./delegations.js";

/** @typedef {import("./panel.js").ProcessingContext} ProcessingContext */
/** @typedef {import("./delegations.js").Delegation} Delegation */

/** An API field → the control its problem is shown at. @param {string} key */
function controlFor(key) {
  const coDue = /^co_handlers\[(\d+)\](\.due_date)?$/.exec(key);
  if (coDue) return `as-co-due-${coDue[1]}`;
  if (/^for_info/.test(key)) return "as-info-search";
  if (/^co_handlers/.test(key)) return "as-co-search";
  return {
    lead: "as-lead-search", "lead.due_date": "as-lead-due", "lead.unit_id": "as-lead-search",
    "lead.user_id": "as-lead-search", assignees: "as-assignees", instruction: "as-instruction",
  }[key] || null;
}

/** @param {string} id @param {string} legend @param {string} hint @param {...import("../../dom.js").Child} content */
const group = (id, legend, hint, ...content) => h("fieldset", { class: "section assign-section", id: `${id}-group` },
  h("legend", {}, legend), hint ? h("p", { class: "hint section-hint" }, hint) : null, ...content);

/** The lead's group: who, and by when. @param {ReturnType<typeof assigneeLists>} lists @param {import("../../components/date-field.js").DateField} leadDue */
function leadGroup(lists, leadDue) {
  leadDue.input.setAttribute("aria-describedby", "as-lead-due-hint");
  return group("as-lead", t("leadLegend"), t("leadHint"),
    lists.leadChosen, lists.pickers.lead.element,
    h("div", { class: "form-grid" },
      h("div", { class: "field" },
        h("label", { for: "as-lead-due" }, t("dueDate")),
        h("p", { class: "hint", id: "as-lead-due-hint" }, t("leadDueHint")),
        h("p", { class: "field-error", id: "as-lead-due-error", hidden: true }),
        leadDue.element)));
}

/** @param {ProcessingContext} ctx @param {HTMLElement} trigger @param {Delegation | null} [forLeader] */
export function openAssign(ctx, trigger, forLeader = null) {
  const labels = {
    "as-lead-due": `${t("leadLegend")} — ${t("dueDate")}`, "as-lead-search": t("leadLegend"),
    "as-co-search": t("coLegend"), "as-info-search": t("infoLegend"), "as-assignees": t("assigneesLabel"),
    "as-instruction": t("instruction"),
  };
  const lists = assigneeLists(ctx.unitId, labels);
  const leadDue = dateField({ id: "as-lead-due", name: "lead_due", min: todayIso(), label: t("dueDate") });
  const instruction = h("textarea", { name: "instruction", rows: "3", maxlength: "2000" });
  const { form } = stepForm({
    id: "assign", title: t("assignTitle"), intro: forLeader ? `${t("assignIntro")} ${actingFor(forLeader)}.` : t("assignIntro"),
    fields: [
      h("div", { class: "field-wide assign-groups", id: "as-assignees", tabindex: "-1", role: "group", "aria-label": t("assigneesLabel") },
        h("p", { class: "field-error", id: "as-assignees-error", hidden: true }),
        leadGroup(lists, leadDue),
        group("as-co", t("coLegend"), t("coHint"), lists.coList, lists.pickers.co.element),
        group("as-info", t("infoLegend"), t("infoHint"), lists.infoList, lists.pickers.info.element)),
      { id: "as-instruction", label: t("instruction"), control: instruction, wide: true, hint: t("instructionHint") },
    ],
    confirmLabel: t("actionAssign"), controlFor, labels,
    cancel: () => ctx.closeForm(trigger), onError: ctx.moved,
    submit: async (errs) => {
      const { handlers, problems } = coHandlers(lists.co);
      Object.assign(problems, dateProblems({ "lead.due_date": leadDue }));
      if (!lists.lead.chosen) problems.lead = t("leadRequired");
      if (Object.keys(problems).length) {
        errs.show(null, problems);
        return;
      }
      const due = leadDue.value();
      /** @type {Record<string, any>} */
      const body = {
        lead: { ...who(lists.lead.chosen), ...(due ? { due_date: due } : {}) },
        co_handlers: handlers,
        for_info: lists.info.map(who),
      };
      if (instruction.value.trim()) body.instruction = instruction.value.trim();
      ctx.apply(await api.assignIncoming(ctx.documentId, body), t("doneAssigned"));
    },
  });
  ctx.show(form, trigger, lists.pickers.lead.input);
}
