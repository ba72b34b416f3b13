#!/usr/bin/env bash
# Installs what `featureflow up` needs on a fresh Debian machine, then pre-resolves the Kafka
# and Flink jars from Maven Central into ${FEATUREFLOW_HOME:-~/.cache/featureflow}/lib, so the
# first `up` (and CI's time budget) does not pay for Maven.
#
#   bash .ci/install-stack.sh            # run it
#   source .ci/install-stack.sh && install_stack   # or call it from .ci/run
#
# Needs node_modules (npm ci) for the last step: it runs the CLI's own resolver, so the cache
# layout and its POM-hash marker are written by exactly the code that reads them.

install_stack() {
  local repo started
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  started=$(date +%s)

  # Commands first, packages second: a machine with another JDK or Maven (SDKMAN, Temurin)
  # is fine as it is. docker-compose only validates docker-compose.yml statically.
  local -a missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v java >/dev/null || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || missing+=(maven)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  if ((${#missing[@]} > 0)); then
    local sudo=''
    [[ $(id -u) -eq 0 ]] || sudo='sudo'
    echo "install-stack: installing ${missing[*]} with apt-get"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq || return 1
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
      {
        echo "install-stack: apt-get could not install ${missing[*]}" >&2
        return 1
      }
  fi

  (cd "$repo" && node bin/featureflow.js up --resolve-only) || {
    echo "install-stack: resolving the Kafka and Flink jars failed (see the Maven log named above)" >&2
    return 1
  }
  echo "install-stack: done in $(($(date +%s) - started)) s"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  install_stack "$@"
fi
