"""What the floors above may add to a centre's rules without the centre importing them.

`specifications_leaving` is sent, inside the transaction, before specifications are taken off an enrolment; a
receiver that must keep one (the portfolio keeps a specification its evidence is mapped to) raises
`centres.services.CentreError` with the reason, and nothing is changed.
"""

from django.dispatch import Signal

# sender: Enrolment; arguments: enrolment, specifications (the Specification rows leaving it)
specifications_leaving = Signal()
