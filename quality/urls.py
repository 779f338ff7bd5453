from django.urls import path

from quality.views import actions, plans, samples

app_name = "quality"

urlpatterns = [
    path("iqa/", plans.dashboard, name="dashboard"),
    path("centres/<int:centre_pk>/iqa/strategy/", plans.strategy, name="strategy"),
    path("centres/<int:centre_pk>/iqa/plans/", plans.plan_generate, name="plan_generate"),
    path("iqa/plans/<int:pk>/", plans.plan, name="plan"),
    path("iqa/plans/<int:pk>/samples/", plans.sample_add, name="sample_add"),
    path("iqa/samples/<int:pk>/remove/", plans.sample_remove, name="sample_remove"),
    path("iqa/samples/<int:pk>/move/", plans.sample_move, name="sample_move"),
    path("samples/<int:pk>/", samples.sample_detail, name="sample_detail"),
    path("samples/<int:pk>/decide/", samples.sample_decide, name="sample_decide"),
    path("samples/<int:pk>/admin-check/", samples.sample_admin_check, name="sample_admin_check"),
    path("samples/<int:pk>/completion/", samples.sample_completion, name="sample_completion"),
    path("actions/<int:pk>/respond/", actions.action_respond, name="action_respond"),
    path("actions/<int:pk>/close/", actions.action_close, name="action_close"),
    path("iqa/feedback-and-actions/", actions.my_iqa, name="my_iqa"),
]
