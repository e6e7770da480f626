from django.urls import path

from . import views

app_name = "certification"

urlpatterns = [
    path("me/certificates/", views.my_certificates, name="my_certificates"),
    path("me/certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("me/grade/", views.my_grade, name="my_grade"),
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("certification/manage/", views.manage_certificates, name="manage"),
    path("certification/manage/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certification/reviews/", views.reviews, name="reviews"),
    path("certification/reviews/<int:pk>/", views.review, name="review"),
]
