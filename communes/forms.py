from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from communes.models import Unit
from core.scoping import Action


class UnitForm(forms.ModelForm):
    """A unit's place in the tree and its QMS programme data; the parent list is narrowed to
    the units the user manages."""

    class Meta:
        model = Unit
        fields = [
            "parent",
            "name",
            "short_name",
            "kind",
            "code",
            "wave",
            "joined_on",
            "valid_from",
            "valid_until",
        ]
        widgets = {
            "joined_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Unit.objects.for_user(user, Action.MANAGE).only("name", "path")
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = not user.is_superuser
        if self.instance.parent_id and not parents.filter(pk=self.instance.parent_id).exists():
            # The user manages this unit but not the one above it: it stays where it is.
            self.fields["parent"].queryset = Unit.objects.filter(pk=self.instance.parent_id)
            self.fields["parent"].disabled = True
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))
