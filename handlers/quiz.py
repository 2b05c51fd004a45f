"""Quizzes: one question per message, answered by letter; the feedback and the next question come in the
same reply, so each question costs one tap. The quiz in progress lives in the dialog state, so it
survives restarts:

    flow "quiz", data {"session": 1, "attempt": 2, "order": ["s01q2", "s01q5"], "index": 1, "wrong": []}

A finished quiz leaves {"quiz_done": {"session": 1, "attempt": 2, "wrong": ["s01q5"]}} in an idle state,
which is what "retry the wrong ones" reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.content import Question, Session
from bot.core.context import Context, Result
from bot.core.dialog import DialogState
from bot.core.events import QuizAnswered
from bot.core.i18n import N_
from bot.core.messages import Button, Inbound, Outbound
from bot.core.router import Router, command_args
from handlers.lessons import session_heading
from handlers.menu import back_to_menu
from handlers.onboarding import ask_consent

router = Router()

FLOW = "quiz"
LETTERS = "ABCD"
# Buttons carry only the letter, so the full option text is never cut by a 20-character button limit.
_CHOOSE = {
    2: N_("Please choose A or B."),
    3: N_("Please choose A, B or C."),
    4: N_("Please choose A, B, C or D."),
}


@dataclass(frozen=True)
class Run:
    """A quiz in progress, read back from the dialog state."""

    session: Session
    attempt: int
    order: tuple[str, ...]
    index: int
    wrong: tuple[str, ...]

    @property
    def question(self) -> Question:
        return next(q for q in self.session.quiz if q.id == self.order[self.index])

    def to_state(self, ctx: Context) -> DialogState:
        return ctx.state.at(
            FLOW,
            session=self.session.number,
            attempt=self.attempt,
            order=list(self.order),
            index=self.index,
            wrong=list(self.wrong),
        )


def current_run(ctx: Context) -> Run | None:
    """The quiz in progress, or None if there is none (or the stored state no longer fits the content)."""
    data = ctx.state.data
    if ctx.state.flow != FLOW:
        return None
    number, attempt, index = data.get("session"), data.get("attempt"), data.get("index")
    order, wrong = data.get("order"), data.get("wrong", [])
    if not (isinstance(number, int) and isinstance(attempt, int) and isinstance(index, int)):
        return None
    session = ctx.ports.curriculum.session(number)
    if session is None or not isinstance(order, list) or not isinstance(wrong, list):
        return None
    known = {q.id for q in session.quiz}
    if not 0 <= index < len(order) or not set(order) <= known or not set(wrong) <= known:
        return None
    return Run(session, attempt, tuple(order), index, tuple(wrong))


@router.command("kuis", "/kuis", "quiz")
@router.button("quiz")
async def quiz(ctx: Context, msg: Inbound) -> Result:
    parts = msg.button_id.split(":") if msg.button_id else ["quiz"]
    match parts:
        case ["quiz"]:
            typed = command_args(msg)
            if typed.isdigit() and ctx.ports.curriculum.session(int(typed)) is not None:
                return await start(ctx, int(typed))
            return chooser(ctx)
        case ["quiz", "start", number] if number.isdigit() and ctx.ports.curriculum.session(int(number)):
            return await start(ctx, int(number))
        case ["quiz", "a", question_id, choice]:
            return answer(ctx, question_id, choice)
        case ["quiz", "retry", number] if number.isdigit():
            return await retry(ctx, int(number))
        case ["quiz", "resume"]:
            run = current_run(ctx)
            return ctx.reply(question_message(ctx, run)) if run else chooser(ctx)
    return stale(ctx, ctx._("That button is no longer active. Please choose again."))


@router.flow(FLOW)
async def typed_during_quiz(ctx: Context, _msg: Inbound) -> Result:
    """A typed letter is matched to its button by the router; anything else lands here."""
    run = current_run(ctx)
    if run is None:
        return chooser(ctx)
    hint = ctx._(_CHOOSE[len(run.question.options)]) + " " + ctx._("To stop the quiz, type MENU.")
    return ctx.reply(Outbound(hint), question_message(ctx, run))


def chooser(ctx: Context, note: str = "") -> Result:
    """The sessions to take a quiz on; typed "3" means the third button, which is session 3."""
    lines = [note, ""] if note else []
    run = current_run(ctx)
    if run is not None:
        lines += [
            ctx._("You are in the middle of the quiz of session {number} (question {n} of {total}).").format(
                number=run.session.number, n=run.index + 1, total=len(run.order)
            ),
            "",
        ]
    lines.append(ctx._("Quiz. Choose a session:"))
    buttons = []
    for session in ctx.ports.curriculum.sessions:
        lines.append(ctx._("{number}. {title}").format(number=session.number, title=session.title))
        buttons.append(
            Button(f"quiz:start:{session.number}", ctx._("Session {number}").format(number=session.number))
        )
    if run is not None:
        buttons.append(Button("quiz:resume", ctx._("Continue quiz")))
    state = ctx.state if run is not None else ctx.state.idle()
    return ctx.reply(Outbound("\n".join(lines), (*buttons, back_to_menu(ctx))), state=state)


def question_message(ctx: Context, run: Run) -> Outbound:
    question = run.question
    header = ctx._("Quiz, session {number} · question {n} of {total}").format(
        number=run.session.number, n=run.index + 1, total=len(run.order)
    )
    options = "\n".join(f"{LETTERS[i]}. {option.text}" for i, option in enumerate(question.options))
    buttons = tuple(Button(f"quiz:a:{question.id}:{i}", LETTERS[i]) for i in range(len(question.options)))
    return Outbound(f"{header}\n\n{question.question}\n\n{options}", buttons)


async def _next_attempt(ctx: Context, number: int, at_least: int = 0) -> int:
    progress = await ctx.ports.progress.of_user(ctx.user.id)
    score = progress.scores.get(number)
    return max(score.attempt if score else 0, at_least) + 1


async def start(ctx: Context, number: int) -> Result:
    run = current_run(ctx)
    if run is not None and run.session.number == number:
        # An old "start" button (or a slip of the finger) must not throw away a quiz half done.
        note = ctx._("This quiz is not finished yet. Let us continue.")
        return ctx.reply(Outbound(note), question_message(ctx, run))
    if not ctx.user.consented:
        return ask_consent(ctx, then=f"quiz:start:{number}")
    session = ctx.ports.curriculum.session(number)
    assert session is not None  # checked by the caller
    attempt = await _next_attempt(ctx, number)
    run = Run(session, attempt, tuple(q.id for q in session.quiz), 0, ())
    count = len(session.quiz)
    intro = (
        ctx._("Quiz: {heading}").format(heading=session_heading(ctx, session))
        + "\n"
        + ctx.t.ngettext(
            "{count} question. Tap the letter of your answer, or type it.",
            "{count} questions. Tap the letter of your answer, or type it.",
            count,
        ).format(count=count)
    )
    return ctx.reply(Outbound(intro), question_message(ctx, run), state=run.to_state(ctx))


async def retry(ctx: Context, number: int) -> Result:
    done = ctx.state.data.get("quiz_done")
    session = ctx.ports.curriculum.session(number)
    wrong: list[Any] = done.get("wrong", []) if isinstance(done, dict) else []
    known = {q.id for q in session.quiz} if session else set()
    if (
        session is None
        or not isinstance(done, dict)
        or done.get("session") != number
        or not wrong
        or not set(wrong) <= known
    ):
        if session is None or current_run(ctx) is not None:
            return stale(ctx, ctx._("That button is no longer active. Please choose again."))
        text = ctx._("There is nothing to retry now. You can take the whole quiz again.")
        buttons = (Button(f"quiz:start:{number}", ctx._("Start quiz")), back_to_menu(ctx))
        return ctx.reply(Outbound(text, buttons), state=ctx.state.idle())
    if not ctx.user.consented:
        return ask_consent(ctx, then=f"quiz:start:{number}")
    last = done.get("attempt")
    attempt = await _next_attempt(ctx, number, last if isinstance(last, int) else 0)
    run = Run(session, attempt, tuple(str(q) for q in wrong), 0, ())
    intro = ctx.t.ngettext(
        "Let us try again the {count} question you missed.",
        "Let us try again the {count} questions you missed.",
        len(wrong),
    ).format(count=len(wrong))
    return ctx.reply(Outbound(intro), question_message(ctx, run), state=run.to_state(ctx))


def stale(ctx: Context, note: str) -> Result:
    """An old or forged button: say so, store nothing, and show where the user really is."""
    run = current_run(ctx)
    if run is None:
        return chooser(ctx, note)
    return ctx.reply(Outbound(note), question_message(ctx, run))


def answer(ctx: Context, question_id: str, choice_text: str) -> Result:
    found = ctx.ports.curriculum.question(question_id)
    if found is None or not choice_text.isdigit() or int(choice_text) >= len(found[1].options):
        return stale(ctx, ctx._("That button is no longer active. Please choose again."))
    run = current_run(ctx)
    if run is None or run.question.id != question_id:
        return stale(ctx, ctx._("That question has passed."))
    if not ctx.user.consented:
        return ask_consent(ctx, then=f"quiz:start:{run.session.number}")
    question, choice = run.question, int(choice_text)
    correct = choice == question.correct_index
    event = QuizAnswered(run.session.number, question.id, choice, correct, run.attempt)
    if correct:
        feedback = ctx._("Right!")
    else:
        right = question.correct_index
        feedback = ctx._("Not quite. The right answer is: {letter}. {answer}").format(
            letter=LETTERS[right], answer=question.options[right].text
        )
    feedback_message = Outbound(f"{feedback}\n\n{question.explanation}")
    wrong = run.wrong if correct else (*run.wrong, question.id)
    if run.index + 1 < len(run.order):
        following = Run(run.session, run.attempt, run.order, run.index + 1, wrong)
        return ctx.reply(
            feedback_message, question_message(ctx, following), state=following.to_state(ctx), events=(event,)
        )
    return ctx.reply(
        feedback_message,
        _score(ctx, run.session, len(run.order), wrong),
        state=ctx.state.idle().with_data(
            quiz_done={"session": run.session.number, "attempt": run.attempt, "wrong": list(wrong)}
        ),
        events=(event,),
    )


def _score(ctx: Context, session: Session, total: int, wrong: tuple[str, ...]) -> Outbound:
    correct = total - len(wrong)
    lines = [
        ctx._("Quiz of session {number} finished.").format(number=session.number),
        ctx.t.ngettext(
            "You answered {correct} of {total} question correctly.",
            "You answered {correct} of {total} questions correctly.",
            total,
        ).format(correct=correct, total=total),
        ctx._("You can try the ones you missed again.") if wrong else ctx._("All correct. Well done!"),
    ]
    buttons = [Button(f"quiz:retry:{session.number}", ctx._("Retry the wrong ones"))] if wrong else []
    if ctx.ports.curriculum.session(session.number + 1) is not None:
        buttons.append(Button(f"learn:s:{session.number + 1}", ctx._("Next session")))
    else:
        buttons.append(Button("learn", ctx._("Learn")))
    return Outbound("\n".join(lines), (*buttons, back_to_menu(ctx)))
