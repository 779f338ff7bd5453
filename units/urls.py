from django.urls import path

from units import views

app_name = "units"

urlpatterns = [
    path("", views.specification_list, name="specification_list"),
    path("criteria/", views.criterion_search, name="criterion_search"),
    path("<int:pk>/", views.specification_detail, name="specification_detail"),
    path("<int:pk>/groups/<int:group_pk>/", views.group_detail, name="group_detail"),
]
