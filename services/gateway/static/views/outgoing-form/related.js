// @ts-check
// "Thay thế / Đính chính văn bản" on a draft: whether it replaces (errors of content) or
// corrects (errors of form) a document its unit issued, and which one — picked from the
// unit's issued documents (GET /outgoing?state=issued), filtered by số/ký hiệu or subject.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { codeOf } from "../../components/links.js";
import { errorSlotId } from "../../widgets.js";

const PAGE_SIZE = 100;

/** @param {Record<string, any>} doc */
const optionText = (doc) => `${codeOf(doc)} — ${doc.subject || ""}`;

/**
 * @param {{id: (name: string) => string, doc: Record<string, any> | null, unitId: () => string | undefined}} options
 * @returns {{element: HTMLElement, value: () => ({kind: string, id: string} | null), reload: () => void}}
 */
export function relatedSection({ id, doc, unitId }) {
  const kind = h("select", { id: id("related-kind"), name: "related_kind", "aria-describedby": errorSlotId(id("related-kind")) },
    h("option", { value: "" }, t("relatedNone")),
    h("option", { value: "replaces" }, t("relatedKindReplaces")),
    h("option", { value: "corrects" }, t("relatedKindCorrects")));
  const filter = h("input", { id: id("related-filter"), type: "search", maxlength: "100", placeholder: t("relatedFilterHint") });
  const picker = h("select", { id: id("related-doc"), name: "related_id", "aria-describedby": errorSlotId(id("related-doc")) });
  const status = h("p", { class: "hint", "aria-live": "polite" });
  const chooser = h("div", { class: "form-grid" },
    h("div", { class: "field" }, h("label", { for: id("related-filter") }, t("relatedFilter")), filter),
    h("div", { class: "field field-wide" }, h("label", { for: id("related-doc") }, t("relatedDocument")), picker,
      h("p", { class: "field-error", id: errorSlotId(id("related-doc")), hidden: true }), status));
  /** @type {Record<string, any>[]} */
  let issued = [];
  let loadedFor = "";
  const current = doc?.related || null;

  function offer() {
    const words = filter.value.trim().toLowerCase();
    const chosen = picker.value || current?.id || "";
    const shown = issued.filter((d) => d.id !== doc?.id && (!words || optionText(d).toLowerCase().includes(words)));
    const options = shown.map((d) => h("option", { value: d.id }, optionText(d)));
    if (chosen && !shown.some((d) => d.id === chosen)) {
      const known = issued.find((d) => d.id === chosen);
      options.unshift(h("option", { value: chosen }, known ? optionText(known) : t("relatedDocument")));
    }
    picker.replaceChildren(h("option", { value: "" }, t("relatedChoose")), ...options);
    picker.value = chosen;
    status.textContent = issued.length ? t("relatedCount", shown.length) : t("relatedNoneIssued");
  }

  async function load() {
    const unit = unitId();
    if (!unit || unit === loadedFor) return;
    loadedFor = unit;
    status.textContent = t("loading");
    try {
      const page = await api.listOutgoing({ unit_id: unit, state: "issued", page_size: PAGE_SIZE });
      issued = (page.items || []).filter((d) => !d.replaced_by_id || d.id === current?.id);
    } catch (error) {
      issued = [];
      loadedFor = "";
      status.textContent = /** @type {Error} */ (error).message;
      return;
    }
    offer();
  }

  function toggle() {
    chooser.hidden = !kind.value;
    if (kind.value) load();
  }

  kind.value = current?.kind || "";
  filter.addEventListener("input", offer);
  kind.addEventListener("change", toggle);
  offer();
  toggle();
  const element = h("fieldset", { class: "section", id: id("related") },
    h("legend", {}, t("sectionRelated")),
    h("p", { class: "hint section-hint" }, t("relatedHint")),
    h("div", { class: "form-grid" }, h("div", { class: "field" },
      h("label", { for: id("related-kind") }, t("relatedKind")), kind,
      h("p", { class: "field-error", id: errorSlotId(id("related-kind")), hidden: true }))),
    chooser);
  return {
    element,
    value: () => (kind.value && picker.value ? { kind: kind.value, id: picker.value } : null),
    // another unit chosen for a new draft: its own issued documents
    reload: () => {
      picker.value = "";
      issued = [];
      loadedFor = "";
      offer();
      toggle();
    },
  };
}
