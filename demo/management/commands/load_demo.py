from django.core.management.base import BaseCommand

from demo.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo: the regions of Mukomuko (17.06) and Majene (76.05), their officials, enrollments, "
        "the Mukomuko DAU allocation and a login per role and per desa. Idempotent: a second run adds nothing."
    )

    def handle(self, *args, **options):
        result = demo_load()
        shown = [name for name in result.logins if not name.startswith("desa-")]
        villages = [name for name in result.logins if name.startswith("desa-")]
        self.stdout.write("Logins:")
        for name in shown:
            self.stdout.write(f"  {name}")
        if villages:
            self.stdout.write(
                f"  {villages[0]} … {villages[-1]} ({len(villages)} village heads, desa-<code without dots>)"
            )
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {result.persons_created} officials and {result.users_created} logins added."
            )
        )
