from django.urls import path

from . import views

app_name = "casebank"

urlpatterns = [
    path("cases/submit/", views.submit_draft, name="submit_draft"),
    path("cases/submit/done/", views.submit_done, name="submit_done"),
    path("cases/<int:pk>/useful/", views.useful, name="useful"),
]
