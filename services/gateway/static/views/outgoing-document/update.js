// @ts-check
// "Cập nhật thông tin" of an issued document (the step "update", next to "Thu hồi"): the
// particulars an update may change (components/change-answer.js UPDATABLE — never its
// number, date, issuer, type, confidentiality, signer or files), filled with what they are,
// and the reason every recipient reads. Only what was changed is sent; each internal
// recipient's văn thư and each agency agrees or refuses (shown under Nơi nhận and Gửi liên
// thông).

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { codes, urgencyLabel } from "../../labels.js";
import { dateField, stepForm } from "../../widgets.js";

/**
 * The form; ``send(payload)`` takes the step (steps.js) and says how it went.
 * @param {Record<string, any>} doc
 * @param {{send: (payload: Record<string, any>, errors: import("../../components/forms.js").FormErrors) => Promise<void>,
 *   close: () => void}} hooksOf
 */
export function updateForm(doc, { send, close }) {
  const subject = h("textarea", { name: "subject", rows: "2", maxlength: "500" });
  subject.value = doc.subject || "";
  const description = h("textarea", { name: "description", rows: "2", maxlength: "500" });
  description.value = doc.description || "";
  const pages = h("input", { type: "number", name: "page_amount", min: "1", max: "999", value: doc.page_amount ?? "" });
  const due = dateField({ id: "f-update-due_date", name: "due_date", value: doc.due_date, label: t("dueDate") });
  const urgency = h("select", { name: "urgency" }, codes("urgencies").map((u) => h("option", { value: u, selected: u === doc.urgency }, urgencyLabel(u))));
  const reason = h("textarea", { name: "reason", rows: "2", maxlength: "1000" });
  /** @type {Record<string, string>} */
  const controls = {
    subject: "f-update-subject", description: "f-update-description", page_amount: "f-update-page_amount",
    due_date: "f-update-due_date", urgency: "f-update-urgency", reason: "f-update-reason",
  };
  const { form } = stepForm({
    id: "update", title: t("updateTitle"), intro: t("updateIntro"), confirmLabel: t("action_update"), confirmClass: "btn-warning",
    fields: [
      { id: controls.subject, label: t("subject"), control: subject, wide: true },
      { id: controls.description, label: t("description"), control: description, wide: true },
      { id: controls.page_amount, label: t("pageAmount"), control: pages },
      { id: controls.due_date, label: t("dueDate"), control: due.element },
      { id: controls.urgency, label: t("urgency"), control: urgency },
      { id: controls.reason, label: t("updateReason"), control: reason, required: true, wide: true },
    ],
    controlFor: (key) => controls[key.replace(/^changes\./, "")] || null,
    dates: { due_date: due },
    submit: async (errors) => {
      /** @type {Record<string, any>} */
      const changes = {};
      const given = {
        subject: subject.value.trim(), description: description.value.trim() || null,
        page_amount: pages.value.trim() ? Number(pages.value) : doc.page_amount ?? null,
        due_date: due.value() || null, urgency: urgency.value,
      };
      for (const [name, value] of Object.entries(given)) {
        if (value !== (doc[name] ?? null)) changes[name] = value;
      }
      /** @type {Record<string, string>} */
      const problems = {};
      if (!reason.value.trim()) problems.reason = t("reasonRequired");
      if (!Object.keys(changes).length) problems.subject = t("updateNothing");
      if (Object.keys(problems).length) {
        errors.show(null, problems);
        return;
      }
      await send({ changes, reason: reason.value.trim() }, errors);
    },
    cancel: close,
  });
  return { form, focus: () => subject.focus() };
}
