import time

from django.core.management.base import BaseCommand

from apps.core.demo import generate_city


class Command(BaseCommand):
    help = "Add city-scale synthetic elders across all 178 streets (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--elders", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, elders, seed, **options):
        started = time.perf_counter()
        created = generate_city(elders=elders, seed=seed)
        self.stdout.write(f"created {created} elders in {time.perf_counter() - started:.1f} s")
