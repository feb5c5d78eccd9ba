"""The carry-over registry: registering the same carry-over again (a second AppConfig.ready())
changes nothing; another one under a key already taken is refused."""

import pytest

from audits.services import carry_over as audit_carry_over
from core import reorganisation


def _noop_preview(predecessor_ids):
    return []


def _noop_carry(*, actor, predecessor_ids, successor, on):
    return 0


def test_registering_the_same_carry_over_twice_is_a_no_op():
    before = reorganisation.carry_overs()
    reorganisation.register(audit_carry_over.CARRY_OVER)
    assert reorganisation.carry_overs() == before
    assert reorganisation.get("corrective_actions") is audit_carry_over.CARRY_OVER


def test_another_carry_over_under_a_taken_key_is_refused():
    other = reorganisation.CarryOver(
        key="corrective_actions", label="Khác", preview=_noop_preview, carry=_noop_carry
    )
    with pytest.raises(ValueError, match="registered twice"):
        reorganisation.register(other)
    assert reorganisation.get("corrective_actions") is audit_carry_over.CARRY_OVER
