#!/usr/bin/env bash
# proxydocs: the Mac side of the Colima proxy, in one go. Generated from proxy.toml.
# Adds the tunnel to ~/.ssh/config, puts the proxy into colima.yaml's env:,
# then opens and checks the tunnel.
# It checks everything before it changes anything, and it is safe to run again: it changes
# only what differs, and backs up every file it changes (FILE.proxydocs-backup-TIMESTAMP).
# Written for macOS's own bash 3.2 and BSD tools; python3 is used only if it is installed.
# Exit codes: 0 done; 1 a step is left to do by hand (the message says which); 2 refused.
set -euo pipefail
umask 077

alias_name=MyProxy
proxy_url=http://127.0.0.1:3128
profile=default
begin="# >>> proxydocs ${alias_name} >>>"
end="# <<< proxydocs ${alias_name} <<<"
stamp=$(date +%Y%m%d%H%M%S)
changed=0
left=0
work=""
pending=""

say() { printf '%s\n' "$*"; }
die() { printf 'setup_mac: %s\n' "$*" >&2; exit 2; }
# a proxy URL as messages show it: the password, if any, as ***
shown() { printf '%s' "$1" | sed -E 's#(://[^/@:]*):[^/@]*@#\1:***@#g'; }
cleanup() { if [ -n "$pending" ]; then rm -f "$pending"; fi; if [ -n "$work" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT

[ "$(uname -s)" = Darwin ] || die "this is the Mac-side script, but this machine is $(uname -s); inside the Colima VM run setup_vm.sh instead"
[ "$(id -u)" != 0 ] || die "run it as yourself, not as root: it edits your ~/.ssh/config"

# What this script writes, exactly as rendered from the settings.
IFS= read -r -d '' ssh_block <<'EOF' || true
# ~/.ssh/config: put this block before any "Host *" block (ssh takes the first value it finds)
Host MyProxy
  HostName <SERVER_IP>
  User admin
  Port 22
  IdentityFile ~/.ssh/proxy/id_rsa
  IdentitiesOnly yes
  ExitOnForwardFailure yes
  LocalForward 127.0.0.1:3128 127.0.0.1:3128
  ServerAliveInterval 30
  ServerAliveCountMax 3
  StrictHostKeyChecking accept-new
  ControlMaster auto
  ControlPath ~/.ssh/cm-%C
EOF
IFS= read -r -d '' env_entries <<'EOF' || true
HTTP_PROXY: http://127.0.0.1:3128
HTTPS_PROXY: http://127.0.0.1:3128
NO_PROXY: localhost,127.0.0.1,*.baidu.com,192.168.0.0/16,10.0.0.0/8,host.lima.internal,host.docker.internal,192.168.5.2
EOF
docker_entry=""
nl=$'\n'
env_entries=${env_entries%"$nl"}
docker_entry=${docker_entry%"$nl"}
want_hostname='<SERVER_IP>'
want_user="admin"
want_port=22

# 0. A copy that still holds a placeholder such as <SERVER_IP> must not write it anywhere.
placeholder='<[[:upper:]][[:upper:][:digit:]_]*>'
for value in "$ssh_block" "$env_entries" "$docker_entry"; do
  if [[ $value =~ $placeholder ]]; then
    die "this copy still holds the placeholder ${BASH_REMATCH[0]}: fill in the form on the guide page (its snippets and this script are then personalised) or render your own copy with: proxydocs render --out DIR --set tunnel.hostname=YOUR_SERVER"
  fi
done

# resolve PATH: the file a chain of symbolic links ends at (macOS has no readlink -f)
resolve() {
  local path=$1 link n=0
  while [ -L "$path" ]; do
    n=$((n + 1))
    [ "$n" -le 40 ] || die "$1: too many levels of symbolic links"
    link=$(readlink "$path")
    case $link in
      /*) path=$link ;;
      *) path=$(dirname "$path")/$link ;;
    esac
  done
  printf '%s\n' "$path"
}

# clean_path PATH: Go's filepath.Clean, which Colima applies to every path it builds
clean_path() {
  P=$1 awk 'BEGIN {
    p = ENVIRON["P"]; abs = (substr(p, 1, 1) == "/"); n = split(p, part, "/"); m = 0
    for (i = 1; i <= n; i++) {
      if (part[i] == "" || part[i] == ".") continue
      if (part[i] == "..") {
        if (m > 0 && out[m] != "..") { m--; continue }
        if (abs) continue
      }
      out[++m] = part[i]
    }
    s = ""
    for (i = 1; i <= m; i++) s = s (i > 1 ? "/" : "") out[i]
    if (abs) s = "/" s; else if (s == "") s = "."
    print s
  }'
}

# can_write FILE: the file can be replaced by a new one in its folder (or the folder made)
can_write() {
  local dir
  dir=$(dirname "$1")
  if [ -d "$dir" ]; then
    [ -w "$dir" ] || die "cannot write into ${dir}: it is not writable by $(id -un); nothing was changed"
  else
    [ -w "$(dirname "$dir")" ] || die "cannot create ${dir}; nothing was changed"
  fi
  if [ -e "$1" ]; then
    [ -f "$1" ] || die "$1 is not a regular file; nothing was changed"
    [ -r "$1" ] || die "cannot read $1; nothing was changed"
  fi
}

# install NEW TARGET: back TARGET up beside itself, then replace it with NEW through a
# temporary file in the same folder (same mode; a symbolic link to TARGET stays a link)
install_file() {
  local new=$1 target=$2 dir
  dir=$(dirname "$target")
  if [ ! -d "$dir" ]; then mkdir -m 700 "$dir"; fi
  pending=$(mktemp "${dir}/.proxydocs.XXXXXX")
  if [ -e "$target" ]; then
    cp -p "$target" "$pending"
    cp -p "$target" "${target}.proxydocs-backup-${stamp}"
    say "  backup: ${target}.proxydocs-backup-${stamp}"
  fi
  cat "$new" > "$pending"
  mv -f "$pending" "$target"
  pending=""
  changed=$((changed + 1))
}

# no_final_newline FILE: the file is not empty and its last line has no line break
no_final_newline() { [ -s "$1" ] && [ "$(tail -c 1 "$1" | wc -l | tr -d ' ')" = 0 ]; }

work=$(mktemp -d "${TMPDIR:-/tmp}/proxydocs.XXXXXX")

# 1. ~/.ssh/config: the tunnel's block between markers, before the first Host/Match line
ssh_config="${HOME}/.ssh/config"
ssh_target=$(resolve "$ssh_config")
can_write "$ssh_target"
ssh_source=/dev/null
if [ -e "$ssh_target" ]; then ssh_source=$ssh_target; fi
ssh_nonl=0
if [ -e "$ssh_target" ] && no_final_newline "$ssh_target"; then ssh_nonl=1; fi
IFS= read -r -d '' ssh_awk <<'AWK' || true
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
# the keyword of a line (ssh: case-insensitive, then blanks or one "="), "" for comments
function keyword(s,   t) {
  t = trim(s)
  if (t == "" || substr(t, 1, 1) == "#") return ""
  sub(/[ \t=].*$/, "", t)
  return tolower(t)
}
function emit(s) { out[++m] = s }
{ raw[NR] = $0; t = $0; sub(/\r$/, "", t); text[NR] = t }
END {
  b = ENVIRON["BEGIN_MARK"]; e = ENVIRON["END_MARK"]; alias = ENVIRON["ALIAS"]
  eol = (NR > 0 && raw[1] ~ /\r$/) ? "\r" : ""
  nb = 0; ne = 0
  for (i = 1; i <= NR; i++) {
    t = trim(text[i])
    if (t == b) { nb++; bi = i }
    if (t == e) { ne++; ei = i }
  }
  if (nb > 1 || ne > 1 || nb != ne || (nb == 1 && ei < bi)) {
    print "its proxydocs block for " alias " is damaged (" nb " begin and " ne " end marker lines; one of each, in that order, is expected): repair or remove it by hand; nothing was changed"
    exit 3
  }
  for (i = 1; i <= NR; i++) {
    if (nb == 1 && i >= bi && i <= ei) continue
    if (keyword(text[i]) != "host") continue
    args = trim(text[i]); sub(/^[^ \t=]+[ \t]*=?[ \t]*/, "", args)
    n = split(args, word, /[ \t]+/)
    for (j = 1; j <= n; j++) {
      w = word[j]; gsub(/"/, "", w)
      if (w == alias) {
        print "already has a 'Host " alias "' (line " i ") that proxydocs did not write: remove it or set tunnel.alias to another name; nothing was changed"
        exit 4
      }
    }
  }
  nl = split(ENVIRON["BLOCK"], block, "\n")
  if (nl > 0 && block[nl] == "") nl--
  m = 0; last = 0
  if (nb == 1) {
    for (i = 1; i < bi; i++) emit(raw[i])
    emit(b eol); for (k = 1; k <= nl; k++) emit(block[k] eol); emit(e eol)
    for (i = ei + 1; i <= NR; i++) emit(raw[i])
    last = (ei < NR)
  } else {
    at = 0
    for (i = 1; i <= NR && !at; i++) {
      kw = keyword(text[i])
      if (kw == "host" || kw == "match") at = i
    }
    if (at) {
      # comment lines right above that line describe it: the block goes above them
      while (at > 1 && substr(trim(text[at - 1]), 1, 1) == "#") at--
      for (i = 1; i < at; i++) emit(raw[i])
      emit(b eol); for (k = 1; k <= nl; k++) emit(block[k] eol); emit(e eol); emit(eol)
      for (i = at; i <= NR; i++) emit(raw[i])
      last = 1
    } else {
      for (i = 1; i <= NR; i++) emit(raw[i])
      if (NR > 0 && trim(text[NR]) != "") emit(eol)
      emit(b eol); for (k = 1; k <= nl; k++) emit(block[k] eol); emit(e eol)
    }
  }
  for (k = 1; k <= m; k++) {
    printf "%s", out[k]
    if (k < m || !(last && ENVIRON["NONL"] == 1)) printf "\n"
  }
}
AWK
set +e
BEGIN_MARK=$begin END_MARK=$end ALIAS=$alias_name BLOCK=$ssh_block NONL=$ssh_nonl \
  awk "$ssh_awk" "$ssh_source" > "$work/ssh_config"
rc=$?
set -e
if [ "$rc" != 0 ]; then die "${ssh_config}: $(cat "$work/ssh_config")"; fi
# the new file must be one that ssh reads, and in it our values must be the ones ssh takes
if ! ssh -G -F "$work/ssh_config" "$alias_name" > "$work/ssh_G" 2> "$work/ssh_G.err"; then
  die "${ssh_config}: ssh would not read it with the tunnel's block added ($(tr '\n' ' ' < "$work/ssh_G.err")); nothing was changed"
fi
tr '[:upper:]' '[:lower:]' < "$work/ssh_G" > "$work/ssh_G.lower"
for pair in "hostname ${want_hostname}" "user ${want_user}" "port ${want_port}"; do
  if ! grep -qxF "$(printf '%s' "$pair" | tr '[:upper:]' '[:lower:]')" "$work/ssh_G.lower"; then
    got=$(awk -v k="${pair%% *}" 'tolower($1) == k { print; exit }' "$work/ssh_G")
    die "${ssh_config}: with the block added, 'ssh -G ${alias_name}' gives '${got}', not '${pair}': a line above the first Host block (or an Include there) sets it for every host first; move it into a 'Host *' block at the end of the file; nothing was changed"
  fi
done
ssh_change=0
if [ ! -e "$ssh_target" ] || ! cmp -s "$work/ssh_config" "$ssh_target"; then ssh_change=1; fi

# 2. colima.yaml: where Colima looks for it (colima config/files.go and config/profile.go)
if [ -n "${COLIMA_HOME:-}" ] && [ -e "$COLIMA_HOME" ]; then
  colima_dir=$COLIMA_HOME
elif [ -e "${HOME}/.colima" ]; then
  colima_dir="${HOME}/.colima"
elif [ -n "${XDG_CONFIG_HOME+set}" ]; then
  colima_dir="${XDG_CONFIG_HOME:+${XDG_CONFIG_HOME}/}colima"
else
  colima_dir="${HOME}/.colima"
fi
case $profile in
  "" | colima | default) profile_dir=default ;;
  *) profile_dir=${profile#colima-} ;;
esac
colima_profile=$(clean_path "${colima_dir}/${profile_dir}")
colima_yaml="${colima_profile}/colima.yaml"
colima_target=$(resolve "$colima_yaml")
colima_change=0
colima_missing=0
if [ ! -e "$colima_target" ]; then
  colima_missing=1
else
  can_write "$colima_target"
  colima_nonl=0
  if no_final_newline "$colima_target"; then colima_nonl=1; fi
  IFS= read -r -d '' yaml_awk <<'AWK' || true
function refuse(why) { print why; exit 3 }
function emit(s) { out[++m] = s }
function entries(   k) { for (k = 1; k <= ne; k++) emit(pad ent[k] eol) }
{ raw[NR] = $0; t = $0; sub(/\r$/, "", t); text[NR] = t }
END {
  eol = (NR > 0 && raw[1] ~ /\r$/) ? "\r" : ""
  ne = split(ENVIRON["ENTRIES"], ent, "\n")
  if (ne > 0 && ent[ne] == "") ne--
  # the document: after an optional "---", up to "..." or the end of the file
  content = 0; stop = NR + 1; envs = 0
  for (i = 1; i <= NR; i++) {
    t = text[i]
    if (t ~ /^---([ \t]|$)/) {
      if (content) refuse("it holds more than one YAML document")
      r = t; sub(/^---[ \t]*/, "", r)
      if (r != "" && r !~ /^#/) refuse("line " i ": content on the --- line")
      continue
    }
    if (t ~ /^\.\.\.([ \t]|$)/) { stop = i; break }
    if (t !~ /^[^ \t#%]/) continue
    content = 1
    if (t ~ /^([-?]([ \t]|$)|[{[])/) refuse("line " i ": its top level is not a plain block mapping")
    if (t ~ /^["']env["'][ \t]*:/) refuse("line " i ": its env key is quoted")
    if (t ~ /^env[ \t]*:([ \t]|$)/) { envs++; ei = i }
  }
  for (i = stop + 1; i <= NR; i++)
    if (text[i] !~ /^[ \t]*(#.*)?$/) refuse("it holds more than one YAML document")
  if (envs > 1) refuse("it has " envs " top-level env keys")
  m = 0; pad = "  "
  if (envs == 0) {
    for (i = 1; i < stop; i++) emit(raw[i])
    emit("env:" eol); entries()
    for (i = stop; i <= NR; i++) emit(raw[i])
    last = (stop <= NR)
  } else {
    rest = text[ei]; sub(/^env[ \t]*:[ \t]*/, "", rest)
    flow = 0; note = ""
    if (rest ~ /^\{[ \t]*\}[ \t]*(#.*)?$/) {
      flow = 1; note = rest; sub(/^\{[ \t]*\}[ \t]*/, "", note)
    } else if (rest ~ /^\{/) {
      refuse("line " ei ": env: is written in flow style ({...})")
    } else if (rest ~ /^[&*!]/) {
      refuse("line " ei ": env: carries an anchor, an alias or a tag")
    } else if (rest != "" && rest !~ /^#/) {
      refuse("line " ei ": env: is not a mapping")
    }
    # the block: up to the next line at column 0 that is not a comment
    indent = 0; entry = 0; dropping = 0; first = 0
    for (j = ei + 1; j < stop && text[j] !~ /^[^ \t#]/; j++) {
      t = text[j]
      if (t ~ /^[ \t]*$/) continue
      lead = t; sub(/[^ \t].*$/, "", lead)
      body = substr(t, length(lead) + 1)
      if (substr(body, 1, 1) == "#") continue
      if (lead ~ /\t/) refuse("line " j ": it is indented with a tab")
      if (flow) refuse("line " j ": an indented line follows env: {}")
      k = length(lead)
      if (!indent) indent = k
      if (k > indent) {
        if (dropping) refuse("line " j ": the value of " name " goes on over several lines")
        continue
      }
      if (k < indent) refuse("line " j ": env entries are indented inconsistently (" k " and " indent " spaces)")
      if (body ~ /^"[^"\\]*"[ \t]*:([ \t]|$)/) {
        name = substr(body, 2); sub(/".*$/, "", name)
        value = body; sub(/^"[^"]*"[ \t]*:/, "", value)
      } else if (body ~ /^'[^']*'[ \t]*:([ \t]|$)/) {
        name = substr(body, 2); sub(/'.*$/, "", name)
        value = body; sub(/^'[^']*'[ \t]*:/, "", value)
      } else if (body ~ /^[A-Za-z_][A-Za-z0-9_.-]*[ \t]*:([ \t]|$)/) {
        name = body; sub(/[ \t]*:.*$/, "", name)
        value = body; sub(/^[^:]*:/, "", value)
      } else {
        refuse("line " j ": an env entry this script does not read (" body ")")
      }
      sub(/^[ \t]+/, "", value)
      lower = tolower(name)
      dropping = (lower == "http_proxy" || lower == "https_proxy" || lower == "no_proxy")
      if (dropping) {
        if (value ~ /^&/) refuse("line " j ": " name " carries an anchor that other lines may use")
        if (value ~ /^[|>]/) refuse("line " j ": the value of " name " is a block scalar")
        drop[j] = 1
        if (!first) first = j
      }
    }
    if (indent) pad = substr("                                ", 1, indent)
    at = first ? first : ei + 1
    for (i = 1; i <= NR; i++) {
      if (i == at) entries()
      if (i == ei && flow) { emit("env:" (note != "" ? " " note : "") eol); continue }
      if (!drop[i]) emit(raw[i])
    }
    if (at > NR) entries()
    last = (at <= NR && !drop[NR])
  }
  for (k = 1; k <= m; k++) {
    printf "%s", out[k]
    if (k < m || !(last && ENVIRON["NONL"] == 1)) printf "\n"
  }
}
AWK
  set +e
  ENTRIES=$env_entries NONL=$colima_nonl awk "$yaml_awk" "$colima_target" > "$work/colima.yaml"
  rc=$?
  set -e
  if [ "$rc" != 0 ]; then
    printf 'setup_mac: %s: %s; nothing was changed\n' "$colima_yaml" "$(cat "$work/colima.yaml")" >&2
    say "Put these lines into ${colima_yaml} by hand, and delete every other http_proxy, https_proxy and no_proxy entry under env: (in any letter case):"
    say "env:"
    while IFS= read -r line; do say "  $(shown "$line")"; done <<<"$env_entries"
    if [ "$(shown "$env_entries")" != "$env_entries" ]; then say "(*** stands for the proxy password, as proxy_url at the top of this script holds it)"; fi
    exit 1
  fi
  if ! cmp -s "$work/colima.yaml" "$colima_target"; then colima_change=1; fi
fi

# 3. the docker client's config.json

# Every check passed: now change what differs.
if [ "$ssh_change" = 1 ]; then
  install_file "$work/ssh_config" "$ssh_target"
  say "${ssh_config}: wrote Host ${alias_name}"
else
  say "${ssh_config}: Host ${alias_name} is up to date"
fi
if [ "$colima_missing" = 1 ]; then
  say "colima.yaml: ${colima_yaml} does not exist yet (Colima has not started this profile)"
elif [ "$colima_change" = 1 ]; then
  install_file "$work/colima.yaml" "$colima_target"
  say "${colima_yaml}: wrote HTTP_PROXY, HTTPS_PROXY and NO_PROXY under env:"
else
  say "${colima_yaml}: env: is up to date"
fi
say "docker client config.json: not touched (containerd runtime: nerdctl never reads its proxies; give containers the proxy with -e)"

# 4. the tunnel: open it unless it is running, then ask Docker Hub through it
if ssh -O check "$alias_name" 2>/dev/null; then
  say "tunnel ${alias_name}: already running"
else
  ssh -fN "$alias_name" || die "could not open the tunnel: try 'ssh -v ${alias_name}'"
  ssh -O check "$alias_name" || die "the tunnel did not stay up: try 'ssh -v ${alias_name}'"
  say "tunnel ${alias_name}: started"
fi
# the proxy URL may hold a password: curl reads it from standard input (printf is a shell
# builtin), so it never appears on a command line that ps shows; messages show it without
code=$(printf 'proxy = "%s"\n' "$proxy_url" | curl -sS -o /dev/null -w '%{http_code}' -K - https://registry-1.docker.io/v2/ || true)
if [ "$code" = 401 ]; then
  say "proxy $(shown "$proxy_url"): Docker Hub answers (401 is the registry asking for a token: good)"
else
  say "proxy $(shown "$proxy_url"): Docker Hub did not answer (HTTP '${code}'); check the proxy on the server"
fi

# 5. summary: what is left to do
say ""
if [ "$colima_missing" = 1 ]; then
  left=1
  say "Next: the first 'colima start' downloads the VM's disk image on this Mac, through this shell's"
  say "proxy variables only (colima.yaml's env: does not reach that download). With the tunnel up, run:"
  say "  HTTPS_PROXY=$(shown "$proxy_url") https_proxy=$(shown "$proxy_url") colima start --runtime containerd --cpu 4 --memory 8 --vm-type=vz"
  if [ "$(shown "$proxy_url")" != "$proxy_url" ]; then say "  (*** stands for the proxy password, as proxy_url at the top of this script holds it)"; fi
  say "then run this script again: it puts the proxy into ${colima_yaml}."
elif [ "$colima_change" = 1 ]; then
  say "Apply colima.yaml's env: colima stop && colima start --runtime containerd --cpu 4 --memory 8 --vm-type=vz"
fi
if [ "$changed" = 0 ]; then say "nothing to change"; fi
if [ "$left" = 1 ]; then say "one step left to do by hand (above)"; exit 1; fi
