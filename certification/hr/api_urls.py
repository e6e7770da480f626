from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views

router = SimpleRouter()
router.register("workers", api.WorkerViewSet, basename="hr-api-worker")
router.register("certificates", api.CertificateViewSet, basename="hr-api-certificate")
router.register("certification-events", api.EventViewSet, basename="hr-api-event")

urlpatterns = [
    path("docs/", views.api_docs, name="hr-api-docs"),
    *router.urls,
]
