from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_notifications

urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    # notifications
    path("notifikasi/", views_notifications.notification_list, name="notifications"),
    path("notifikasi/<int:pk>/baca/", views_notifications.notification_read, name="notification-read"),
    path("notifikasi/baca-semua/", views_notifications.notification_read_all, name="notifications-read-all"),
]
