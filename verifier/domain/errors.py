"""Problems found in input and the errors that carry them to the user.

A `Problem` is one precise reason (a message code with parameters, rendered in the user's
language by `verifier.i18n`), attached to the field it concerns when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from verifier import i18n

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One reason why input is wrong (or, as a warning, probably wrong).

    Where it is, as data rather than a string to parse: `field` names the input ("nir",
    "quantity"...), `line` the claim line (1-based) when the problem is one line's. A line's
    problem may have no field (the line as a whole).
    """

    code: str
    params: dict[str, object] = field(default_factory=dict)
    field: str | None = None
    line: int | None = None

    def on_line(self, number: int) -> Problem:
        """The same problem, placed on claim line `number`."""
        return replace(self, line=number)

    @property
    def path(self) -> str:
        """Where, as text for logs and reports: "line2.quantity", "line2", "nir" or ""."""
        if self.line is None:
            return self.field or ""
        return f"line{self.line}" + (f".{self.field}" if self.field else "")

    def message(self) -> str:
        return i18n.say(self.code, **self.params)

    def __str__(self) -> str:
        return self.message()


@dataclass(frozen=True)
class Checked(Generic[T]):
    """The result of checking an identifier: a normalised value, or the reasons it is wrong.

    `value` is None exactly when `problems` is not empty. `warnings` never block.
    """

    value: T | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @classmethod
    def good(cls, value: T, warnings: tuple[Problem, ...] = ()) -> Checked[T]:
        return cls(value=value, problems=(), warnings=warnings)

    @classmethod
    def bad(cls, *problems: Problem) -> Checked[T]:
        return cls(value=None, problems=tuple(problems))

    def unwrap(self) -> T:
        """The value, or a ValidationError carrying every problem."""
        if self.problems or self.value is None:
            raise ValidationError(self.problems)
        return self.value


class DomainError(Exception):
    """A rule of the business was broken; the message is a sentence for the user."""

    def __init__(self, code: str, /, **params: object) -> None:
        self.problem = Problem(code, dict(params))
        super().__init__(code)

    def __str__(self) -> str:
        return self.problem.message()


class ValidationError(DomainError):
    """Input refused, with every reason at once."""

    def __init__(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else Problem("validation.unknown")
        Exception.__init__(self, first.code)
        self.problem = first

    def __str__(self) -> str:
        return " ".join(p.message() for p in self.problems)


class IllegalTransition(DomainError):
    """A claim was asked to move to a state it cannot reach from where it is."""


class PermissionDenied(DomainError):
    """The signed-in user's role does not allow this action."""


class NotFound(DomainError):
    """A record that was asked for does not exist."""


i18n.register(
    {
        "validation.unknown": i18n.N_("La saisie est invalide."),
    }
)
