#!/usr/bin/env bash
# Makes sure what the test suite needs is here and running: a Docker engine in swarm mode and Debian's Chromium.
# Idempotent and quick when everything is already there. Installs with apt-get when run as root on Debian;
# otherwise it says exactly what is missing. Used by `npm test` (pretest) and by .ci/run.
set -euo pipefail

log() { printf '[provision] %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
# The lab's images are built locally from Debian's packages (no registry): busybox-static for the small ones,
# debootstrap for the toolbox.
[[ -x /bin/busybox ]] || missing+=(busybox-static)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
# Swarm sandboxes (per-attendee environments) are reached over ssh with a key made by ssh-keygen.
command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
# The assembly conformance test runs container.training's markmaker.py: Python 3 with PyYAML (Debian's, never PyPI;
# python3-yaml brings python3 along).
python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1 ||
    fail "missing: ${missing[*]} — install them (Debian: apt-get install ${missing[*]}) and run again"
  log "installing ${missing[*]} (apt-get)"
  apt-get update -qq -o Acquire::Retries=3
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Acquire::Retries=3 --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  [[ $(id -u) == 0 ]] || fail "the Docker engine is not running and only root can start it here: start dockerd"
  log "starting dockerd (log: /tmp/labdeck-dockerd.log)"
  nohup dockerd >/tmp/labdeck-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -20 /tmp/labdeck-dockerd.log >&2; fail "dockerd did not start"; }
fi

if [[ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != "active" ]]; then
  log "initialising a single-node swarm on 127.0.0.1"
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
fi
log "ready: Docker $(docker version --format '{{.Server.Version}}') in swarm mode, $(/usr/bin/chromium --version 2>/dev/null | head -1)"
