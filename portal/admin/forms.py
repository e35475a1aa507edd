"""Administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import Length, Optional

from portal.forms import PortalForm, TextField, required


class MinistryForm(PortalForm):
    name_vi = TextField(_l("Name in Vietnamese"), validators=[required(), Length(max=200)])
    name_en = TextField(_l("Name in English"), validators=[required(), Length(max=200)])
    abbreviation = TextField(_l("Abbreviation"), validators=[Optional(), Length(max=32)])


class FieldForm(PortalForm):
    name_vi = TextField(_l("Name in Vietnamese"), validators=[required(), Length(max=200)])
    name_en = TextField(_l("Name in English"), validators=[Optional(), Length(max=200)])


class SettingForm(PortalForm):
    value = TextField(_l("Value"), validators=[required(), Length(max=40)])
