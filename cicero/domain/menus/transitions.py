"""How a step hands back: the small vocabulary every machine module uses."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from cicero.domain.menus.model import (
    Answer,
    Answered,
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
    MenuMisuse,
    OtpChecked,
    OtpIssued,
    PasswordLinkSent,
    PhoneOwner,
    Query,
    Reply,
    StaffFound,
    StaffMany,
    TextIn,
    clip,
)

Out = tuple[ChatState, list[Effect]]
TextHandler = Callable[[ChatState, Flow, TextIn], Out]
AnswerHandler = Callable[[ChatState, Flow, Answered, Answer], Out]
_Step = TypeVar("_Step", bound=StrEnum)
_Kind = TypeVar("_Kind", bound=Answer)


def on_answer(
    step: _Step, kind: type[_Kind], fn: Callable[[ChatState, Flow, Answered, _Kind], Out]
) -> tuple[tuple[_Step, type], AnswerHandler]:
    """One row of a machine's ANSWER table: `fn` at `step` takes the `kind` of answer only.

    The dispatcher finds the row by the answer's type; the check here makes that typed."""

    def handler(state: ChatState, flow: Flow, ev: Answered, answer: Answer) -> Out:
        if not isinstance(answer, kind):
            raise MenuMisuse(f"{type(answer).__name__} given to a {kind.__name__} handler")
        return fn(state, flow, ev, answer)

    return (step, kind), handler

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
