// @ts-check
// Soạn dự thảo văn bản đi: the draft form (views/outgoing-form.js); the draft is saved
// as version 1 and the drafter goes on to the document, from where it is submitted.

import { api } from "../api.js";
import { alertBox, h, pageHeading } from "../dom.js";
import { t } from "../i18n.js";
import { currentMembership, draftingMemberships, navigate, setFlash } from "../state.js";
import { draftForm } from "./outgoing-form/draft-form.js";

export function renderOutgoingNew(view) {
  const drafting = draftingMemberships();
  const current = currentMembership();
  view.append(pageHeading(t("draftTitle")));
  if (!drafting.length) {
    view.append(alertBox("error", t("draftNotAllowed")));
    return { title: t("draftTitle") };
  }
  // The unit the user is working in comes first.
  const units = [...drafting].sort((a, b) =>
    (b.unit_id === current?.unit_id ? 1 : 0) - (a.unit_id === current?.unit_id ? 1 : 0));
  const { form } = draftForm({
    prefix: "f-", units, submitLabel: t("saveDraft"), submitId: "draft-save",
    cancel: h("a", { href: "#/outgoing", class: "btn btn-link" }, t("cancel")),
    save: async (body) => {
      const doc = await api.createOutgoing(body);
      setFlash("success", t("draftSaved"));
      navigate(`#/outgoing/${encodeURIComponent(doc.id)}`);
    },
  });
  form.setAttribute("aria-labelledby", "page-title");
  view.append(h("p", { class: "muted page-sub" }, t("draftIntro")), form);
  return { title: t("draftTitle") };
}
