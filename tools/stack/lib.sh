# Shared by tools/kafka/kafka.sh, tools/stack/postgres.sh and tools/stack/stack.sh (sourced, not run).

# wait_exit PID SECONDS: waits up to SECONDS for PID to exit; fails if it is still running.
wait_exit() {
  local pid="$1" tenths=$(($2 * 10))
  for _ in $(seq 1 "$tenths"); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  ! kill -0 "$pid" 2>/dev/null
}

# stop_process NAME PID SECONDS [group]: SIGTERM, up to SECONDS for a clean exit, then SIGKILL.
# With "group" the signals go to the process group PID leads (processes started with setsid), so
# children go too.
stop_process() {
  local name="$1" pid="$2" secs="$3" group="${4:-}"
  echo "$name: stopping (pid $pid)"
  if [[ "$group" == group ]]; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  if ! wait_exit "$pid" "$secs"; then
    echo "$name: still running after ${secs}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  if [[ "$group" == group ]]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi # stragglers
  wait_exit "$pid" 5 || true
}
