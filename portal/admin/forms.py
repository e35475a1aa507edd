"""Administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import Length, Optional

from portal.forms import LongTextField, PortalForm, TextField, required


class MinistryForm(PortalForm):
    name_vi = TextField(_l("Name in Vietnamese"), validators=[required(), Length(max=200)])
    name_en = TextField(_l("Name in English"), validators=[required(), Length(max=200)])
    abbreviation = TextField(_l("Abbreviation"), validators=[Optional(), Length(max=32)])


class FieldForm(PortalForm):
    name_vi = TextField(_l("Name in Vietnamese"), validators=[required(), Length(max=200)])
    name_en = TextField(_l("Name in English"), validators=[Optional(), Length(max=200)])


class SettingForm(PortalForm):
    value = TextField(_l("Value"), validators=[required(), Length(max=40)])


class MethodologyForm(PortalForm):
    weight_transparency = TextField(_l("Weight of transparency"), validators=[required()])
    weight_results = TextField(_l("Weight of reform results"), validators=[required()])
    weight_satisfaction = TextField(_l("Weight of satisfaction"), validators=[required()])
    target_regulations = TextField(_l("Target: regulations cut (%)"), validators=[required()])
    target_cost = TextField(_l("Target: compliance cost cut (%)"), validators=[required()])
    consultation_min_days = TextField(_l("Shortest consultation (days)"), validators=[required()])
    deadline_day = TextField(_l("Plan deadline: day"), validators=[required()])
    deadline_month = TextField(_l("Plan deadline: month"), validators=[required()])
    plan_first = TextField(_l("First year plans are due"), validators=[required()])
    plan_last = TextField(_l("Last year plans are due"), validators=[required()])
    band_good = TextField(_l("“Good” band from"), validators=[required()])
    band_fair = TextField(_l("“Fair” band from"), validators=[required()])
    note = LongTextField(
        _l("Why it changes"),
        validators=[required(_l("Say why the methodology changes.")), Length(max=2000)],
        description=_l("Published on the methodology page with the new version."),
    )
