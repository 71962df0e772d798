from django.contrib.admin.apps import AdminConfig


class SuperuserAdminConfig(AdminConfig):
    default_site = "desa_jaminan.admin.SuperuserAdminSite"
