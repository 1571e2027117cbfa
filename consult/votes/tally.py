"""Vote counting: quorum, thresholds and college rules.

Pure functions over integer counts. Every ratio is a ``fractions.Fraction`` so that a threshold
met exactly is met exactly: there is no floating point anywhere in this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

Basis = Literal["expressed", "cast", "entitled"]
ThresholdKind = Literal["more_than", "at_least"]
CollegeRule = Literal["per_head", "each_college", "majority_of_colleges", "equal_colleges"]
Outcome = Literal["adopted", "rejected", "void"]
Gettext = Callable[..., str]
NGettext = Callable[..., str]

BASES: tuple[str, ...] = ("expressed", "cast", "entitled")
THRESHOLD_KINDS: tuple[str, ...] = ("more_than", "at_least")
COLLEGE_RULES: tuple[str, ...] = (
    "per_head",
    "each_college",
    "majority_of_colleges",
    "equal_colleges",
)

_RULES_KEYS = frozenset({"quorum", "college_quorum", "basis", "threshold", "college_rule"})
_RULES_REQUIRED = ("basis", "threshold", "college_rule")
_COUNTS_KEYS = ("entitled", "for", "against", "abstain")
# ASCII digits only: str.isdigit and \d would let other scripts' digits through Fraction().
_FRACTION_RE = re.compile(r"[0-9]+/[0-9]+|[0-9]+(?:\.[0-9]+)?")


class RulesError(ValueError):
    """Invalid voting rules; the message is one line of English naming the problem."""


class CountsError(ValueError):
    """Invalid vote counts; the message is one line of English naming the problem."""


def _is_int(value: object) -> bool:
    # bool is an int subclass, but True as a vote count is a data error, not 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _show(value: object) -> str:
    """A short one-line repr for error messages."""
    text = repr(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "..."


def fraction_text(value: Fraction) -> str:
    """Exact "a/b" form used in the JSON output (always with a denominator, even "1/1")."""
    return f"{value.numerator}/{value.denominator}"


def _required(share: Fraction, entitled: int) -> int:
    """Smallest whole number of ballots n with n >= share * entitled."""
    return -((-share.numerator * entitled) // share.denominator)


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Ballots cast in one college."""

    for_: int
    against: int
    abstain: int

    def __post_init__(self) -> None:
        for name, label in (("for_", "for"), ("against", "against"), ("abstain", "abstain")):
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                raise CountsError(f"{label!r} must be a non-negative integer, got {_show(value)}")

    @property
    def cast(self) -> int:
        """Ballots cast, abstentions included."""
        return self.for_ + self.against + self.abstain

    @property
    def expressed(self) -> int:
        """Votes expressed: for plus against."""
        return self.for_ + self.against


def _check_share(name: str, value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        raise RulesError(f"{name} must be a Fraction, got {_show(value)}")
    value = Fraction(value)
    if not 0 <= value <= 1:
        raise RulesError(f"{name} must be between 0 and 1, got {fraction_text(value)}")
    return value


@dataclass(frozen=True, kw_only=True)
class Rules:
    """How a vote is decided. Construct with keywords, or with ``Rules.from_dict``."""

    quorum: Fraction = Fraction(0)
    college_quorum: Fraction | None = None
    basis: Basis
    threshold_kind: ThresholdKind
    threshold: Fraction
    college_rule: CollegeRule

    def __post_init__(self) -> None:
        # Validate here too, so rules built in code are held to the same standard as JSON.
        object.__setattr__(self, "quorum", _check_share("quorum", self.quorum))
        if self.college_quorum is not None:
            cq = _check_share("college_quorum", self.college_quorum)
            object.__setattr__(self, "college_quorum", cq)
        if self.basis not in BASES:
            raise RulesError(
                f"basis must be one of 'expressed', 'cast', 'entitled', got {_show(self.basis)}"
            )
        if self.threshold_kind not in THRESHOLD_KINDS:
            raise RulesError(
                "threshold kind must be 'more_than' or 'at_least', "
                f"got {_show(self.threshold_kind)}"
            )
        threshold = _check_share(f"threshold {self.threshold_kind}", self.threshold)
        if self.threshold_kind == "at_least" and threshold == 0:
            # "At least none" would adopt with zero votes for.
            raise RulesError("an at_least threshold must be greater than 0")
        object.__setattr__(self, "threshold", threshold)
        if self.college_rule not in COLLEGE_RULES:
            raise RulesError(
                "college_rule must be one of 'per_head', 'each_college', "
                f"'majority_of_colleges', 'equal_colleges', got {_show(self.college_rule)}"
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rules:
        """Parse the JSON form; raise ``RulesError`` on anything unexpected."""
        if not isinstance(data, Mapping):
            raise RulesError(f"rules must be a JSON object, got {_show(data)}")
        unknown = sorted(repr(key) for key in data if key not in _RULES_KEYS)
        if unknown:
            raise RulesError(f"unknown rules key: {', '.join(unknown)}")
        for key in _RULES_REQUIRED:
            if key not in data:
                raise RulesError(f"missing rules key: {key!r}")
        threshold = data["threshold"]
        if not isinstance(threshold, Mapping) or len(threshold) != 1:
            raise RulesError(
                "threshold must be an object with exactly one key, 'more_than' or 'at_least', "
                f"got {_show(threshold)}"
            )
        ((kind, raw_threshold),) = threshold.items()
        if kind not in THRESHOLD_KINDS:
            raise RulesError(f"threshold kind must be 'more_than' or 'at_least', got {_show(kind)}")
        college_quorum = data.get("college_quorum")
        return cls(
            quorum=_parse_share("quorum", data.get("quorum", 0)),
            college_quorum=(
                None if college_quorum is None else _parse_share("college_quorum", college_quorum)
            ),
            basis=data["basis"],
            threshold_kind=kind,
            threshold=_parse_share(f"threshold {kind}", raw_threshold),
            college_rule=data["college_rule"],
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, fractions as "a/b" strings; ``from_dict`` reads it back unchanged."""
        return {
            "quorum": fraction_text(self.quorum),
            "college_quorum": (
                None if self.college_quorum is None else fraction_text(self.college_quorum)
            ),
            "basis": self.basis,
            "threshold": {self.threshold_kind: fraction_text(self.threshold)},
            "college_rule": self.college_rule,
        }


def _parse_share(name: str, raw: object) -> Fraction:
    """A JSON share: "a/b" or "0.5" strings, or the integers 0 and 1. Floats are refused."""
    if _is_int(raw):
        if raw in (0, 1):
            return Fraction(raw)
        raise RulesError(f"{name} must be between 0 and 1, got {raw}")
    if isinstance(raw, str):
        text = raw.strip()
        if _FRACTION_RE.fullmatch(text):
            try:
                value = Fraction(text)
            except (ValueError, ZeroDivisionError):
                pass  # e.g. "1/0"; reported below with the other malformed strings.
            else:
                if value > 1:
                    raise RulesError(f"{name} must be between 0 and 1, got {raw!r}")
                return value
        raise RulesError(f'{name} must be a fraction such as "2/3" or "0.5", got {_show(raw)}')
    # A JSON float has already lost exactness (0.1 is not 1/10), so it is refused outright.
    raise RulesError(
        f'{name} must be a string such as "2/3" (or the integer 0 or 1), got {_show(raw)}'
    )


def counts_from_dict(data: Mapping[str, Any]) -> tuple[dict[str, int], dict[str, Counts]]:
    """Parse COUNTS.json into (entitled, ballots); raise ``CountsError`` on anything unexpected."""
    if not isinstance(data, Mapping):
        raise CountsError(f"counts must be a JSON object keyed by college, got {_show(data)}")
    entitled: dict[str, int] = {}
    ballots: dict[str, Counts] = {}
    for college, row in data.items():
        if not isinstance(college, str) or not college:
            raise CountsError(f"college codes must be non-empty strings, got {_show(college)}")
        if not isinstance(row, Mapping):
            raise CountsError(f"college {college!r}: counts must be an object, got {_show(row)}")
        unknown = sorted(repr(key) for key in row if key not in _COUNTS_KEYS)
        if unknown:
            raise CountsError(f"college {college!r}: unknown key: {', '.join(unknown)}")
        for key in _COUNTS_KEYS:
            if key not in row:
                raise CountsError(f"college {college!r}: missing key: {key!r}")
            value = row[key]
            if not _is_int(value) or value < 0:
                raise CountsError(
                    f"college {college!r}: {key!r} must be a non-negative integer, "
                    f"got {_show(value)}"
                )
        counts = Counts(for_=row["for"], against=row["against"], abstain=row["abstain"])
        if counts.cast > row["entitled"]:
            raise CountsError(
                f"college {college!r}: {counts.cast} ballots (for + against + abstain) "
                f"exceed {row['entitled']} entitled members"
            )
        entitled[college] = row["entitled"]
        ballots[college] = counts
    return entitled, ballots


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CollegeResult:
    """Counts and verdicts for one college, or for all colleges together (college 'overall').

    quorum_met is None where no quorum applies (no college_quorum rule, or a college with no
    entitled members); threshold_met and share_for are None for a college with nothing to
    count (basis 0). For 'overall', both flags are always booleans.
    """

    college: str
    entitled: int
    ballots: int
    for_: int
    against: int
    abstain: int
    quorum_met: bool | None
    threshold_met: bool | None
    share_for: Fraction | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (the college code is the key it is stored under)."""
        return {
            "entitled": self.entitled,
            "ballots": self.ballots,
            "for": self.for_,
            "against": self.against,
            "abstain": self.abstain,
            "quorum_met": self.quorum_met,
            "threshold_met": self.threshold_met,
            "share_for": None if self.share_for is None else fraction_text(self.share_for),
        }


@dataclass(frozen=True)
class TallyResult:
    """Outcome of a vote.

    quorum_met covers the overall quorum and every college quorum; threshold_met is the verdict
    of the college rule, computed even when the vote is void (for information).
    mean_share_for / mean_share_against are set for the equal_colleges rule only.
    """

    outcome: Outcome
    quorum_met: bool
    threshold_met: bool
    overall: CollegeResult
    colleges: dict[str, CollegeResult] = field(default_factory=dict)
    mean_share_for: Fraction | None = None
    mean_share_against: Fraction | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form; fractions as "a/b" strings."""
        return {
            "outcome": self.outcome,
            "quorum_met": self.quorum_met,
            "threshold_met": self.threshold_met,
            "overall": self.overall.to_dict(),
            "colleges": {code: r.to_dict() for code, r in self.colleges.items()},
            "mean_share_for": (
                None if self.mean_share_for is None else fraction_text(self.mean_share_for)
            ),
            "mean_share_against": (
                None if self.mean_share_against is None else fraction_text(self.mean_share_against)
            ),
        }


# --------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------


def _basis_size(basis: str, entitled: int, for_: int, against: int, abstain: int) -> int:
    if basis == "expressed":
        return for_ + against
    if basis == "cast":
        return for_ + against + abstain
    return entitled


def _passes(share: Fraction, rules: Rules) -> bool:
    if rules.threshold_kind == "more_than":
        return share > rules.threshold
    return share >= rules.threshold


def _group(
    college: str,
    entitled: int,
    counts: Counts,
    rules: Rules,
    quorum: Fraction | None,
    *,
    overall: bool,
) -> CollegeResult:
    if quorum is None:
        quorum_met = None
    elif entitled == 0:
        # Nobody to count: no college quorum applies, and an empty poll is never quorate.
        quorum_met = False if overall else None
    else:
        quorum_met = counts.cast >= quorum * entitled
    basis = _basis_size(rules.basis, entitled, counts.for_, counts.against, counts.abstain)
    if basis == 0:
        share_for = None
        threshold_met = False if overall else None
    else:
        share_for = Fraction(counts.for_, basis)
        # A tie between for and against is never an adoption, whatever the threshold.
        threshold_met = _passes(share_for, rules) and counts.for_ != counts.against
    return CollegeResult(
        college=college,
        entitled=entitled,
        ballots=counts.cast,
        for_=counts.for_,
        against=counts.against,
        abstain=counts.abstain,
        quorum_met=quorum_met,
        threshold_met=threshold_met,
        share_for=share_for,
    )


def _validate(entitled: Mapping[str, int], ballots: Mapping[str, Counts]) -> None:
    for college, size in entitled.items():
        if not _is_int(size) or size < 0:
            raise CountsError(
                f"college {college!r}: 'entitled' must be a non-negative integer, got {_show(size)}"
            )
    for college, counts in ballots.items():
        if college not in entitled:
            raise CountsError(f"college {college!r} has ballots but no entitled count")
        if not isinstance(counts, Counts):
            raise CountsError(f"college {college!r}: ballots must be Counts, got {_show(counts)}")
        if counts.cast > entitled[college]:
            raise CountsError(
                f"college {college!r}: {counts.cast} ballots (for + against + abstain) "
                f"exceed {entitled[college]} entitled members"
            )


def tally(entitled: Mapping[str, int], ballots: Mapping[str, Counts], rules: Rules) -> TallyResult:
    """Decide a vote. A college listed in ``entitled`` but absent from ``ballots`` cast none."""
    if not isinstance(rules, Rules):
        raise TypeError(f"rules must be Rules, got {type(rules).__name__}")
    _validate(entitled, ballots)
    empty = Counts(0, 0, 0)
    colleges = {
        code: _group(
            code, size, ballots.get(code, empty), rules, rules.college_quorum, overall=False
        )
        for code, size in entitled.items()
    }
    totals = Counts(
        for_=sum(r.for_ for r in colleges.values()),
        against=sum(r.against for r in colleges.values()),
        abstain=sum(r.abstain for r in colleges.values()),
    )
    overall = _group("overall", sum(entitled.values()), totals, rules, rules.quorum, overall=True)
    quorum_met = bool(overall.quorum_met) and all(
        r.quorum_met is not False for r in colleges.values()
    )

    counted = [r for r in colleges.values() if r.entitled > 0]
    mean_for: Fraction | None = None
    mean_against: Fraction | None = None
    if rules.college_rule == "per_head":
        threshold_met = bool(overall.threshold_met)
    elif rules.college_rule == "each_college":
        # A college with members but nothing to count (e.g. all abstained) does not pass.
        threshold_met = bool(counted) and all(r.threshold_met is True for r in counted)
    elif rules.college_rule == "majority_of_colleges":
        passed = sum(1 for r in counted if r.threshold_met is True)
        threshold_met = 2 * passed > len(counted)
    else:  # equal_colleges: each college's shares weigh the same, whatever its size.
        shares = []
        for r in counted:
            basis = _basis_size(rules.basis, r.entitled, r.for_, r.against, r.abstain)
            if basis:
                shares.append((Fraction(r.for_, basis), Fraction(r.against, basis)))
        if shares:
            mean_for = sum((f for f, _a in shares), Fraction(0)) / len(shares)
            mean_against = sum((a for _f, a in shares), Fraction(0)) / len(shares)
            threshold_met = _passes(mean_for, rules) and mean_for != mean_against
        else:
            threshold_met = False
    # A poll with nothing to count at all is never an adoption (already implied by each rule).
    threshold_met = threshold_met and overall.share_for is not None

    if not quorum_met:
        outcome: Outcome = "void"
    elif threshold_met:
        outcome = "adopted"
    else:
        outcome = "rejected"
    return TallyResult(
        outcome=outcome,
        quorum_met=quorum_met,
        threshold_met=threshold_met,
        overall=overall,
        colleges=colleges,
        mean_share_for=mean_for,
        mean_share_against=mean_against,
    )


# --------------------------------------------------------------------------------------------
# Plain-language explanations
# --------------------------------------------------------------------------------------------
# Every message is an English msgid with named placeholders, passed to a gettext-like callable
# (Flask-Babel's gettext fits), so pybabel can extract them and translators see whole sentences.


def default_gettext(msgid: str, **kwargs: object) -> str:
    """Stand-in for gettext: no translation, ``%(name)s`` substitution only."""
    return msgid % kwargs if kwargs else msgid


def default_ngettext(singular: str, plural: str, num: int, **kwargs: object) -> str:
    """Stand-in for ngettext (as Flask-Babel's: ``%(num)s`` is the number)."""
    kwargs.setdefault("num", num)
    return (singular if num == 1 else plural) % kwargs


def share_words(value: Fraction, gettext: Gettext = default_gettext) -> str:
    """A share in words: "half", "two thirds"..., else "a/b"."""
    _ = gettext
    if value == Fraction(1, 2):
        return _("half")
    if value == Fraction(1, 3):
        return _("one third")
    if value == Fraction(2, 3):
        return _("two thirds")
    if value == Fraction(3, 4):
        return _("three quarters")
    if value == Fraction(3, 5):
        return _("three fifths")
    if value == 1:
        return _("all")
    if value == 0:
        return "0"
    return _("%(num)s/%(den)s", num=value.numerator, den=value.denominator)


def _condition(rules: Rules, _: Gettext) -> str:
    share = share_words(rules.threshold, _)
    if rules.threshold_kind == "at_least":
        if rules.basis == "expressed":
            return _("at least %(share)s of the votes expressed are for", share=share)
        if rules.basis == "cast":
            return _(
                "at least %(share)s of the ballots cast, abstentions included, are for",
                share=share,
            )
        return _("at least %(share)s of all entitled members vote for", share=share)
    if rules.basis == "expressed":
        return _("more than %(share)s of the votes expressed are for", share=share)
    if rules.basis == "cast":
        return _(
            "more than %(share)s of the ballots cast, abstentions included, are for", share=share
        )
    return _("more than %(share)s of all entitled members vote for", share=share)


def describe_rules(rules: Rules, gettext: Gettext = default_gettext) -> str:
    """The rules as a short paragraph of plain sentences."""
    _ = gettext
    condition = _condition(rules, _)
    if rules.college_rule == "per_head":
        sentences = [
            _(
                "Adopted if %(condition)s, counting the members of all colleges together.",
                condition=condition,
            )
        ]
    elif rules.college_rule == "each_college":
        sentences = [_("Adopted if %(condition)s, in each college.", condition=condition)]
    elif rules.college_rule == "majority_of_colleges":
        sentences = [
            _("Adopted if %(condition)s, in a majority of the colleges.", condition=condition)
        ]
    else:
        sentences = [
            _(
                "Adopted if %(condition)s, on average over the colleges, "
                "each college weighing the same.",
                condition=condition,
            )
        ]
    sentences.append(_("A tie between for and against is never an adoption."))
    if rules.quorum:
        sentences.append(
            _(
                "The vote is valid only if at least %(share)s of all entitled members cast a "
                "ballot, abstentions included.",
                share=share_words(rules.quorum, _),
            )
        )
    if rules.college_quorum:
        sentences.append(
            _(
                "In each college, at least %(share)s of the entitled members must cast a ballot.",
                share=share_words(rules.college_quorum, _),
            )
        )
    return " ".join(sentences)


def _threshold_line(r: CollegeResult, name: str, _: Gettext) -> str:
    values = {"college": name, "yes": r.for_, "no": r.against, "abstain": r.abstain}
    if r.entitled == 0:
        return _("%(college)s: no entitled members, not counted.", college=name)
    if r.share_for is None:
        return _(
            "%(college)s: %(yes)s for, %(no)s against, %(abstain)s abstaining; "
            "no votes count towards the threshold.",
            **values,
        )
    if r.threshold_met:
        return _(
            "%(college)s: %(yes)s for, %(no)s against, %(abstain)s abstaining; threshold met.",
            **values,
        )
    if r.for_ == r.against:
        return _(
            "%(college)s: %(yes)s for, %(no)s against, %(abstain)s abstaining; "
            "a tie, so the threshold is not met.",
            **values,
        )
    return _(
        "%(college)s: %(yes)s for, %(no)s against, %(abstain)s abstaining; threshold not met.",
        **values,
    )


def explain(
    result: TallyResult,
    rules: Rules,
    gettext: Gettext = default_gettext,
    college_names: Mapping[str, str] | None = None,
    ngettext: NGettext = default_ngettext,
) -> list[str]:
    """The result as a list of plain sentences, ending with the outcome.

    ``college_names`` maps college codes to display names (already translated); default: codes.
    ``ngettext`` gives the sentences that count members their singular form.
    """
    _ = gettext
    names = college_names or {}
    lines: list[str] = []
    overall = result.overall
    if overall.entitled == 0:
        lines.append(_("No member was entitled to vote, so the vote is void."))
    elif rules.quorum == 0:
        lines.append(
            ngettext(
                "No quorum was required: %(ballots)s of %(num)s entitled member voted.",
                "No quorum was required: %(ballots)s of %(num)s entitled members voted.",
                overall.entitled,
                ballots=overall.ballots,
            )
        )
    else:
        values = {
            "ballots": overall.ballots,
            "required": _required(rules.quorum, overall.entitled),
        }
        if overall.quorum_met:
            lines.append(
                ngettext(
                    "Quorum met: %(ballots)s of %(num)s entitled member voted "
                    "(at least %(required)s required).",
                    "Quorum met: %(ballots)s of %(num)s entitled members voted "
                    "(at least %(required)s required).",
                    overall.entitled,
                    **values,
                )
            )
        else:
            lines.append(
                ngettext(
                    "Quorum not met: %(ballots)s of %(num)s entitled member voted "
                    "(at least %(required)s required).",
                    "Quorum not met: %(ballots)s of %(num)s entitled members voted "
                    "(at least %(required)s required).",
                    overall.entitled,
                    **values,
                )
            )
    if rules.college_quorum is not None:
        for code, r in result.colleges.items():
            if r.quorum_met is None:
                continue
            values = {
                "college": names.get(code, code),
                "ballots": r.ballots,
                "required": _required(rules.college_quorum, r.entitled),
            }
            if r.quorum_met:
                lines.append(
                    ngettext(
                        "%(college)s: quorum met, %(ballots)s of %(num)s entitled member "
                        "voted (at least %(required)s required).",
                        "%(college)s: quorum met, %(ballots)s of %(num)s entitled members "
                        "voted (at least %(required)s required).",
                        r.entitled,
                        **values,
                    )
                )
            else:
                lines.append(
                    ngettext(
                        "%(college)s: quorum not met, %(ballots)s of %(num)s entitled "
                        "member voted (at least %(required)s required).",
                        "%(college)s: quorum not met, %(ballots)s of %(num)s entitled "
                        "members voted (at least %(required)s required).",
                        r.entitled,
                        **values,
                    )
                )

    for code, r in result.colleges.items():
        lines.append(_threshold_line(r, names.get(code, code), _))
    counted = [r for r in result.colleges.values() if r.entitled > 0]
    passed = sum(1 for r in counted if r.threshold_met)
    if rules.college_rule == "per_head":
        lines.append(_threshold_line(overall, _("All colleges together"), _))
    elif rules.college_rule == "each_college":
        lines.append(
            _(
                "The threshold was met in %(met)s of the %(total)s colleges with entitled "
                "members; it had to be met in all of them.",
                met=passed,
                total=len(counted),
            )
        )
    elif rules.college_rule == "majority_of_colleges":
        lines.append(
            _(
                "The threshold was met in %(met)s of the %(total)s colleges with entitled "
                "members; it had to be met in more than half of them.",
                met=passed,
                total=len(counted),
            )
        )
    elif result.mean_share_for is None or result.mean_share_against is None:
        lines.append(_("No college had votes counting towards the threshold."))
    else:
        lines.append(
            _(
                "On average over the colleges, each weighing the same: %(share_for)s for and "
                "%(share_against)s against.",
                share_for=share_words(result.mean_share_for, _),
                share_against=share_words(result.mean_share_against, _),
            )
        )

    if result.outcome == "adopted":
        lines.append(_("Outcome: adopted."))
    elif result.outcome == "rejected":
        lines.append(_("Outcome: rejected."))
    else:
        lines.append(_("Outcome: void, because the quorum was not met."))
    return lines
