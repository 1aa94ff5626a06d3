from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Parties and partnerships"

    def ready(self):
        from partnerships.audit import signals  # noqa: F401  (login and task receivers)
