"""factory_boy factories for the foundation models. Later issues add theirs beside them."""

import datetime

import factory
from django.contrib.auth import get_user_model

from communes.models import Membership, Succession, Unit, Wave


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Hà"
    last_name = "Nguyễn Thu"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")
    password = factory.django.Password("pw-12345")


class WaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wave
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Đợt {n}")
    year = 2018


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    short_name = factory.LazyAttribute(lambda u: u.name.split(" ", 1)[-1])
    kind = Unit.Kind.COMMUNE
    code_system = Unit.CodeSystem.LOCAL
    code = ""


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Membership.Role.OFFICER


class SuccessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Succession

    predecessor = factory.SubFactory(UnitFactory)
    successor = factory.SubFactory(UnitFactory)
    effective_on = factory.Faker("date_object")
    kind = Succession.Kind.MERGE


# --- surveys ---------------------------------------------------------------------------------
class SurveyResponseFactory(factory.django.DjangoModelFactory):
    """An online survey response (written directly: the rate limits are the service's business)."""

    class Meta:
        model = "surveys.Response"

    unit = factory.SubFactory(UnitFactory)
    overall = 5
    client_key = factory.Sequence(lambda n: f"{n:064x}")


class TallyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Tally"

    unit = factory.SubFactory(UnitFactory)
    channel = "paper"
    criterion = "overall"
    period_start = factory.LazyFunction(lambda: datetime.date(2024, 1, 1))
    period_end = factory.LazyFunction(lambda: datetime.date(2024, 3, 31))


class RecordCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.RecordCount"

    unit = factory.SubFactory(UnitFactory)
    source = "software"
    month = factory.LazyFunction(lambda: datetime.date(2024, 1, 1))
