# NB67 HVAC bundle. The two commands an operator needs: `make run` and `make test`.
# Everything installs itself into .tools/ (ignored) and is reused when present.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export NB67_ROOT := $(CURDIR)
export PATH := $(CURDIR)/.tools/bin:$(PATH)
CONNECT ?= $(CURDIR)/.tools/bin/redpanda-connect

.PHONY: help setup deps connect kafka postgres gen gen-check build wasm \
        stack-up stack-down stack-status topics run stop \
        lint typecheck test test-unit test-config test-integration \
        bench bench-decode bench-decode-profile bench-e2e bench-predict bench-baselines clean

help:
	@echo "make run    - install what is missing, start Kafka + PostgreSQL + Connect + simulator + console"
	@echo "make test   - install what is missing, lint, unit, config, integration, browser tests and API fuzzing"
	@echo "make stop   - stop everything make run started (same as stack-down)"
	@echo "other: setup build gen stack-up stack-down stack-status lint console console-web console-screenshots"
	@echo "bench: bench-decode bench-decode-profile bench-e2e bench-predict bench-baselines bench-console bench-console-web bench-edge"

## ---- install (idempotent, pinned) -----------------------------------------
setup: deps connect kafka postgres monitoring mqtt

# Mosquitto (Debian's package, for the edge stream and its tests); Debian's own service is stopped.
.PHONY: mqtt
mqtt:
	@tools/mqtt/mosquitto.sh install

# npm ci installs exactly what package-lock.json says and never rewrites it; change the lock on
# purpose with `npm install <pkg>@<version>` and commit it.
deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

connect:
	@tools/connect/build.sh

kafka:
	@tools/kafka/fetch.sh

postgres:
	@tools/stack/postgres.sh install

# promtool for the alert rules (config/monitoring/), extracted from Debian's prometheus package.
.PHONY: monitoring
monitoring:
	@tools/monitoring/install.sh

## ---- code generation and the WASM module -----------------------------------
gen: deps
	npm run gen

gen-check: deps
	npm run gen:check

build: deps console-web
	npm run build

# The operator console's web app (console/web -> console/web/dist, served by the console service).
.PHONY: console-web console-screenshots
console-web: deps
	npx tsc --noEmit -p console/web/tsconfig.json
	npx vite build --config console/web/vite.config.ts --logLevel warn

# Screenshots of the console's main pages (zh-CN, dark) into docs/console/ (Debian chromium).
console-screenshots: setup console-web
	@tools/browser/install.sh
	npx tsx test/browser/screenshots.ts

# The web app's benchmark (initial JS, fleet first screen, 1-year trend); part of bench-console.
.PHONY: bench-console-web
bench-console-web: setup build
	@tools/browser/install.sh
	@tools/stack/stack.sh up
	npx tsx bench/console-web.ts

# The images (nb67/bundle, nb67/migrate, nb67/console; docs/deploy.md) on the project's own dockerd.
.PHONY: images
images: connect
	@tools/images/build.sh

# The operator console service alone (console/server; needs the stack's PostgreSQL and Kafka).
.PHONY: console bench-console
console: deps
	@TSDB_URL="$${TSDB_URL:-postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable}" sql/apply.sh >/dev/null
	npx tsx console/server/main.ts

# Console latency/CPU on a fleet-sized scratch database (BENCH_* variables in bench/console.ts),
# then the web app's figures (bench-console-web).
bench-console: setup build
	@tools/stack/stack.sh up
	npx tsx bench/console.ts
	$(MAKE) --no-print-directory bench-console-web

wasm: build

## ---- local stack ---------------------------------------------------------------
stack-up: setup
	@tools/stack/stack.sh up

stack-down:
	@tools/stack/stack.sh down

stack-status:
	@tools/stack/stack.sh status

topics:
	@tools/stack/topics.sh

run: setup build stack-up
	@tools/stack/run.sh

stop: stack-down

## ---- checks -------------------------------------------------------------------
lint: connect deps
	@tools/lint.sh

typecheck: deps
	npm run typecheck

test: setup build lint
	@tools/run-tests.sh

test-unit: deps build
	npm run test:unit

test-config: connect build
	$(CONNECT) test --log error ./test/config/...

# TEST_STACK=containers: Kafka, PostgreSQL and Connect in containers on the project's own dockerd
# (tools/docker/containers-suite.sh starts it, builds the images, stops it again).
test-integration: setup build
ifeq ($(TEST_STACK),containers)
	@tools/docker/containers-suite.sh
else
	@tools/stack/stack.sh up
	npm run test:integration
endif

## ---- benchmarks (not tests) ------------------------------------------------------
bench: bench-decode bench-e2e bench-predict

bench-decode: setup build
	@bench/decode.sh

bench-decode-profile: setup build
	@bench/decode-profile.sh

bench-e2e: setup build
	@bench/e2e.sh

bench-predict: setup build
	@bench/predict.sh

# Frames/s from MQTT publish to signal-in and Connect's CPU per frame (pipelines/edge.yaml).
.PHONY: bench-edge
bench-edge: setup
	@bench/edge.sh

# Ours vs the competing Go plugin (needs its sources in PEER_SRC; see bench/baselines.md) and vs a
# legacy-equivalent CPython decoder. Not part of `bench`, since the peer sources are not shipped.
bench-baselines: setup build
	@bench/baseline-peer.sh
	@bench/baseline-legacy.sh

clean:
	rm -rf dist .reports
