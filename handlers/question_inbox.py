"""A pendamping's "Member questions": the open questions of their own kelompok's members, newest first;
open one, answer it by typing (the answer goes to the member as coming from the pendamping), or close it
without answer. Every read goes through the question port, which only returns the pendamping's own.

Button ids: "pq" (the list), "pq:o:<question>" (open), "pq:c:<question>" (close). While answering:

    flow "pq", step "answer", data {"question": 7}"""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.events import AccessRefused, QuestionAnswered, QuestionClosed
from bot.core.messages import Button, Inbound, InboundKind, Outbound
from bot.core.ports import QuestionView
from bot.core.router import Router
from bot.core.timefmt import format_when
from bot.core.users import Role
from handlers.authz import pendamping_of, refuse
from handlers.menu import back_to_menu
from handlers.rsvp_view import shorten

router = Router()

FLOW = "pq"
LIST_MAX = 9
ANSWER_MAX = 1000
ACTIONS = {"o": "question.open", "c": "question.close"}


def inbox_button(ctx: Context) -> Button:
    return Button("pq", ctx._("Member questions"))


def _done(ctx: Context, text: str, event: QuestionAnswered | QuestionClosed | None = None) -> Result:
    buttons = (inbox_button(ctx), back_to_menu(ctx))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.idle(), events=(event,) if event else ())


def not_yours(ctx: Context, action: str, question_id: int | None) -> Result:
    text = ctx._("That question is not from a member of your groups, so I cannot show it.")
    return ctx.reply(
        Outbound(text, (back_to_menu(ctx),)),
        state=ctx.state.idle(),
        events=(AccessRefused(action, "question", question_id),),
    )


@router.command("pertanyaan", "pertanyaan anggota", role=Role.PENDAMPING)
@router.button("pq")
async def questions(ctx: Context, msg: Inbound) -> Result:
    parts = msg.button_id.split(":") if msg.kind is InboundKind.BUTTON else [FLOW]
    action, arg = [*parts, "", ""][1:3]
    target = int(arg) if arg.isdigit() else None
    pendamping = pendamping_of(ctx)
    if pendamping is None:
        return refuse(ctx, ACTIONS.get(action, "question.list"), "question", target)
    if action not in ACTIONS:
        return await inbox(ctx, pendamping)
    question = await ctx.ports.questions.question(pendamping, target) if target is not None else None
    if question is None:
        return not_yours(ctx, ACTIONS[action], target)
    if question.status != "open":
        return handled(ctx, question)
    if action == "c":
        text = ctx._("The question was closed without an answer. {name} is not told.")
        return _done(ctx, text.format(name=question.member_name), QuestionClosed(question.id))
    return show(ctx, question)


async def inbox(ctx: Context, pendamping: int) -> Result:
    rows = await ctx.ports.questions.open_questions(pendamping, LIST_MAX)
    if not rows:
        text = ctx._("There are no open member questions.")
        return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
    blocks = [ctx._("Open member questions, newest first:")]
    for number, question in enumerate(rows, 1):
        when = format_when(question.asked_at, question.timezone, ctx.t.locale)
        heading = f"{number}. {question.member_name} ({question.kelompok_name}), {when}:"
        blocks.append(f"{heading}\n“{shorten(question.text, 100)}”")
    count = await ctx.ports.questions.open_count(pendamping)
    if count > len(rows):
        more = ctx._("These are the newest {shown} of {count}; answer or close them to see the others.")
        blocks.append(more.format(shown=len(rows), count=count))
    blocks.append(ctx._("Tap one to read it and answer."))
    buttons = tuple(
        Button(f"pq:o:{q.id}", shorten(f"{n}. {q.member_name}", 24)) for n, q in enumerate(rows, 1)
    )
    return ctx.reply(Outbound("\n\n".join(blocks), (*buttons, back_to_menu(ctx))), state=ctx.state.idle())


def _heading(ctx: Context, question: QuestionView) -> str:
    when = format_when(question.asked_at, question.timezone, ctx.t.locale)
    return ctx._("Question from {name} ({group}), {when}:").format(
        name=question.member_name, group=question.kelompok_name, when=when
    )


def show(ctx: Context, question: QuestionView) -> Result:
    ask = ctx._(
        "Type your answer in one message of at most {limit} letters. {name} will get it as coming from you."
    ).format(limit=ANSWER_MAX, name=question.member_name)
    text = f"{_heading(ctx, question)}\n\n{question.text}\n\n{ask}"
    buttons = (Button(f"pq:c:{question.id}", ctx._("Close without answer")), back_to_menu(ctx))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.at(FLOW, "answer", question=question.id))


def handled(ctx: Context, question: QuestionView) -> Result:
    if question.status == "answered":
        status = ctx._("This question was already answered:") + f"\n\n{question.answer or ''}"
    else:
        status = ctx._("This question was closed without an answer.")
    return _done(ctx, f"{_heading(ctx, question)}\n\n{question.text}\n\n{status}")


@router.flow(FLOW)
async def typed(ctx: Context, msg: Inbound) -> Result:
    pendamping = pendamping_of(ctx)
    raw = ctx.state.data.get("question")
    question_id = raw if isinstance(raw, int) else None
    if pendamping is None:
        return refuse(ctx, "question.answer", "question", question_id)
    question = await ctx.ports.questions.question(pendamping, question_id) if question_id else None
    if question is None:
        return not_yours(ctx, "question.answer", question_id)
    if question.status != "open":
        return handled(ctx, question)
    text = msg.text.strip()
    close = (Button(f"pq:c:{question.id}", ctx._("Close without answer")), back_to_menu(ctx))
    if not text:
        return ctx.reply(Outbound(ctx._("Please type your answer as text."), close))
    if len(text) > ANSWER_MAX:
        problem = ctx._(
            "That is too long: {length} letters. Please shorten it to at most {limit} letters and send it again."
        ).format(length=len(text), limit=ANSWER_MAX)
        return ctx.reply(Outbound(problem, close))
    done = ctx._("Your answer was sent to {name}.").format(name=question.member_name)
    return _done(ctx, done, QuestionAnswered(question.id, text))
