#!/usr/bin/env bash
# Runs Redpanda Connect from the bundle image as if it were the local binary, for the
# TEST_STACK=containers suite (CONNECT_BIN=tools/docker/connect-in-image.sh):
#   connect-in-image.sh run -s http.enabled=false pipelines/ingest.yaml
# - the image's Connect, pipelines, modules, config and SQL (its working directory), not the
#   checkout's: paths under the checkout (arguments and environment values) are rewritten to the
#   image's working directory; relative paths resolve there as they do from the repository root
# - host networking (127.0.0.1 is the host's loopback), --init (signals reach Connect, zombies reaped)
# - the caller's environment is forwarded by name (-e NAME: values never on a command line or in a
#   file), except the host's own variables (PATH, HOME, node/npm/vitest/docker internals)
# - /tmp is mounted (tests hand Connect temporary files) and Connect runs as the caller's user and
#   group (TEST_CONNECT_USER=image keeps the image's own user): the files tests make are often
#   private to their owner (mkdtemp is 0700), and a local Connect would read them as the caller
# - SIGTERM/SIGINT are forwarded by `docker run` itself; a SIGKILL of this process cannot be
#   forwarded, so a watchdog kills the container (SIGKILL) as soon as this process is gone, the
#   way a crash test's SIGKILL of a local Connect would end it
# Settings: DOCKER_HOST (the project's dockerd), TEST_CONNECT_IMAGE (nb67/bundle:local),
# TEST_CONNECT_ENTRYPOINT / TEST_CONNECT_WORKDIR (default: read from the image). Tests often start
# Connect with a reduced environment, so the run's values also come from .tools/run/connect-in-image.env
# (written by test/helpers/containers-setup.ts); the environment wins over the file.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PATH="${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
STATE="$ROOT/.tools/run/connect-in-image.env"
if [[ -f "$STATE" ]]; then
  while IFS='=' read -r k v; do
    [[ "$k" =~ ^(DOCKER_HOST|TEST_CONNECT_IMAGE|TEST_CONNECT_ENTRYPOINT|TEST_CONNECT_WORKDIR)$ ]] || continue
    [[ -n "${!k:-}" ]] || export "$k=$v"
  done <"$STATE"
fi
IMAGE="${TEST_CONNECT_IMAGE:-nb67/bundle:local}"
: "${DOCKER_HOST:?connect-in-image.sh: DOCKER_HOST is not set (eval \"\$(tools/docker/dockerd.sh env)\")}"
export DOCKER_HOST

if [[ -z "${TEST_CONNECT_ENTRYPOINT:-}" || -z "${TEST_CONNECT_WORKDIR:-}" ]]; then
  read -r ep wd < <(docker image inspect -f '{{index .Config.Entrypoint 0}} {{.Config.WorkingDir}}' "$IMAGE")
  TEST_CONNECT_ENTRYPOINT="${TEST_CONNECT_ENTRYPOINT:-$ep}"
  TEST_CONNECT_WORKDIR="${TEST_CONNECT_WORKDIR:-${wd:-/}}"
fi
WD="$TEST_CONNECT_WORKDIR"

to_image() { # a checkout path -> the same path in the image
  local v="$1"
  if [[ "$v" == "$ROOT" ]]; then printf '%s' "$WD"
  elif [[ "$v" == "$ROOT/"* ]]; then printf '%s' "$WD/${v#"$ROOT/"}"
  else printf '%s' "$v"; fi
}

args=()
for a in "$@"; do
  case "$a" in
    *=*) k="${a%%=*}"; args+=("$k=$(to_image "${a#*=}")") ;; # -s key=/path
    *) args+=("$(to_image "$a")") ;;
  esac
done

envs=()
while IFS= read -r -d '' kv; do
  k="${kv%%=*}"
  [[ "$k" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
  case "$k" in
    PATH|HOME|HOSTNAME|PWD|OLDPWD|SHLVL|_|TERM|USER|LOGNAME|SHELL|MAIL|TMPDIR|LANG|LC_*|LD_*|\
    NODE_*|npm_*|NPM_*|VITEST*|TINYPOOL*|DOCKER_*|TESTCONTAINERS_*|TEST_CONNECT_*|NB67_ROOT|FORCE_COLOR|NO_COLOR|COLORTERM|\
    SSH_*|XDG_*|GIT_*|MAKE*|MFLAGS|INIT_CWD|EDITOR|PAGER|LS_COLORS|CI|GITHUB_*) continue ;;
  esac
  v="${kv#*=}"
  nv="$(to_image "$v")"
  if [[ "$nv" != "$v" ]]; then export "$k=$nv"; fi
  envs+=(-e "$k")
done < <(env -0)

name="nb67-connect-$$-$RANDOM"
# The watchdog outlives a SIGKILL of this process (own session); it polls this PID, which the
# docker client keeps after exec.
self=$$
setsid bash -c '
  while kill -0 '"$self"' 2>/dev/null; do sleep 0.2; done
  docker kill -s KILL "$0" >/dev/null 2>&1 || true
  docker rm -f "$0" >/dev/null 2>&1 || true
' "$name" </dev/null >/dev/null 2>&1 &

user=(--user "$(id -u):$(id -g)")
[[ "${TEST_CONNECT_USER:-}" != image ]] || user=()

exec docker run --rm -i --init --network host --name "$name" --label nb67.test=connect "${user[@]}" \
  -v /tmp:/tmp -w "$WD" --entrypoint "$TEST_CONNECT_ENTRYPOINT" "${envs[@]}" "$IMAGE" "${args[@]}"
