"""Changes to a learner's portfolio: evidence, its numbering, status, files and mappings.

Each function is one transaction (or the caller's) and writes its audit entry in it; a refusal raises
`PortfolioError` with a message a person can act on.
"""


class PortfolioError(Exception):
    """A change the rules do not allow; the message says why and what to do."""


class EvidenceDetailsError(PortfolioError):
    """Details of a piece of evidence that break the rules: every problem at once, each with its field."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems.values()))
