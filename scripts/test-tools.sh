#!/usr/bin/env bash
# The Debian packages the tests drive, found on PATH or installed (npm test runs this first as
# `pretest`, so README's `npm ci && npm test` and CI's .ci/run are the same command):
#   tmux (interactive test in a real pseudo-terminal), openssh-client (ssh-keygen for key tests),
#   chromium (the drill report opened in a browser), awscli (a client that is not ours, against
#   the sandbox). Add a package here when a test needs one.
# Missing and not installable (not root, no sudo): exit 1 with the exact command to run.
set -euo pipefail
need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
{ [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || command -v chromium >/dev/null 2>&1; } || need+=(chromium)
# Debian's AWS CLI v2 at /usr/bin/aws (tests default to it: another aws on PATH may be a v1 from pip)
{ [ -x "${AWS_CLI:-/usr/bin/aws}" ] && command -v aws >/dev/null 2>&1; } || need+=(awscli)
{ command -v ssh-keygen >/dev/null 2>&1 && command -v sftp >/dev/null 2>&1; } || need+=(openssh-client)
# openssl: the sandbox edge makes its throwaway CA and per-hostname certificates with it.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# test/access/sshd.test.ts: a real sshd and the ssh/sftp clients
{ [ -x /usr/sbin/sshd ] || command -v sshd >/dev/null 2>&1; } || need+=(openssh-server)
[ ${#need[@]} -eq 0 ] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo"
else
  echo "The tests need Debian packages that are not installed: ${need[*]}." >&2
  echo "Install them, then run npm test again:  sudo sh -c '$cmd'" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need: ${need[*]} (Debian package names); this machine has no apt-get: install them with its package manager." >&2
  exit 1
fi
echo "Installing the Debian packages the tests need: ${need[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
