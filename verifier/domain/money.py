"""Euro amounts and percentages: exact decimals, rounded half-up to the cent.

Money is always `decimal.Decimal`. Floats are refused with `TypeError` because a binary
float cannot hold most cent values exactly (0.1 + 0.2 != 0.3) and a claim that is off by
one cent is rejected by the insurer.

Parsing accepts what pharmacy staff type (``12,5``, ``1 234,56 €``, ``€12.50``) and says
precisely what is wrong otherwise; formatting follows the user's language.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError

CENT = Decimal("0.01")

# Parsed amounts above this are refused: no line of a pharmacy claim comes close, and the
# bound keeps every product (quantity x price x rate) far inside the decimal precision.
MAX_AMOUNT = Decimal("999999999.99")

# The precision used for every computation here, independent of whatever the global
# decimal context was set to by other code.
PRECISION = 50

NBSP = "\u00a0"
# Spaces staff or other software may put inside an amount: space, no-break space, narrow
# no-break space (what CLDR puts in French numbers), thin space, tab.
_SPACES = re.compile(r"[ \u00a0\u202f\u2009\t]+")
_MINUS_SIGNS = ("-", "\u2212")
_DIGITS = re.compile(r"[0-9]+")
_GROUP_HEAD = re.compile(r"[0-9]{1,3}")
_GROUP = re.compile(r"[0-9]{3}")

i18n.register(
    {
        "amount.empty": i18n.N_("Le montant est vide : saisissez un montant en euros, par exemple 12,50."),
        "amount.invalid": i18n.N_(
            "« {text} » n'est pas un montant : saisissez un montant en euros, par exemple 12,50."
        ),
        "amount.negative": i18n.N_("Le montant « {text} » est négatif : saisissez un montant positif ou nul."),
        "amount.too_precise": i18n.N_(
            "Le montant « {text} » a plus de deux décimales : arrondissez au centime (séparez les milliers par une espace, pas par une virgule ou un point)."
        ),
        "amount.too_large": i18n.N_("Le montant « {text} » est trop élevé : vérifiez la saisie."),
        "rate.empty": i18n.N_("Le taux est vide : saisissez un pourcentage, par exemple 65."),
        "rate.invalid": i18n.N_("« {text} » n'est pas un taux : saisissez un pourcentage, par exemple 65."),
        "rate.too_precise": i18n.N_("Le taux « {text} » a plus de deux décimales : arrondissez-le."),
        "rate.out_of_range": i18n.N_("Le taux « {text} » doit être compris entre 0 et {maximum} % : corrigez-le."),
    }
)


def require_decimal(value: object, name: str = "amount") -> Decimal:
    """`value` as a finite Decimal; ints are exact and accepted, floats are refused.

    Raises TypeError for floats (and anything else that is not a number we trust) and
    ValueError for NaN and infinities: both are programming errors, not user input.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, not {result}")
    return result


def to_cents(amount: Decimal) -> Decimal:
    """`amount` rounded half-up to the cent (0,005 -> 0,01; -0,005 -> -0,01)."""
    value = require_decimal(amount)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return value.quantize(CENT, rounding=ROUND_HALF_UP)


def decimal_places(value: Decimal) -> int:
    """How many digits `value` carries after the point (trailing zeros count as typed)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def format_eur(amount: Decimal, language: str | None = None) -> str:
    """`amount` rounded to the cent and written for the user.

    French (the default): ``1 234,56 €`` with no-break spaces (U+00A0) between thousands
    and before the sign, so the amount never wraps across lines; ``-1 234,56 €``.
    English: ``€1,234.56``, ``-€1,234.56``.
    """
    lang = i18n.language() if language is None else language
    if lang not in i18n.LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    cents = to_cents(amount)
    # Written from the absolute value so that a rounded -0,001 never shows as "-0,00 €".
    sign = "-" if cents < 0 else ""
    body = f"{abs(cents):,.2f}"  # "1,234.56": Decimal formats exactly, no float involved
    if lang == "en":
        return f"{sign}€{body}"
    french = body.replace(",", NBSP).replace(".", ",")
    return f"{sign}{french}{NBSP}€"


def _strip_currency(text: str) -> str:
    """`text` without a leading or trailing euro sign or EUR code."""
    for symbol in ("€", "EUR"):
        if text.upper().startswith(symbol):
            text = text[len(symbol) :].strip()
        if text.upper().endswith(symbol):
            text = text[: -len(symbol)].strip()
    return text


def _strip_sign(text: str) -> tuple[bool, str]:
    """(whether `text` starts with a minus sign, `text` without it)."""
    if text.startswith(_MINUS_SIGNS):
        return True, text[1:].strip()
    return False, text


def _split_number(text: str) -> tuple[str, str | None] | None:
    """(integer digits, decimal digits or None) of an unsigned number, or None if garbage.

    Separators: a comma or a period used once is the decimal separator (French staff
    type a comma, software often a period). A separator used several times, or the
    leftmost one when both appear ("1.234,56", "1,234.56"), groups thousands, as does a
    single space; groups must then be exactly three digits so that a stray space or
    period is never silently swallowed.
    """
    commas, dots = text.count(","), text.count(".")
    decimal_sep: str | None
    group_sep: str | None
    if commas and dots:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        if text.count(decimal_sep) > 1:
            return None
    elif commas > 1 or dots > 1:
        decimal_sep, group_sep = None, ("," if commas else ".")
    elif commas or dots:
        decimal_sep, group_sep = ("," if commas else "."), None
    else:
        decimal_sep, group_sep = None, None

    whole, fraction = text, None
    if decimal_sep is not None:
        whole, fraction = text.rsplit(decimal_sep, 1)
        if fraction and not _DIGITS.fullmatch(fraction):
            return None
    if group_sep is not None:
        whole = whole.replace(group_sep, " ")
    groups = whole.split(" ")
    if len(groups) > 1:
        if not _GROUP_HEAD.fullmatch(groups[0]) or not all(_GROUP.fullmatch(g) for g in groups[1:]):
            return None
    elif whole and not _DIGITS.fullmatch(whole):
        return None
    digits = "".join(groups)
    if not digits and not fraction:
        return None  # a lone separator
    return digits or "0", fraction


def parse_amount(text: str) -> Decimal:
    """The amount staff typed, as a Decimal with exactly two places.

    Accepts ``12,5``, ``12.50``, ``1 234,56``, ``1 234,56 €``, ``€12.50``, ``12,50 EUR``
    (any kind of space). Refuses, with a `ValidationError`: an empty text
    (``amount.empty``), garbage (``amount.invalid``), a negative amount
    (``amount.negative``), more than two decimals even if they are zeros
    (``amount.too_precise``: "1,500" could be an English 1500) and amounts above
    `MAX_AMOUNT` (``amount.too_large``).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    shown = text.strip()
    cleaned = _SPACES.sub(" ", shown).strip()
    if not cleaned:
        raise ValidationError([Problem("amount.empty", field="amount")])
    # The sign may come on either side of a leading euro sign: "-€12.50", "€-12.50".
    negative, body = _strip_sign(_strip_currency(cleaned))
    body = _strip_currency(body)
    parts = _split_number(body)
    if parts is None:
        raise ValidationError([Problem("amount.invalid", {"text": shown}, field="amount")])
    whole, fraction = parts
    if fraction is not None and len(fraction) > 2:
        raise ValidationError([Problem("amount.too_precise", {"text": shown}, field="amount")])
    with localcontext() as ctx:
        ctx.prec = PRECISION
        try:
            value = Decimal(f"{whole}.{fraction or '0'}").quantize(CENT)
        except InvalidOperation:  # pragma: no cover - only absurdly long digit strings
            raise ValidationError([Problem("amount.too_large", {"text": shown}, field="amount")]) from None
    if negative and value != 0:
        raise ValidationError([Problem("amount.negative", {"text": shown}, field="amount")])
    if value > MAX_AMOUNT:
        raise ValidationError([Problem("amount.too_large", {"text": shown}, field="amount")])
    return abs(value)  # abs() turns a typed "-0" into a plain 0.00


def normalize_rate(value: Decimal) -> Decimal:
    """`value` without trailing zeros nor exponent: 65.0 -> 65, 65.50 -> 65.5."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        if value == value.to_integral_value():
            return value.quantize(Decimal(1))
        return value.normalize()


def format_rate(rate: Decimal, language: str | None = None) -> str:
    """`rate` as a number for a sentence, without the % sign: "65", "65,5" / "65.5"."""
    lang = i18n.language() if language is None else language
    text = f"{normalize_rate(require_decimal(rate, 'rate')):f}"
    return text.replace(".", ",") if lang != "en" else text


def parse_rate(text: str, maximum: Decimal = Decimal(100)) -> Decimal:
    """The percentage staff typed: "65%", "65 %", "65", "65,0" all give Decimal("65").

    At most two decimals; between 0 and `maximum` inclusive (100 for AMO rates; pass
    1000 for mutuelle guarantees written in % of the BR). Problems: ``rate.empty``,
    ``rate.invalid``, ``rate.too_precise``, ``rate.out_of_range``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    shown = text.strip()
    cleaned = _SPACES.sub(" ", shown).strip()
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1].strip()
    if not cleaned:
        raise ValidationError([Problem("rate.empty", field="rate")])
    negative, body = _strip_sign(cleaned)
    match = re.fullmatch(r"([0-9]+)(?:[.,]([0-9]*))?", body)
    if match is None:
        raise ValidationError([Problem("rate.invalid", {"text": shown}, field="rate")])
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > 2:
        raise ValidationError([Problem("rate.too_precise", {"text": shown}, field="rate")])
    value = normalize_rate(Decimal(f"{whole}.{fraction or '0'}"))
    if negative and value != 0 or value > maximum:
        raise ValidationError(
            [
                Problem(
                    "rate.out_of_range",
                    {"text": shown, "maximum": format_rate(maximum)},
                    field="rate",
                )
            ]
        )
    return abs(value)  # abs() turns a typed "-0" into a plain 0
