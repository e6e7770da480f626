from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from .forms import LoginForm
from .views import healthz, site_history_for_superusers

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include("courses.api_urls")),
    path("", include("casebank.api_urls")),
    path("", include("assessments.api_urls")),
    path("", include("assessments.simulations.api_urls")),
    path("", include("certification.api_urls")),
    path("", include("certification.hr.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Wagtail's site history ignores jurisdiction: superusers only (matched before the admin).
    path("admin/reports/site-history/", site_history_for_superusers),
    path(
        "admin/reports/site-history/results/", site_history_for_superusers, {"results_only": True}
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("", include("courses.urls")),
    path("", include("casebank.urls")),
    path("", include("assessments.urls")),
    path("", include("assessments.simulations.urls")),
    path("", include("certification.urls")),
    path("", include("certification.hr.urls")),
    # Wagtail's page serving comes last: it answers every other path.
    path("", include(wagtail_urls)),
]

handler500 = "lms.views.server_error"
