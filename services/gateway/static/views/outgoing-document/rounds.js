// @ts-check
// An outgoing draft's approval chain read from its items: the approvers of one step are
// given the draft at the same instant; a round ends with a return, or with a step closed
// unanswered when the draft was returned some other way and submitted again. Each item
// names its step.

/** @typedef {Record<string, any>} Item */
/** One step of the chain as drawn: its approvers, whether all or any must approve, and this round's items. @typedef {{step: number, mode: string | null, approvers: string[], items: Item[]}} ChainStep */

/** The approval items as rounds of steps: [[[item, …] (step 1), …] (round), …]. @param {Item[]} items */
export function approvalRounds(items) {
  const approvals = items.filter((i) => i.kind === "approve")
    .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
  /** @type {Item[][]} */
  const steps = [];
  for (const item of approvals) {
    const last = steps[steps.length - 1];
    if (last && last[0].created_at === item.created_at) last.push(item);
    else steps.push([item]);
  }
  /** @type {Item[][][]} */
  const rounds = [[]];
  for (const step of steps) {
    rounds[rounds.length - 1].push(step);
    const ended = step.some((i) => i.state === "returned") || step.every((i) => i.state === "closed");
    if (ended) rounds.push([]);
  }
  return rounds.filter((round) => round.length);
}

/** Where a step of the round stands. @param {Item[]} step */
export function stepState(step) {
  if (step.some((i) => i.state === "returned")) return "returned";
  if (step.some((i) => i.state === "open")) return "open";
  if (step.some((i) => i.state === "done")) return "done";
  return "closed";
}

/**
 * The chain's steps with the latest round's items; from the items alone for a chain
 * without steps (one set before steps were kept).
 * @param {Record<string, any>} processing
 * @returns {{round: Item[][], chain: ChainStep[]}}
 */
export function latestRound(processing) {
  const rounds = approvalRounds(processing.items || []);
  const round = rounds[rounds.length - 1] || [];
  const chain = (processing.approval_steps || []).length
    ? processing.approval_steps.map((s) => ({
      step: s.step, mode: s.mode, approvers: s.approvers || [],
      items: round.flat().filter((i) => i.step === s.step),
    }))
    : round.map((items, index) => ({
      step: index + 1, mode: items[0]?.mode || null, approvers: items.map((i) => i.user_id), items,
    }));
  return { round, chain };
}
