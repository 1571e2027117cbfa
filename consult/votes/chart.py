"""A result drawn on the server: stacked bars per college and overall, as plain geometry.

The template (votes/_chart.html) turns the geometry into inline SVG with presentation
attributes only (the CSP forbids style attributes), a <title> and a <desc> saying everything
the picture shows, and a text legend: colour is never the only way to read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from .models import CHOICE_LABELS
from .tally import CollegeResult, TallyResult

WIDTH = 640
LABEL_WIDTH = 170
BAR_HEIGHT = 28
GAP = 14
TOP = 8
LEGEND_HEIGHT = 34
MIN_TEXT_WIDTH = 24  # narrower segments carry no number (the table and legend do)

# Fill, and the text colour readable on it (contrast at least 4.5:1).
PALETTE = {
    "for": ("#14532d", "#ffffff"),
    "against": ("#9b1c1c", "#ffffff"),
    "abstain": ("#8a5a00", "#ffffff"),
    "none": ("#e4e6e1", "#1a1a1a"),
}


@dataclass
class Segment:
    key: str
    value: int
    x: float
    width: float
    fill: str
    text_fill: str

    @property
    def show_text(self) -> bool:
        return self.value > 0 and self.width >= MIN_TEXT_WIDTH

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2


@dataclass
class Bar:
    label: str
    y: float
    segments: list[Segment] = field(default_factory=list)

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2 + 5


@dataclass
class Chart:
    bars: list[Bar]
    legend: list[tuple[str, str, float]]  # (label, fill, x)
    height: float
    description: str
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def legend_y(self) -> float:
        return self.height - LEGEND_HEIGHT + 8


def _bar(label: str, row: CollegeResult, y: float) -> Bar:
    bar = Bar(label, y)
    values = [
        ("for", row.for_),
        ("against", row.against),
        ("abstain", row.abstain),
        ("none", max(row.entitled - row.ballots, 0)),
    ]
    total = sum(v for _k, v in values) or 1
    span = WIDTH - LABEL_WIDTH
    x = float(LABEL_WIDTH)
    for key, value in values:
        width = span * value / total
        fill, text_fill = PALETTE[key]
        bar.segments.append(Segment(key, value, x, width, fill, text_fill))
        x += width
    return bar


def _sentence(label: str, row: CollegeResult) -> str:
    return ngettext(
        "%(college)s: %(yes)s for, %(no)s against, %(abstain)s abstaining, %(missing)s did not "
        "vote, of %(num)s entitled member.",
        "%(college)s: %(yes)s for, %(no)s against, %(abstain)s abstaining, %(missing)s did not "
        "vote, of %(num)s entitled members.",
        row.entitled,
        college=label,
        yes=row.for_,
        no=row.against,
        abstain=row.abstain,
        missing=max(row.entitled - row.ballots, 0),
    )


def build(result: TallyResult, college_names: dict[str, str]) -> Chart:
    rows = [(college_names.get(code, code), r) for code, r in result.colleges.items()]
    rows.append((_("All colleges"), result.overall))
    bars = [_bar(label, row, TOP + i * (BAR_HEIGHT + GAP)) for i, (label, row) in enumerate(rows)]
    legend_labels = [(str(CHOICE_LABELS[k]), k) for k in ("for", "against", "abstain")]
    legend_labels.append((_("Did not vote"), "none"))
    legend = []
    x = float(LABEL_WIDTH)
    for text, key in legend_labels:
        legend.append((text, PALETTE[key][0], x))
        x += 24 + 8 * len(text) + 16
    height = TOP + len(bars) * (BAR_HEIGHT + GAP) + LEGEND_HEIGHT
    description = " ".join(_sentence(label, row) for label, row in rows)
    return Chart(bars, legend, height, description)
