from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_access, views_accounts, views_notifications, views_onboarding, views_self

urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    # self-service
    path("akun/kata-sandi/", views_self.PasswordChangeView.as_view(), name="password_change"),
    path("akun/lupa/", views_self.PasswordResetView.as_view(), name="password_reset"),
    path(
        "akun/lupa/terkirim/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "akun/lupa/<uidb64>/<token>/",
        views_self.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "akun/lupa/selesai/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("akun/profil/", views_self.profile, name="profile"),
    path("akun/profil/token/", views_self.profile_token, name="profile-token"),
    # accounts looked after by DPMD staff (and superusers)
    path("akun/", views_accounts.account_list, name="account-list"),
    path("akun/baru/", views_accounts.account_new, name="account-new"),
    path("akun/massal/", views_accounts.accounts_bulk, name="accounts-bulk"),
    path("akun/desa-belum-masuk/", views_accounts.villages_without_login, name="villages-not-on-board"),
    path("akun/desa-belum-masuk.xlsx", views_accounts.villages_without_login_xlsx, name="villages-not-on-board-xlsx"),
    path("akun/aktivitas/", views_accounts.account_activity, name="account-activity"),
    path("log-akses/", views_access.access_log, name="access-log"),
    path("akun/<int:pk>/", views_accounts.account_detail, name="account-detail"),
    path("akun/<int:pk>/ubah/", views_accounts.account_change, name="account-change"),
    path("akun/<int:pk>/reset/", views_accounts.account_reset, name="account-reset"),
    path("akun/<int:pk>/buka-kunci/", views_accounts.account_unlock, name="account-unlock"),
    path("akun/<int:pk>/nonaktifkan/", views_accounts.account_set_active, {"active": False}, name="account-deactivate"),
    path("akun/<int:pk>/aktifkan/", views_accounts.account_set_active, {"active": True}, name="account-reactivate"),
    # a new regency, by a superuser
    path("akun/kabupaten-baru/", views_onboarding.onboarding_new, name="onboarding-new"),
    path("akun/kabupaten-baru/<int:pk>/", views_onboarding.onboarding_detail, name="onboarding-detail"),
    # notifications
    path("notifikasi/", views_notifications.notification_list, name="notifications"),
    path("notifikasi/<int:pk>/baca/", views_notifications.notification_read, name="notification-read"),
    path("notifikasi/baca-semua/", views_notifications.notification_read_all, name="notifications-read-all"),
]
