#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine, and nothing that is already there.
# Idempotent: a second run only checks. CI runs it as root (scripts/test-all.sh); elsewhere it uses sudo when
# present, or prints what is missing and how to install it.
#
# Adding a system package for your suite: append it to APT_PACKAGES below with a comment saying who needs it.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  postgresql-15          # test/harness/postgres.ts: initdb, pg_ctl, postgres for the ephemeral cluster
  postgresql-15-hypopg   # hypothetical indexes for the index advisor (CREATE EXTENSION hypopg in the fixture)
  chromium               # test/vscode/run.mjs: drives code-server's workbench through playwright-core
  ripgrep                # test/vscode/run.mjs: seeds @vscode/ripgrep's download cache when code-server is installed
  libkrb5-dev            # test/vscode/run.mjs: code-server's kerberos module builds against the gssapi headers
  neovim                 # test/editors/run.mjs: a second LSP client of the language server
  emacs-nox              # test/editors/run.mjs: Emacs + eglot, a third LSP client of the language server
  elpa-eglot             # (with emacs-nox)
)

log() { printf '[setup] %s\n' "$*" >&2; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    log "missing system packages: ${missing[*]}"
    log "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing system packages: ${missing[*]} (and no apt-get here: install the equivalents by hand)"
    exit 1
  fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "installed: ${missing[*]}"
  # The tests start their own throwaway clusters: if installing postgresql-15 just started Debian's "main" cluster,
  # stop it again rather than leave a server nobody asked for running on 5432.
  if [[ " ${missing[*]} " == *" postgresql-15 "* ]] && command -v pg_lsclusters >/dev/null 2>&1; then
    if pg_lsclusters -h 2>/dev/null | awk '$1 == "15" && $2 == "main" && $4 == "online"' | grep -q .; then
      "${SUDO[@]}" pg_ctlcluster 15 main stop || true
      log "stopped the 15/main cluster the package started (the tests use their own)"
    fi
  fi
else
  log "system packages present: ${APT_PACKAGES[*]}"
fi

# The server binaries, where test/harness/postgres.ts looks for them.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  log "PostgreSQL server binaries not found after installing postgresql-15"
  exit 1
fi

# Node packages: npm ci when node_modules is missing or older than package-lock.json.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  log "node_modules up to date"
fi
