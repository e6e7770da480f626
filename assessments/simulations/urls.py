from django.urls import path

from . import views

app_name = "simulations"

urlpatterns = [
    path("simulations/", views.scenario_list, name="list"),
    path("simulations/<int:pk>/start/", views.start, name="start"),
    path("simulations/runs/<int:pk>/", views.play, name="play"),
    path("simulations/runs/<int:pk>/choose/", views.choose_view, name="choose"),
    path("simulations/runs/<int:pk>/result/", views.result, name="result"),
]
