from django.urls import path

from . import views

app_name = "hr"

urlpatterns = [
    # A short address to hand HR staff; the records live in the admin.
    path("hr/", views.records_redirect, name="records"),
]
