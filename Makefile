.PHONY: run test ci bench bench-readme slow
run:
	python3 scripts/dev.py run
test:
	python3 scripts/dev.py test
# Every benchmark in bench/, one table (needs the machine's PostgreSQL and Redis).
bench:
	python3 scripts/dev.py bench
# The same, and the table written into the README's performance section.
bench-readme:
	python3 scripts/dev.py bench --write-readme
# What CI runs after the tests: API fuzzing per role, then the benchmarks.
slow:
	python3 scripts/dev.py slow
ci:
	bash .ci/run
