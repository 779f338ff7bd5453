"""Factories for every model, one module per app; the names the tests use most are gathered here."""

from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory
from tests.factories.assessments import judged_met
from tests.factories.centres import (
    ROLES,
    CentreFactory,
    EnrolmentFactory,
    MembershipFactory,
    eqa_with_grant,
    member,
    method,
    people_around,
)
from tests.factories.portfolio import bulk_portfolio, create_evidence_for, lines_of, submitted_evidence
from tests.factories.units import create_specification, specification_document

__all__ = [
    "DEFAULT_PASSWORD",
    "ROLES",
    "CentreFactory",
    "EnrolmentFactory",
    "MembershipFactory",
    "UserFactory",
    "bulk_portfolio",
    "create_evidence_for",
    "create_specification",
    "eqa_with_grant",
    "judged_met",
    "lines_of",
    "member",
    "method",
    "people_around",
    "specification_document",
    "submitted_evidence",
]
