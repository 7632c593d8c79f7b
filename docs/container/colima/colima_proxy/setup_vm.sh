#!/usr/bin/env bash
# proxydocs: the VM side of the Colima proxy, in one go. Generated from proxy.toml.
# Run inside the VM as root: colima ssh -- sudo bash setup_vm.sh
# Writes apt's proxy, a systemd drop-in for each container service present, and the docker
# client's config.json; restarts only what changed; then shows what each program now sees.
# Safe to run again: it changes only what differs, and backs up every file it changes.
set -euo pipefail

stamp=$(date +%Y%m%d%H%M%S)
changed=0

say() { printf '%s\n' "$*"; }
die() { printf 'setup_vm: %s\n' "$*" >&2; exit 2; }

[ "$(uname -s)" = Linux ] || die "this is the VM-side script, but this machine is $(uname -s); on the Mac run setup_mac.sh, then: colima ssh -- sudo bash setup_vm.sh"
[ -d /mnt/lima-cidata ] || [ -n "${PROXYDOCS_NOT_LIMA_OK:-}" ] || die "this does not look like a Colima (Lima) VM (no /mnt/lima-cidata); set PROXYDOCS_NOT_LIMA_OK=1 to run it on another Linux host"
[ "$(id -u)" = 0 ] || die "run it as root: sudo bash $0"

# put FILE: write stdin to FILE if it differs (exit 0), else say so (exit 1); back up the old file
put() {
  local file=$1 new
  new=$(cat; printf x)
  new=${new%x}
  if [ -f "$file" ] && [ "$(cat "$file"; printf x)" = "${new}x" ]; then
    say "unchanged: $file"
    return 1
  fi
  mkdir -p "$(dirname "$file")"
  if [ -e "$file" ]; then cp -p "$file" "$file.proxydocs-backup-${stamp}"; fi
  printf '%s' "$new" > "$file.proxydocs-tmp" && mv "$file.proxydocs-tmp" "$file"
  say "wrote: $file"
  changed=$((changed + 1))
}

# 1. apt
put /etc/apt/apt.conf.d/01proxy <<'EOF' || true
Acquire::http::Proxy "http://192.168.5.2:3128/";
Acquire::https::Proxy "http://192.168.5.2:3128/";
EOF

# 2. a drop-in for each container service this VM has; restart only those that changed
services=""
for service in containerd buildkit docker; do
  if systemctl cat "${service}.service" >/dev/null 2>&1; then
    if put "/etc/systemd/system/${service}.service.d/http-proxy.conf" <<'EOF'; then services="$services $service"; fi
[Service]
Environment="HTTP_PROXY=http://192.168.5.2:3128"
Environment="HTTPS_PROXY=http://192.168.5.2:3128"
Environment="NO_PROXY=localhost,127.0.0.1,*.baidu.com,192.168.0.0/16,10.0.0.0/8,host.lima.internal,host.docker.internal,192.168.5.2"
EOF
  fi
done
if [ -n "$services" ]; then
  systemctl daemon-reload
  for service in $services; do systemctl restart "${service}.service" && say "restarted: ${service}"; done
fi

# 3. the docker client's config.json: proxies.default is set, every other key is kept
user_home=$HOME
if [ -n "${SUDO_USER:-}" ]; then user_home=$(getent passwd "$SUDO_USER" | cut -d: -f6); fi
config="${DOCKER_CONFIG:-${user_home}/.docker}/config.json"
proxies=$(cat <<'EOF'
{
 "proxies":
 {
   "default":
   {
     "httpProxy": "http://192.168.5.2:3128",
     "httpsProxy": "http://192.168.5.2:3128",
     "noProxy": "localhost,127.0.0.1,*.baidu.com,192.168.0.0/16,10.0.0.0/8,host.lima.internal,host.docker.internal,192.168.5.2"
   }
 }
}
EOF
)
if command -v python3 >/dev/null; then
  merged=$(PROXIES="$proxies" python3 -c '
import json, os, sys
path = sys.argv[1]
data = json.load(open(path, encoding="utf-8")) if os.path.exists(path) else {}
data.setdefault("proxies", {})["default"] = json.loads(os.environ["PROXIES"])["proxies"]["default"]
print(json.dumps(data, indent=1, ensure_ascii=False))' "$config")
  if printf '%s\n' "$merged" | put "$config" && [ -n "${SUDO_USER:-}" ]; then
    chown -R "$SUDO_USER:" "$(dirname "$config")"
  fi
else
  say "python3 is missing: put this into ${config} by hand:"
  say "$proxies"
fi

# 4. what each program now sees
say "--- apt"
apt-config dump | grep -i '::proxy' || say "apt has no proxy"
for service in containerd buildkit docker; do
  if systemctl cat "${service}.service" >/dev/null 2>&1; then
    say "--- ${service}"
    systemctl show "${service}.service" --property Environment
  fi
done
say "--- docker client (${config})"
grep -i 'proxy' "$config" || true
if [ "$changed" = 0 ]; then say "nothing to change"; fi
