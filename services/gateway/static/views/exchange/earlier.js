// @ts-check
// What a received document replaces (an edoc of type 3) or corrects (đính chính: its
// ResponseFor names a document the same agency sent before): the earlier received document,
// by its số/ký hiệu and subject, with its state here and, once registered, its incoming document.

import { alertBox, h } from "../../dom.js";
import { t } from "../../i18n.js";
import { receivedStateBadge } from "./common.js";

/**
 * The note, or null when the document stands alone.
 * @param {import("./common.js").Received & {earlier?: Record<string, any> | null}} r
 */
export function earlierNote(r) {
  const earlier = r.earlier;
  const earlierId = earlier?.id || r.replaces_id;
  if (!earlierId) return null;
  const kind = earlier?.kind === "corrects" ? "relatedCorrects" : "relatedReplaces";
  const text = earlier ? [earlier.code, earlier.subject].filter(Boolean).join(" — ") : t("receivedReplacedLink");
  return alertBox("info", h("p", { id: "received-earlier", dataset: { kind: earlier?.kind || "replaces" } },
    `${t(kind)}: `,
    h("a", { href: `#/exchange/received/${encodeURIComponent(earlierId)}`, id: "received-earlier-link" }, text || t("relatedDocument")),
    earlier ? " " : null,
    earlier ? receivedStateBadge(earlier.state) : null,
    earlier?.incoming_id
      ? [" · ", h("a", { href: `#/documents/${encodeURIComponent(earlier.incoming_id)}`, id: "received-earlier-incoming" }, t("receivedOpenIncoming"))]
      : (earlier ? h("span", { class: "muted" }, ` (${t("receivedEarlierNotRegistered")})`) : null)));
}
