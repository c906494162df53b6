# Shared helpers of the guest image tests (bash). Source after setting IMAGE_SCRIPTS to
# the launcher/image directory. Every VM started through start_vm is killed at exit.
# shellcheck shell=bash

readonly SKIP=77
VM_PIDS=()
WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/vmesh-image-test.XXXXXX")"
KEEP_LOGS=0

skip() { echo "SKIP: $*"; exit "$SKIP"; }
fail() { echo "FAIL: $*"; KEEP_LOGS=1; exit 1; }
note() { echo "== $*"; }

cleanup() {
  local pid
  for pid in "${VM_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${VM_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
    # Not our child (run-vm.sh started it): poll until it is gone.
    local i=0
    while kill -0 "$pid" 2>/dev/null && ((i < 50)); do sleep 0.1; i=$((i + 1)); done
    kill -9 "$pid" 2>/dev/null || true
  done
  if ((KEEP_LOGS)); then
    local log
    for log in "$WORK_DIR"/*.log; do
      [[ -f "$log" ]] || continue
      echo "---- ${log} (serial console) ----"
      tail -n 40 "$log"
      [[ ! -s "${log}.qemu" ]] || { echo "---- ${log}.qemu ----"; cat "${log}.qemu"; }
    done
    echo "logs kept in ${WORK_DIR}"
  else
    rm -rf "$WORK_DIR"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || skip "${tool} is not installed"
  done
}

# Build (or reuse) the image; skips when Debian packages cannot be fetched.
image_or_skip() {
  need_tools apt-get apt-cache dpkg-deb cpio zstd xz depmod modprobe flock
  local out
  if ! out="$(bash "${IMAGE_SCRIPTS}/build-image.sh" 2>"${WORK_DIR}/build.err")"; then
    cat "${WORK_DIR}/build.err"
    if grep -q 'apt-get download failed\|apt-cache knows only\|cannot resolve' "${WORK_DIR}/build.err"; then
      skip "Debian packages are not available (see above)"
    fi
    fail "build-image.sh failed"
  fi
  IMAGE="$out"
}

# A TCP port on 127.0.0.1 nobody listens on (checked, then handed to QEMU). Drawn below
# the kernel's ephemeral range: a port there can be the local end of some outgoing
# connection (QEMU's own to the relay, say), which no listen check sees but which makes
# QEMU's hostfwd bind fail.
free_port() {
  local port tries=0 ephemeral_low
  read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range
  ((ephemeral_low > 21000)) || ephemeral_low=32768
  while ((tries < 100)); do
    port=$((20000 + RANDOM % (ephemeral_low - 20000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
      echo "$port"
      return 0
    fi
    tries=$((tries + 1))
  done
  fail "no free TCP port found"
}

new_key() {
  need_tools ssh ssh-keygen timeout
  KEY="${WORK_DIR}/id_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C vmesh-test -f "$KEY"
}

# start_vm NAME INDEX PORT [run-vm.sh args...]
start_vm() {
  local name="$1" index="$2" port="$3"
  shift 3
  local pid
  pid="$(bash "${IMAGE_SCRIPTS}/run-vm.sh" --image "$IMAGE" --index "$index" --name "$name" \
    --ssh-port "$port" --ssh-key "${KEY}.pub" --log "${WORK_DIR}/${name}.log" "$@")" ||
    fail "run-vm.sh failed for ${name}"
  [[ "$pid" =~ ^[0-9]+$ ]] || fail "run-vm.sh printed '${pid}' instead of a PID"
  VM_PIDS+=("$pid")
  note "${name}: QEMU pid ${pid}, ssh 127.0.0.1:${port}, log ${WORK_DIR}/${name}.log"
}

vssh() {
  local port="$1"
  shift
  timeout 60 ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    -o BatchMode=yes -o ConnectTimeout=5 -i "$KEY" -p "$port" root@127.0.0.1 "$@"
}

# wait_ssh PORT TIMEOUT_S: until a command runs over SSH; fails after the timeout.
wait_ssh() {
  local port="$1" timeout_s="$2" start=$SECONDS
  while ((SECONDS - start < timeout_s)); do
    if vssh "$port" true 2>/dev/null; then
      note "ssh on ${port} answered after $((SECONDS - start)) s"
      return 0
    fi
    local pid
    for pid in "${VM_PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null || fail "QEMU pid ${pid} exited early"
    done
    sleep 1
  done
  fail "no SSH on 127.0.0.1:${port} within ${timeout_s} s"
}

# poll TIMEOUT_S DESCRIPTION COMMAND...: until COMMAND succeeds.
poll() {
  local timeout_s="$1" what="$2" start=$SECONDS
  shift 2
  while ((SECONDS - start < timeout_s)); do
    if "$@"; then
      note "${what} after $((SECONDS - start)) s"
      return 0
    fi
    sleep 2
  done
  fail "${what}: not within ${timeout_s} s"
}

# relay_pair_setup AGENT RELAY: the common start of the two-VM relay tests. Snapshots the
# binaries (a concurrent rebuild must not change them under the test), builds the image
# with that agent, makes the SSH key and starts vmesh-relay -u on free ports. Sets
# RELAY_PID and RELAY_TCP_PORT.
relay_pair_setup() {
  local agent="$1" relay="$2"
  need_tools qemu-system-x86_64
  [[ -x "$agent" ]] || skip "vmesh-agent not built (${agent})"
  [[ -x "$relay" ]] || skip "vmesh-relay not built (${relay})"
  cp "$agent" "${WORK_DIR}/vmesh-agent"
  cp "$relay" "${WORK_DIR}/vmesh-relay"
  export VMESH_AGENT="${WORK_DIR}/vmesh-agent"
  image_or_skip
  new_key
  "${WORK_DIR}/vmesh-relay" --no-vsock -u --ports-base 0 --ports-file "${WORK_DIR}/ports.json" \
    >"${WORK_DIR}/relay.out" 2>&1 &
  RELAY_PID=$!
  VM_PIDS+=("$RELAY_PID")
  poll 10 "relay listening" test -s "${WORK_DIR}/ports.json"
  RELAY_TCP_PORT="$(sed -n 's/.*"tcp":\([0-9]*\).*/\1/p' "${WORK_DIR}/ports.json")"
  [[ "$RELAY_TCP_PORT" =~ ^[0-9]+$ ]] || fail "no tcp port in $(cat "${WORK_DIR}/ports.json")"
}
