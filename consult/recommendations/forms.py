from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from ..forms import select_choices as choices
from .models import AMENDMENT_KIND_LABELS, STANCE_LABELS
from .services import (
    AMENDMENT_TEXT_MAX,
    BODY_MAX,
    COMMENT_MAX,
    NOTE_MAX,
    REASON_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
)

CHOOSE_FROM_LIST = _l("Choose from the list.")


def _int_or_none(value):
    if value in (None, ""):
        return None
    return int(value)


class ThemesField(SelectMultipleField):
    """Checkboxes; an unknown or malformed id gets a clear message, never a crash."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label,
            validators,
            coerce=int,
            invalid_value_message=_l("Choose the themes from the list."),
            invalid_choice_message=_l("Choose the themes from the list."),
            **kwargs,
        )


class RecommendationForm(Form):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the recommendation a title.")),
            Length(max=TITLE_MAX),
        ],
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[Optional(), Length(max=SUMMARY_MAX)],
        description=_l("Two or three sentences for the lists and the home page."),
        render_kw={"rows": 3},
    )
    themes = ThemesField(
        _l("Themes"),
        validators=[InputRequired(message=_l("Choose at least one theme."))],
    )
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(message=_l("The text of the recommendation cannot be empty.")),
            Length(max=BODY_MAX),
        ],
        description=_l(
            "Markdown. Leave a blank line between paragraphs: each paragraph is numbered, and "
            "comments and amendments point to these numbers. **bold**, *italics*, lists with -."
        ),
        render_kw={"rows": 18},
    )
    change_note = StringField(
        _l("What changed (change note)"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        description=_l("Shown in the list of versions."),
    )
    base_version_id = HiddenField()
    amendment_id = HiddenField()
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))


class TransitionForm(Form):
    to_state = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=REASON_MAX)])


class SponsorForm(Form):
    user_id = SelectField(
        _l("Member"),
        coerce=_int_or_none,
        validators=[InputRequired(message=CHOOSE_FROM_LIST)],
        invalid_value_message=CHOOSE_FROM_LIST,
        invalid_choice_message=CHOOSE_FROM_LIST,
    )


class AmendmentForm(Form):
    paragraph = SelectField(
        _l("Paragraph"),
        coerce=_int_or_none,
        validators=[InputRequired(message=_l("Choose a paragraph."))],
        invalid_value_message=_l("Choose a paragraph from the list."),
        invalid_choice_message=_l("Choose a paragraph from the list."),
    )
    kind = RadioField(
        _l("The amendment would"),
        choices=choices(AMENDMENT_KIND_LABELS.items()),
        default="replace",
        validators=[InputRequired(message=_l("Choose what the amendment does."))],
        invalid_choice_message=_l("Choose what the amendment does."),
    )
    text = TextAreaField(
        _l("Proposed text"),
        validators=[Optional(), Length(max=AMENDMENT_TEXT_MAX)],
        description=_l("The new paragraph (left empty to delete the paragraph)."),
        render_kw={"rows": 8},
    )
    justification = TextAreaField(
        _l("Justification"),
        validators=[
            DataRequired(message=_l("Explain why you propose this amendment.")),
            Length(max=REASON_MAX * 2),
        ],
        render_kw={"rows": 5},
    )
    base_version_id = HiddenField()


class ReasonForm(Form):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Give a reason.")), Length(max=REASON_MAX)],
        render_kw={"rows": 3},
    )


class CommentForm(Form):
    paragraph = SelectField(
        _l("About"),
        coerce=_int_or_none,
        invalid_value_message=_l("Choose a paragraph from the list."),
        invalid_choice_message=_l("Choose a paragraph from the list."),
    )
    stance = RadioField(
        _l("Your position"),
        choices=choices(STANCE_LABELS.items()),
        default="neutral",
        validators=[Optional()],
        invalid_choice_message=_l("Choose for, against or neutral."),
    )
    body = TextAreaField(
        _l("Comment"),
        validators=[DataRequired(message=_l("Write your comment.")), Length(max=COMMENT_MAX)],
        render_kw={"rows": 5},
    )
    parent_id = HiddenField()


class CommentEditForm(Form):
    stance = RadioField(
        _l("Your position"),
        choices=choices(STANCE_LABELS.items()),
        validators=[Optional()],
        invalid_choice_message=_l("Choose for, against or neutral."),
    )
    body = TextAreaField(
        _l("Comment"),
        validators=[DataRequired(message=_l("Write your comment.")), Length(max=COMMENT_MAX)],
        render_kw={"rows": 6},
    )


class ThemeForm(Form):
    name_fr = StringField(
        _l("Name in French"),
        validators=[DataRequired(message=_l("Give the name in French.")), Length(max=120)],
    )
    name_en = StringField(
        _l("Name in English"),
        validators=[DataRequired(message=_l("Give the name in English.")), Length(max=120)],
    )


class EditThemeForm(ThemeForm):
    active = BooleanField(_l("Active (offered when writing a recommendation)"))
