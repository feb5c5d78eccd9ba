"""Factories for the catalogue pages' tests: TTHC, decisions, legal documents, and TTHC procedure
documents of a unit with a given status (set directly: the pages only read it)."""

import datetime

import factory
import pytest
from django.utils import translation

from documents.models import Applicability, Document, LegalDocument, Procedure, ProcedureDecision


@pytest.fixture
def in_english(settings):
    """Messages are asserted in English (the msgids), whatever the Vietnamese catalogue says."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


class CatalogueProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    field = "Hộ tịch"
    level = Procedure.Level.COMMUNE


class CatalogueLegalDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalDocument

    number = factory.Sequence(lambda n: f"{n}/2020/NĐ-CP")
    kind = LegalDocument.Kind.DECREE
    issuer = "Chính phủ"
    title = factory.Sequence(lambda n: f"Nghị định thử nghiệm {n}")
    signed_on = datetime.date(2020, 1, 1)
    effective_on = datetime.date(2020, 3, 1)


class CatalogueDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureDecision

    number = factory.Sequence(lambda n: f"{n}/QĐ-UBND")
    title = "Công bố danh mục thủ tục hành chính"
    effective_on = datetime.date(2026, 10, 1)
    signed_on = factory.LazyAttribute(lambda d: d.effective_on - datetime.timedelta(days=5))


class TthcDocumentFactory(factory.django.DjangoModelFactory):
    """A TTHC procedure of a unit; pass `procedures=[...]` to link the TTHC it serves."""

    class Meta:
        model = Document
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"QT-TTHC-{n:03d}")
    title = factory.Sequence(lambda n: f"Quy trình giải quyết thủ tục {n}")
    kind = Document.Kind.TTHC_PROCEDURE
    status = Document.Status.EFFECTIVE

    @factory.post_generation
    def procedures(self, create, extracted, **kwargs):
        if create and extracted:
            self.procedures.set(extracted)

    @factory.post_generation
    def legal_bases(self, create, extracted, **kwargs):
        if create and extracted:
            self.legal_bases.set(extracted)


def applies_to(procedure, *, kinds=(), units=()):
    Applicability.objects.bulk_create(
        [Applicability(procedure=procedure, unit_kind=k) for k in kinds]
        + [Applicability(procedure=procedure, unit=u) for u in units]
    )
