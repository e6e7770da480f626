from django.urls import path

from . import api

urlpatterns = [
    path("simulations/", api.SimulationListView.as_view(), name="api-simulations"),
    path(
        "simulations/<int:sim_id>/runs/",
        api.StartRunView.as_view(),
        name="api-simulation-runs",
    ),
    path("runs/<int:run_id>/", api.RunDetailView.as_view(), name="api-run"),
    path("runs/<int:run_id>/choose/", api.ChooseView.as_view(), name="api-run-choose"),
    path("runs/<int:run_id>/result/", api.RunResultView.as_view(), name="api-run-result"),
]
