"""What a caller may do with a document now: the rule that act_on_outgoing enforces and
the ``allowed_actions`` every answer carries, written once so the two cannot drift (the
web UI shows a button for an action iff it is in the list). No nameko, no database: the
entrypoints pass in what they read (the caller, the document's facts, the delegations
in force for the caller).
"""
from __future__ import annotations

from services.common.identity import CLERK, Caller
from services.documents import delegations, domain, outgoing

EDIT = "edit"      # save a new version of a draft (add_outgoing_version)
COPY = "copy"      # make a bản sao of it in one's unit (create_copy)
FILE = "file"      # add it to a dossier of one's unit (add_to_dossier)


def may_take_step(caller: Caller, action: str, unit_id: str, confidentiality: str,
                  delegated: bool = False) -> bool:
    """Whether the caller may take a step on an outgoing document of ``unit_id``: a role
    the step allows in that unit and clearance for its level (outgoing.may_take), or —
    for a person, cleared for the level — a delegation in force that covers the step
    (sign, approve) for the document's type (``delegated``)."""
    if outgoing.may_take(caller, action, unit_id, confidentiality):
        return True
    return (delegated and action in delegations.ACTIONS and not caller.system
            and caller.cleared_for(confidentiality))


def held_by_chain(action: str, state: str, in_approval_chain: bool) -> bool:
    """A submitted draft in its unit's approval chain is approved or returned in the
    chain (My work, through workflow), not directly."""
    return (in_approval_chain and state == outgoing.SUBMITTED
            and action in outgoing.CHAIN_ACTIONS)


def step_open(action: str, state: str, digitally_signed: bool = False) -> bool:
    """Whether the step leads out of the document's current state, given whether its PDF
    carries the signer's digital signature (signature_allows)."""
    return state in outgoing.STEPS[action].sources and \
        signature_allows(action, state, digitally_signed)


def signature_allows(action: str, state: str, digitally_signed: bool) -> bool:
    """The organisation's signature goes only over a signer's digital signature (ND30
    Điều 33.1.b), and a digitally signed document is issued only once it carries both
    (Điều 5.1); a document signed on paper is issued once numbered, as before."""
    if action == "seal":
        return digitally_signed
    if action == "issue" and state == outgoing.NUMBERED:
        return not digitally_signed
    return True


def outgoing_actions(caller: Caller, *, state: str, unit_id: str, confidentiality: str,
                     in_approval_chain: bool, delegated: frozenset[str] = frozenset(),
                     digitally_signed: bool = False) -> list[str]:
    """``allowed_actions`` of an outgoing document, sorted: the steps of outgoing.STEPS
    the caller may take from its state (may_take_step; ``delegated``: the delegation
    actions in force for the caller in the document's unit and type), without approve
    and return while the draft waits in its approval chain (held_by_chain; a service
    takes those for the chain's approvers), "seal" only over a signer's digital
    signature and "issue" of such a document only once sealed (signature_allows), and
    "edit" while the draft may be changed
    (outgoing.may_edit in an editable state). What a step checks only when taken — a
    draft without recipients, a number already used — leaves it in the list; the step
    then answers 409 saying what is missing."""
    allowed = [action for action in outgoing.STEPS
               if step_open(action, state, digitally_signed)
               and may_take_step(caller, action, unit_id, confidentiality,
                                 action in delegated)
               and not (held_by_chain(action, state, in_approval_chain)
                        and not caller.system)]
    if state in outgoing.EDITABLE and outgoing.may_edit(caller, unit_id, confidentiality):
        allowed.append(EDIT)
    return sorted(allowed)


def incoming_actions(caller: Caller, *, state: str) -> list[str]:
    """``allowed_actions`` of an incoming document the caller may see, sorted: "copy"
    for a văn thư (of any unit: the copy is made in one of theirs) unless the document
    was recalled (create_copy); "file" for a member of a unit, whose dossiers they may
    file into (add_to_dossier). Registration fields cannot be changed once registered,
    so there is no "edit"; processing (submit, assign) is workflow's."""
    allowed = []
    if caller.has_role_anywhere(CLERK) and state != domain.STATE_RECALLED:
        allowed.append(COPY)
    if caller.unit_ids:
        allowed.append(FILE)
    return sorted(allowed)
