"""Included from `assessments.urls`, so these names live in the `assessments` namespace (`iqa_` prefix)."""

from django.urls import path

from assessments import iqa_plan_views as views

urlpatterns = [
    path("iqa/", views.dashboard, name="iqa_dashboard"),
    path("centres/<int:centre_pk>/iqa/strategy/", views.strategy, name="iqa_strategy"),
    path("centres/<int:centre_pk>/iqa/plans/", views.plan_generate, name="iqa_plan_generate"),
    path("iqa/plans/<int:pk>/", views.plan, name="iqa_plan"),
    path("iqa/plans/<int:pk>/samples/", views.sample_add, name="iqa_sample_add"),
    path("iqa/samples/<int:pk>/remove/", views.sample_remove, name="iqa_sample_remove"),
    path("iqa/samples/<int:pk>/move/", views.sample_move, name="iqa_sample_move"),
]
