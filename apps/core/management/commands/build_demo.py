from django.core.management.base import BaseCommand

from apps.core.demo import DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = "Build the demo world (Tianhe district, staff of every role, elders). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--elders", type=int, default=300)

    def handle(self, *args, elders, **options):
        accounts = build_demo(elders=elders)
        self.stdout.write(self.style.SUCCESS("Demo world ready. Sign in at http://127.0.0.1:8000"))
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        for account in accounts:
            self.stdout.write(f"  {account.username:<12} {account.role:<24} {account.place}")
