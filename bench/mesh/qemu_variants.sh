#!/usr/bin/env bash
# Compares QEMU option variants with real VMs without touching the launcher: a wrapper put
# first on PATH rewrites the QEMU command line vmesh builds, and mesh_bench.py runs once per
# variant, the variants alternating in every round so a noisy host hits all of them alike.
#
#   usage: bench/mesh/qemu_variants.sh [--rounds N] [--configs in_vm,pair_serial]
#            LABEL=REWRITES [LABEL=REWRITES...]
#   REWRITES: ';'-separated edits, each one of
#     cpu:MODEL         replace the -cpu value (TCG only) e.g. cpu:max
#     append:ARGS       add to the kernel command line    e.g. append:mitigations=off
#     device:OLD>NEW    replace a -device value that starts with OLD by NEW
#                       e.g. device:virtio-serial-pci>virtio-serial-pci,ioeventfd=on,max_ports=2,vectors=7
#                       (NEW replaces the whole value: repeat the options to keep)
#     kernel:PATH       boot another kernel           e.g. kernel:/tmp/img/vmlinux
#     initrd:PATH       with another initramfs (its modules must match that kernel)
#   An empty REWRITES (LABEL=) runs vmesh's own command line.
#   Example: bench/mesh/qemu_variants.sh --rounds 3 default= erms=cpu:max
# Prints one line per variant, round and configuration; keeps every mesh-bench.json under
# a temporary directory (printed first).
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

rounds=2
configs="in_vm,pair_serial"
variants=()
while (($# > 0)); do
  case "$1" in
    --rounds) rounds="${2:?}"; shift 2 ;;
    --configs) configs="${2:?}"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *=*) variants+=("$1"); shift ;;
    *) echo "qemu_variants: not LABEL=REWRITES: $1" >&2; exit 2 ;;
  esac
done
((${#variants[@]} > 0)) || { echo "qemu_variants: give at least one LABEL=REWRITES" >&2; exit 2; }
qemu="$(command -v qemu-system-x86_64)" || { echo "qemu_variants: qemu-system-x86_64 not found" >&2; exit 1; }

work="$(mktemp -d /tmp/vmesh-qemu-variants.XXXXXX)"
echo "results under $work" >&2
mkdir -p "$work/bin"
# The wrapper: reads the edits from VMESH_QEMU_REWRITES and execs the real QEMU.
cat >"$work/bin/qemu-system-x86_64" <<EOF
#!/usr/bin/env bash
set -euo pipefail
IFS=';' read -r -a edits <<<"\${VMESH_QEMU_REWRITES:-}"
args=()
while ((\$# > 0)); do
  arg="\$1"; shift
  if [[ "\$arg" =~ ^-(cpu|append|device|kernel|initrd)\$ ]] && ((\$# > 0)); then
    value="\$1"; shift
    for edit in "\${edits[@]}"; do
      case "\$arg:\$edit" in
        # -cpu host is the KVM probe's: left alone.
        -cpu:cpu:*) [[ "\$value" == host ]] || value="\${edit#cpu:}" ;;
        -append:append:*) value+=" \${edit#append:}" ;;
        -kernel:kernel:*) value="\${edit#kernel:}" ;;
        -initrd:initrd:*) value="\${edit#initrd:}" ;;
        -device:device:*)
          old="\${edit#device:}"; old="\${old%%>*}"
          [[ "\$value" == "\$old"* ]] && value="\${edit#*>}" ;;
      esac
    done
    args+=("\$arg" "\$value")
  else
    args+=("\$arg")
  fi
done
exec "$qemu" "\${args[@]}"
EOF
chmod +x "$work/bin/qemu-system-x86_64"

"$top/scripts/build.sh" >/dev/null
for round in $(seq 1 "$rounds"); do
  for variant in "${variants[@]}"; do
    label="${variant%%=*}"
    out="$work/$label-$round"
    PATH="$work/bin:$PATH" VMESH_QEMU_REWRITES="${variant#*=}" \
      python3 "$top/bench/mesh/mesh_bench.py" --build "$top/build" --out "$out" --repeats 1 \
      --formation-nodes "" --configs "$configs" >"$out.log" 2>&1 ||
      { echo "$label round $round failed: $out.log" >&2; continue; }
    python3 - "$out/mesh-bench.json" "$label" "$round" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
for name, c in results["configs"].items():
    print("{:12s} round {}  {:12s} TCP {:6.1f} Mbit/s  UDP {:6.1f} Mbit/s  ping p50 {:5.2f} ms  p90 {:5.2f} ms".format(
        sys.argv[2], sys.argv[3], name, c["tcp_mbps"]["median"], c["udp_mbps"]["median"],
        c["ping_p50_ms"]["median"], c["ping_p90_ms"]["median"]))
PY
  done
done
