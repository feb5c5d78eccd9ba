"""Form helpers shared by every app: service errors on forms, the submit helper, uploads."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _


def add_service_error(form, exc, field_for_plain=None):
    """Put a service's ValidationError on the form: field errors on their field when the form
    has it, anything else at the top (or on `field_for_plain`)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            form.add_error(target, errors)
    else:
        form.add_error(field_for_plain, exc)


def submit_helper(label=None, css="btn-primary", form_tag=True):
    """A crispy FormHelper with one submit button (none when the template draws the form tag)."""
    helper = FormHelper()
    helper.form_tag = form_tag
    if form_tag:
        helper.add_input(Submit("submit", label or _("Save"), css_class=css))
    return helper


class UploadForm(forms.Form):
    """One file, checked by its content in the service (core.files.check_upload)."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (DOC, DOCX), Excel (XLS, XLSX) or ODT; checked by its content."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,.odt"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Upload"))
