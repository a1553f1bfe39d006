// @ts-check
// Digital signatures on an outgoing document's screen: the certificate the signer signs
// with (or a signature on paper), the organisation's certificate văn thư applies (the
// unit's own by default), the signatures the document carries, the signed PDF opened in
// a new tab, and the verification of the signed PDF and its signed attachments.

import { api } from "../../api.js";
import { formatDate, formatDateTime } from "../../dates.js";
import { fill, h } from "../../dom.js";
import { t } from "../../i18n.js";
import { showPdf } from "../../transfer.js";
import { signaturesSection } from "../../widgets.js";

export const PAPER = "paper";      // the sign picker's value for a signature on paper
export const DEFAULT_ORG = "";     // the seal picker's value for the unit's own certificate

/** Why a certificate cannot sign now, or null. @param {Record<string, any>} cert */
function unusable(cert) {
  if (!cert.valid_now) {
    return Date.parse(cert.not_after) < Date.now()
      ? t("certExpired", formatDate(cert.not_after)) : t("certNotYetValid", formatDate(cert.not_before));
  }
  return cert.has_image === false ? t("certNoImage") : null;
}

/** @param {Record<string, any>} cert */
function certificateOption(cert) {
  const why = unusable(cert);
  const name = [cert.common_name, cert.issuer].filter(Boolean).join(" — ");
  return h("option", { value: cert.id, disabled: Boolean(why) },
    why ? `${name} (${why})` : `${name} (${t("certValidUntil", formatDate(cert.not_after))})`);
}

/**
 * The certificate picker of the sign or seal step: a select that reads the caller's
 * certificates. Signing: the caller's person certificates, the first usable one chosen,
 * and a signature on paper. Sealing: the unit's organisation certificates after the
 * unit's default. `payload()` is what the step sends.
 * @param {Record<string, any>} doc @param {"sign" | "seal"} action
 */
export function certificatePicker(doc, action) {
  const signing = action === "sign";
  const select = h("select", { name: "certificate_id", disabled: true, "aria-busy": "true", "aria-describedby": "step-certificate-note" },
    h("option", { value: "" }, t("loading")));
  const note = h("p", { class: "hint cert-note field-wide", id: "step-certificate-note" });
  const loaded = api.signingCertificates().then((result) => {
    const items = (result?.items || []).filter((c) => (signing
      ? c.holder_kind === "person" : c.holder_kind === "organisation" && c.unit_id === doc.unit_id));
    const first = items.find((c) => !unusable(c));
    fill(select,
      signing ? null : h("option", { value: DEFAULT_ORG }, t("certUnitDefault")),
      items.map(certificateOption),
      signing ? h("option", { value: PAPER }, t("signOnPaper")) : null);
    select.value = signing ? (first ? first.id : PAPER) : DEFAULT_ORG;
    if (signing && !items.length) note.textContent = t("certNoneOwn");
  }).catch((error) => {
    select.replaceChildren(signing ? h("option", { value: PAPER }, t("signOnPaper"))
      : h("option", { value: DEFAULT_ORG }, t("certUnitDefault")));
    note.textContent = `${t("certListFailed")} ${error.message}`;
  }).finally(() => {
    select.disabled = false;
    select.removeAttribute("aria-busy");
  });
  return {
    select, note, loaded,
    /** @returns {Record<string, string>} */
    payload() {
      const value = select.value;
      return value && value !== PAPER ? { certificate_id: value } : {};
    },
  };
}

/** "Ký số: <người ký> — <tổ chức cấp> — số sê-ri … — lúc …" for each signature. @param {Record<string, any>} doc */
export function digitalSignaturesList(doc) {
  const signatures = doc.digital_signatures || [];
  if (!signatures.length) return null;
  return h("ul", { class: "digital-signatures", id: "doc-digital-signatures" }, signatures.map((s) => h("li", {
    class: `digital-signature digital-signature-${s.kind}`, dataset: { kind: s.kind },
  },
  h("strong", {}, `${t(s.kind === "organisation" ? "digitalSigOrganisation" : "digitalSigSigner")}: `),
  t("digitalSigLine", s.common_name || t("none"), s.issuer || t("none"), s.serial || t("none"), formatDateTime(s.signed_at)),
  s.timestamped ? h("span", { class: "muted" }, ` · ${t("digitalSigTimestamped")}`) : null)));
}

/** "Xem văn bản đã ký số": the signed PDF in a new tab. @param {string} fileId */
function signedPdfLink(fileId) {
  const status = h("span", { class: "file-status", role: "status" });
  const link = h("a", {
    href: `/api/v1/files/${encodeURIComponent(fileId)}/content`, target: "_blank", rel: "noopener",
    id: "signed-pdf-link", class: "btn btn-secondary btn-small",
    onclick: (/** @type {Event} */ event) => {
      event.preventDefault();
      const tab = window.open("about:blank", "_blank");
      status.textContent = t("loading");
      showPdf(fileId, tab).then(() => { status.textContent = ""; })
        .catch((error) => { status.textContent = error.message; });
    },
  }, t("viewSignedPdf"));
  return h("p", { class: "signed-pdf" }, link, " ", status);
}

/**
 * The document's digital signatures and the verification of its PDFs: the signed PDF
 * (with a link to it) and its signed attachments when it was signed digitally, else its
 * own files. Null when it has neither.
 * @param {Record<string, any>} doc
 */
export function outgoingSignaturesPanel(doc) {
  const signed = doc.signed_file_id ? [doc.signed_file_id, ...(doc.signed_attachment_ids || [])] : [];
  const fileIds = signed.length ? signed : (doc.file_ids || []);
  const list = digitalSignaturesList(doc);
  if (!fileIds.length && !list) return null;
  return signaturesSection({
    id: "doc-signatures", fileIds,
    extra: list || doc.signed_file_id ? [list, doc.signed_file_id ? signedPdfLink(doc.signed_file_id) : null] : null,
  });
}
