"""Forms of the votes domain: rules (shared by polls, defaults and the simulator), ballots."""

from __future__ import annotations

import re
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..accounts.models import COLLEGE_LABELS, COLLEGES
from ..forms import Form, select_choices
from .models import CHOICE_LABELS, MODE_LABELS
from .tally import Rules, RulesError

BASIS_LABELS = {
    "expressed": _l("Votes expressed (for and against)"),
    "cast": _l("Ballots cast (abstentions included)"),
    "entitled": _l("All entitled members"),
}
COLLEGE_RULE_LABELS = {
    "per_head": _l("One member, one vote: all colleges counted together"),
    "each_college": _l("The threshold must be met in each college"),
    "majority_of_colleges": _l("The threshold must be met in a majority of colleges"),
    "equal_colleges": _l("Each college weighs the same, whatever its size"),
}
# Common thresholds, and "other" for any fraction.
THRESHOLD_PRESETS = {
    "more_than:1/2": _l("More than half (majority)"),
    "at_least:3/5": _l("At least three fifths"),
    "at_least:2/3": _l("At least two thirds"),
    "at_least:3/4": _l("At least three quarters"),
    "other": _l("Another threshold (below)"),
}
THRESHOLD_KIND_LABELS = {"more_than": _l("More than"), "at_least": _l("At least")}
SHARE_HINT = _l(
    "A fraction such as 1/2 or 2/3, a decimal such as 0,6, or a percentage such as 60 %."
)
_SHARE = re.compile(r"^\s*(?:(\d+)\s*/\s*(\d+)|(\d+(?:[.,]\d+)?)\s*(%?))\s*$")


def parse_share(text: str | None) -> Fraction | None:
    """'2/3', '0,6', '0.6', '60 %' -> a Fraction between 0 and 1; None if not one."""
    match = _SHARE.match(text or "")
    if not match:
        return None
    numerator, denominator, decimal, percent = match.groups()
    if numerator is not None:
        if int(denominator) == 0:
            return None
        value = Fraction(int(numerator), int(denominator))
    else:
        value = Fraction(decimal.replace(",", "."))
        if percent:
            value /= 100
    return value if 0 <= value <= 1 else None


def share_text(value: Fraction | None) -> str:
    if value is None:
        return ""
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


class RulesForm(Form):
    """The voting rules, field by field, with translated messages for each mistake."""

    quorum = StringField(
        _l("Quorum: share of entitled members who must take part"),
        validators=[Optional(), Length(max=20)],
        description=_l(
            "Ballots cast, abstentions included. Leave empty or 0 for no quorum. "
            "A fraction such as 1/2, a decimal such as 0,5, or a percentage such "
            "as 50 %."
        ),
    )
    college_quorum = StringField(
        _l("Quorum in each college (optional)"),
        validators=[Optional(), Length(max=20)],
        description=_l("Leave empty if only the overall quorum applies."),
    )
    basis = RadioField(
        _l("Majority counted on"),
        choices=select_choices(BASIS_LABELS.items()),
        validators=[InputRequired(message=_l("Choose what the majority is counted on."))],
    )
    threshold = SelectField(_l("Threshold"), choices=select_choices(THRESHOLD_PRESETS.items()))
    threshold_kind = SelectField(
        _l("Other threshold: comparison"),
        choices=select_choices(THRESHOLD_KIND_LABELS.items()),
    )
    threshold_other = StringField(
        _l("Other threshold: share"),
        validators=[Optional(), Length(max=20)],
        description=SHARE_HINT,
    )
    college_rule = RadioField(
        _l("Colleges"),
        choices=select_choices(COLLEGE_RULE_LABELS.items()),
        validators=[InputRequired(message=_l("Choose how the colleges are counted."))],
    )

    def load_rules(self, rules: Rules) -> None:
        """Fill the fields from rules (on a GET)."""
        self.quorum.data = share_text(rules.quorum)
        self.college_quorum.data = share_text(rules.college_quorum)
        self.basis.data = rules.basis
        self.college_rule.data = rules.college_rule
        key = f"{rules.threshold_kind}:{share_text(rules.threshold)}"
        if key in THRESHOLD_PRESETS:
            self.threshold.data = key
        else:
            self.threshold.data = "other"
            self.threshold_kind.data = rules.threshold_kind
            self.threshold_other.data = share_text(rules.threshold)

    def _share(self, field, *, empty: Fraction | None) -> Fraction | None:
        if not (field.data or "").strip():
            return empty
        value = parse_share(field.data)
        if value is None:
            field.errors.append(_l("Enter a share between 0 and 1, such as 1/2, 0,5 or 50 %."))
        return value

    def rules(self) -> Rules | None:
        """The Rules the fields describe, or None with errors attached to the fields."""
        quorum = self._share(self.quorum, empty=Fraction(0))
        college_quorum = self._share(self.college_quorum, empty=None)
        if self.threshold.data == "other":
            kind = self.threshold_kind.data
            threshold = self._share(self.threshold_other, empty=None)
            if threshold is None and not self.threshold_other.errors:
                self.threshold_other.errors.append(_l("Enter the threshold."))
        else:
            kind, _colon, text = (self.threshold.data or "").partition(":")
            threshold = parse_share(text)
        if any(f.errors for f in (self.quorum, self.college_quorum, self.threshold_other)):
            return None
        try:
            return Rules(
                quorum=quorum,
                college_quorum=college_quorum or None,
                basis=self.basis.data,
                threshold_kind=kind,
                threshold=threshold,
                college_rule=self.college_rule.data,
            )
        except RulesError:
            self.threshold_other.errors.append(
                _l("This threshold cannot be used: at least 0 would adopt anything.")
            )
            return None


class PollForm(RulesForm):
    subject = SelectField(_l("Put to the vote"), validators=[DataRequired()])
    mode = RadioField(
        _l("Ballot"),
        choices=select_choices(MODE_LABELS.items()),
        validators=[InputRequired(message=_l("Choose roll-call or secret ballot."))],
        description=_l(
            "Roll-call: each member's vote is published with the result. Secret: "
            "only the counts are ever published."
        ),
    )
    opens_at = DateTimeLocalField(
        _l("Opens at (Bamako time)"),
        validators=[Optional()],
        description=_l("For a remote vote. Leave empty to open it by hand during a session."),
    )
    closes_at = DateTimeLocalField(
        _l("Closes at (Bamako time)"),
        validators=[Optional()],
        description=_l("Leave empty to close it by hand."),
    )


class DefaultsForm(RulesForm):
    max_proxies = IntegerField(
        _l("Proxies a member may hold in one poll"),
        validators=[InputRequired(), NumberRange(min=0, max=5)],
        description=_l("0 means no proxies."),
    )


def _counts_fields() -> None:
    """One entitled/for/against/abstain field per college on the simulator form."""
    labels = {
        "entitled": _l("Entitled"),
        "for": _l("For"),
        "against": _l("Against"),
        "abstain": _l("Abstain"),
    }
    for college in COLLEGES:
        for key, label in labels.items():
            setattr(
                SimulatorForm,
                f"{key}_{college}",
                IntegerField(
                    label,
                    validators=[
                        InputRequired(message=_l("Enter a number.")),
                        NumberRange(
                            min=0, max=100000, message=_l("Enter a whole number, 0 or more.")
                        ),
                    ],
                    default=0,
                    render_kw={"inputmode": "numeric", "class": "count"},
                ),
            )


class SimulatorForm(RulesForm):
    COUNT_KEYS = ("entitled", "for", "against", "abstain")
    COLLEGE_LABELS = COLLEGE_LABELS

    def count(self, key: str, college: str):
        return self[f"{key}_{college}"]

    def counts(self) -> dict | None:
        """{college: {entitled, for, against, abstain}} or None with errors attached."""
        data = {}
        ok = True
        for college in COLLEGES:
            row = {key: self.count(key, college).data for key in self.COUNT_KEYS}
            if any(value is None for value in row.values()):
                ok = False
                continue
            if row["for"] + row["against"] + row["abstain"] > row["entitled"]:
                self.count("entitled", college).errors.append(
                    _l(
                        "More ballots than entitled members in %(college)s.",
                        college=COLLEGE_LABELS[college],
                    )
                )
                ok = False
            data[college] = row
        return data if ok else None


_counts_fields()


class BallotForm(Form):
    """Choose (then confirm) a ballot, for oneself or for the member whose proxy one holds."""

    voter = HiddenField()
    choice = RadioField(
        _l("Your vote"),
        choices=select_choices(CHOICE_LABELS.items()),
        validators=[InputRequired(message=_l("Choose for, against or abstain."))],
    )


class ProxyForm(Form):
    holder = SelectField(
        _l("Member who will vote for you"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose a member."))],
    )


class ReceiptForm(Form):
    code = StringField(
        _l("Receipt code"),
        validators=[DataRequired(message=_l("Enter your receipt code.")), Length(max=40)],
        description=_l("The code shown when you voted, such as ABCD-EFGH-JKLM-NPQR."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
