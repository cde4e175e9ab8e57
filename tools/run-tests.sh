#!/usr/bin/env bash
# `make test` after setup, build and lint: unit tests, Connect config tests and
# integration tests against the real local stack. Every stage runs even when an
# earlier one fails, so one run shows everything; the exit code is non-zero if
# anything failed. The last line is the total, in the plain form CI reads:
#   tests: N passed, M failed
set -uo pipefail
cd "${NB67_ROOT:-$(dirname "$0")/..}"
CONNECT="${CONNECT:-$PWD/.tools/bin/redpanda-connect}"
mkdir -p .reports
passed=0 failed=0 status=0

# A stack that `make run` started stays up; one that the tests started is stopped at the end, so
# `make test` leaves no process behind (Kafka, PostgreSQL, Mosquitto, Connect, console).
stack_was_up=false
if tools/stack/postgres.sh status >/dev/null 2>&1 && tools/kafka/kafka.sh status >/dev/null 2>&1; then stack_was_up=true; fi
stop_stack() { [[ $stack_was_up == true ]] || tools/stack/stack.sh down >/dev/null || echo "tests: stack did not stop cleanly" >&2; }
trap stop_stack EXIT

count_vitest() { # $1 = json report; adds to the totals
  if [[ -s "$1" ]]; then
    read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTestSuites && !r.success && r.numFailedTests===0 ? 1 : 0))' "$(realpath "$1")")
    passed=$((passed + p)); failed=$((failed + f))
  else
    failed=$((failed + 1)) # the runner itself died
  fi
}

echo "== unit tests"
rm -f .reports/unit.json
npx vitest run --config test/vitest.config.ts --dir test/unit --reporter=default --reporter=json --outputFile.json=.reports/unit.json || status=1
count_vitest .reports/unit.json

echo "== Connect config tests (redpanda-connect test)"
if compgen -G "test/config/*.yaml" >/dev/null; then
  "$CONNECT" test --log error ./test/config/... 2>&1 | tee .reports/config.txt
  rc=${PIPESTATUS[0]}
  p=$(grep -c "^Test '.*' succeeded" .reports/config.txt || true)
  f=$(grep -c "^Test '.*' failed" .reports/config.txt || true)
  passed=$((passed + p)); failed=$((failed + f))
  if [[ $rc -ne 0 ]]; then status=1; [[ $f -eq 0 ]] && failed=$((failed + 1)); fi
fi

echo "== alert rules (promtool check rules, promtool test rules: config/monitoring/)"
PROMTOOL="${PROMTOOL:-$PWD/.tools/bin/promtool}"
if [[ -x "$PROMTOOL" ]] || tools/monitoring/install.sh; then
  for cmd in "check rules config/monitoring/alerts.yaml" "test rules config/monitoring/alerts.test.yaml"; do
    # shellcheck disable=SC2086
    if "$PROMTOOL" $cmd; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
  done
else
  echo "promtool could not be installed; alert rules not checked" >&2
  status=1; failed=$((failed + 2))
fi

echo "== integration tests (real Kafka, PostgreSQL, Connect)"
if tools/stack/stack.sh up; then
  rm -f .reports/integration.json
  npx vitest run --config test/vitest.config.ts --dir test/integration --reporter=default --reporter=json --outputFile.json=.reports/integration.json || status=1
  count_vitest .reports/integration.json
else
  echo "stack did not come up; integration tests not run" >&2
  status=1; failed=$((failed + 1))
fi

echo "== integration tests on containers (TEST_STACK=containers: Kafka, PostgreSQL and Connect in containers)"
# Beside the local stack (own ports); tools/docker/containers-suite.sh starts and stops the project's
# dockerd and builds the images (cached by their inputs); its wall time is printed for CI budgets.
containers_t0=$(date +%s)
rm -f .reports/containers.json
tools/docker/containers-suite.sh --reporter=default --reporter=json --outputFile.json=.reports/containers.json || status=1
count_vitest .reports/containers.json
echo "containers stage: $(( $(date +%s) - containers_t0 )) s wall"

echo "== browser tests (console web app in Debian chromium, real console service)"
if tools/browser/install.sh; then
  rm -f .reports/browser.json
  npx vitest run --config test/browser/vitest.config.ts --reporter=default --reporter=json --outputFile.json=.reports/browser.json || status=1
  count_vitest .reports/browser.json
else
  echo "chromium could not be installed; browser tests not run" >&2
  status=1; failed=$((failed + 1))
fi

echo "== API fuzzing (schemathesis against the console's /api/openapi.json; each operation counts)"
rm -f .reports/schemathesis.json
if console/server/fuzz/install.sh && npx tsx console/server/fuzz/run.ts; then :; else status=1; fi
if [[ -s .reports/schemathesis.json ]]; then
  read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.passed, r.failed)' "$(realpath .reports/schemathesis.json)")
  passed=$((passed + p)); failed=$((failed + f))
else
  failed=$((failed + 1)) # the fuzzer did not run
fi

echo
echo "tests: ${passed} passed, ${failed} failed"
[[ $status -eq 0 && $failed -eq 0 ]]
