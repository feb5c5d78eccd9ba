"""Strings shown by third-party templates whose packages ship no Vietnamese catalogue.

Listing them here lets `makemessages` carry them into locale/vi; nothing imports this module.
"""

from django.utils.translation import gettext_noop

THIRD_PARTY_STRINGS = [
    # django-tables2 pagination (django_tables2/bootstrap5.html).
    gettext_noop("previous"),
    gettext_noop("next"),
]
