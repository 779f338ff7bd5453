"""What the floors above may add to the portfolio's rules without the portfolio importing them.

`mapping_proposed` is sent, inside the transaction and with the evidence row locked, before a learner's mapping is
saved; a receiver that must refuse it (assessment refuses a specification whose sign-off is in force) raises a
`portfolio.services.PortfolioError` (or a subclass) with the reason, and nothing is saved.
"""

from django.dispatch import Signal

# sender: Evidence; arguments: evidence, criterion, range_item
mapping_proposed = Signal()

# Sent inside the transaction after a piece of evidence's mappings or status changed, so that what is evidenced
# and met (assessment's to say) is stored again with the change. sender: Evidence; arguments: evidence
evidence_changed = Signal()
