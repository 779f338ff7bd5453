"""In-app notifications."""

import factory

from notifications.models import Notification
from tests.factories.accounts import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    subject = "E1 submitted by Lee Learner"
    message = "Lee Learner submitted E1 for assessment."
    url = "/"
