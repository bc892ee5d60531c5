.PHONY: run test ci
run:
	python3 scripts/dev.py run
test:
	python3 scripts/dev.py test
ci:
	bash .ci/run
