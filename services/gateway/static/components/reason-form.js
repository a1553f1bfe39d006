// @ts-check
// The form of a step that needs the reason the other side reads ("Trả lại", "Từ chối
// thu hồi", "Từ chối cập nhật"): one textarea, required, refused empty before the server
// is asked; a 403 or 409 (the document moved on meanwhile) goes to ``moved``.

import { ApiError } from "../api.js";
import { h } from "../dom.js";
import { stepForm } from "./step-form.js";

/**
 * @param {{id: string, title: string, intro: string, action: string, label: string,
 *   required: string, send: (reason: string) => Promise<void>}} step
 * @param {{close: () => void, moved: (error: ApiError) => void}} hooksOf
 */
export function reasonForm(step, { close, moved }) {
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
