"""Changes to centres, their people, enrolments and EQA grants: one transaction each, audited.

A refusal raises `CentreError` with a message a person can act on.
"""


class CentreError(Exception):
    """A change the rules do not allow; the message says why and what to do."""
