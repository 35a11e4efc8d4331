"""How a step hands back: the small vocabulary every machine module uses."""

from dataclasses import replace
from datetime import datetime

from cicero.domain.menus.model import (
    ChatState,
    CheckOtp,
    ComplaintData,
    ComplaintFacts,
    Context,
    Effect,
    FindHandleOwner,
    FindPhoneOwner,
    FindStaff,
    FindStaffMany,
    Flow,
    HandleOwner,
    IssueOtp,
    IssuePasswordLink,
    Lookup,
    Machine,
    OtpChecked,
    OtpIssued,
    PasswordLinkSent,
    PhoneOwner,
    Query,
    Reply,
    StaffFound,
    StaffMany,
    clip,
)

Out = tuple[ChatState, list[Effect]]

# Which answer settles which question; the dispatcher refuses any other pairing.
ANSWER_OF: dict[type, type] = {
    FindStaff: StaffFound,
    FindHandleOwner: HandleOwner,
    FindPhoneOwner: PhoneOwner,
    IssueOtp: OtpIssued,
    CheckOtp: OtpChecked,
    ComplaintFacts: ComplaintData,
    FindStaffMany: StaffMany,
    IssuePasswordLink: PasswordLinkSent,
}

MENU_FOOTER = "Ketik *menu* untuk menu utama, *batal* untuk keluar."
BACK_FOOTER = "Ketik *back* untuk kembali, *batal* untuk keluar."
CANCEL_FOOTER = "Ketik *batal* untuk keluar."


def opened(state: ChatState, machine: Machine, step: str, ctx: Context, at: datetime) -> Flow:
    del state  # signature kept parallel to `stay`/`close`
    return Flow(machine, step, at + ctx.config.idle_timeout)


def stay(state: ChatState, flow: Flow, *effects: Effect | str) -> Out:
    return replace(state, flow=flow), [_effect(e) for e in effects]


def goto(state: ChatState, flow: Flow, step: str, *effects: Effect | str, **data: str) -> Out:
    return stay(state, replace(flow, step=step).put(**data), *effects)


def close(state: ChatState, *effects: Effect | str) -> Out:
    return replace(state, flow=None), [_effect(e) for e in effects]


def ask(state: ChatState, flow: Flow, query: Query, *effects: Effect | str) -> Out:
    """Put a question to the router; its answer comes back in the same transaction."""
    waiting = replace(flow, awaiting=type(query).__name__)
    return replace(state, flow=waiting), [*(_effect(e) for e in effects), Lookup(query)]


def _effect(e: Effect | str) -> Effect:
    return Reply(clip(e)) if isinstance(e, str) else e
