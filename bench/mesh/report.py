#!/usr/bin/env python3
"""Renders mesh-bench.json (from mesh_bench.py) as REPORT.md plus report.svg: a bar chart of
median TCP/UDP throughput per configuration with min-max whiskers. Plain SVG, no plotting
library needed. usage: report.py RESULTS_DIR
"""

import json
import sys
from pathlib import Path

LABELS = {
    "in_vm": "in-VM limit (2 radios, no relay)",
    "pair_serial": "2 VMs, 1 hop (virtio-serial, default)",
    "pair_tcp": "2 VMs, 1 hop (guest TCP, vwifi's way)",
    "pair_vhost": "2 VMs, 1 hop (vhost-user, no agent)",
    "line3": "3 VMs, 2 hops (line3 n1 -> n3; 1 ms delay per link)",
}
COLORS = {"tcp_mbps": "#3b6ea5", "udp_mbps": "#e39c37"}


def fmt(stat, key="median", digits=1):
    if not stat:
        return "–"
    return "{:.{}f}".format(stat[key], digits)


def span(stat, digits=1):
    if not stat:
        return "–"
    return "{:.{d}f} ({:.{d}f}–{:.{d}f})".format(stat["median"], stat["min"], stat["max"],
                                                 d=digits)


def svg_chart(configs):
    names = list(configs)
    width, bar_h, gap, left, top = 760, 16, 14, 300, 30
    metrics = ["tcp_mbps", "udp_mbps"]
    peak = max((configs[n][m]["max"] for n in names for m in metrics if configs[n].get(m)),
               default=1.0)
    scale = (width - left - 40) / peak
    height = top + len(names) * (len(metrics) * bar_h + gap) + 40
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" '
           'font-family="sans-serif" font-size="12">'.format(width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="18" font-size="14">Median throughput, Mbit/s '
           '(whiskers: min-max over repeats)</text>']
    y = top
    for name in names:
        out.append('<text x="10" y="{}">{}</text>'.format(y + bar_h + 4,
                                                          LABELS.get(name, name)))
        for metric in metrics:
            stat = configs[name].get(metric)
            if stat:
                w = stat["median"] * scale
                out.append('<rect x="{}" y="{}" width="{:.1f}" height="{}" fill="{}"/>'.format(
                    left, y, w, bar_h - 2, COLORS[metric]))
                lo, hi = left + stat["min"] * scale, left + stat["max"] * scale
                mid = y + (bar_h - 2) / 2
                out.append('<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" '
                           'stroke="black"/>'.format(lo, mid, hi, mid))
                out.append('<text x="{:.1f}" y="{}">{:.1f}</text>'.format(
                    left + max(w, hi - left) + 4, y + bar_h - 4, stat["median"]))
            y += bar_h
        y += gap
    legend_y = height - 14
    for i, (metric, label) in enumerate((("tcp_mbps", "TCP"), ("udp_mbps", "UDP received"))):
        x = left + i * 140
        out.append('<rect x="{}" y="{}" width="12" height="12" fill="{}"/>'.format(
            x, legend_y - 10, COLORS[metric]))
        out.append('<text x="{}" y="{}">{}</text>'.format(x + 16, legend_y, label))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def repeat_ratios(configs, name):
    """TCP of `name` over the in-VM limit's TCP of the same repeat, one per repeat."""
    try:
        limits = configs["in_vm"]["tcp_mbps"]["samples"]
        values = configs[name]["tcp_mbps"]["samples"]
    except (KeyError, TypeError):
        return []
    return [v / l for v, l in zip(values, limits) if l]


def markdown(results):
    configs = results["configs"]
    lines = [
        "# Whole-mesh benchmark",
        "",
        "Measured {} on a {}-CPU {} host (kernel {}), guests under TCG; {} repeats, "
        "configurations alternating within each repeat, iperf3 {} s, {} pings at 0.1 s, "
        "UDP offered {} Mbit/s. Regenerate with `bench/mesh/run.sh` (about {} min here)."
        .format(results["date"], results["host"]["cpus"], results["host"]["machine"],
                results["host"]["kernel"], results["repeats"], results["iperf_seconds"],
                results["pings"], results["udp_offered_mbps"],
                round(results["duration_s"] / 60)),
        "",
        "![throughput](report.svg)",
        "",
        "| configuration | TCP Mbit/s | vs in-VM | UDP received Mbit/s | UDP loss % "
        "| ping p50 ms | ping p50 vs in-VM | ping p90 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    ping_ratios = results.get("ping_p50_ratio_to_in_vm", {})
    ratios = results.get("tcp_ratio_to_in_vm", {})
    for name, c in configs.items():
        if name == "in_vm":
            ratio = "1.00"
        else:
            ratio = "{:.2f}".format(ratios[name]) if name in ratios else "–"
            per_repeat = repeat_ratios(configs, name)
            if per_repeat:
                ratio += " ({:.2f}–{:.2f})".format(min(per_repeat), max(per_repeat))
        ping_ratio = "1.00" if name == "in_vm" else (
            "{:.2f}".format(ping_ratios[name]) if name in ping_ratios else "–")
        lines.append("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
            LABELS.get(name, name), span(c.get("tcp_mbps")), ratio, span(c.get("udp_mbps")),
            fmt(c.get("udp_loss_pct")), span(c.get("ping_p50_ms"), 2), ping_ratio,
            fmt(c.get("ping_p90_ms"), digits=2)))
    qemu = results.get("qemu", {})
    if qemu:
        lines += ["", "QEMU: {} (host){}.".format(
            qemu.get("host") or "?",
            "; {} (vhost-user transport)".format(qemu["vhost_user"]) if qemu.get("vhost_user")
            else "")]
    lines += ["", "Cells: median (min–max) over the repeats. vs in-VM: median TCP over the in-VM "
              "limit's median; in brackets the lowest and highest ratio within one repeat.", ""]
    if results.get("formation"):
        lines += ["## Time to a formed mesh", "",
                  "`vmesh run` of N nodes that all hear each other: boot to SSH-ready on every "
                  "node, then until every node has its batman-adv neighbours and pings.", "",
                  "| nodes | boot to SSH s | mesh formed after SSH s | total s |",
                  "|---|---|---|---|"]
        for nodes, f in results["formation"].items():
            lines.append("| {} | {} | {} | {} |".format(
                nodes, span(f.get("boot_to_ssh_s")), span(f.get("mesh_s")),
                span(f.get("ready_s"))))
        lines.append("")
    failures = results.get("failures") or {}
    if failures:
        lines.append("Failed measurements (left out of the cells above; errors in the JSON): " +
                     ", ".join("{} ×{}".format(LABELS.get(name, name), len(errors))
                               for name, errors in failures.items()) + ".")
        lines.append("")
    lines += ["Raw samples: [mesh-bench.json](mesh-bench.json).", ""]
    return "\n".join(lines)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report.py RESULTS_DIR")
    directory = Path(sys.argv[1])
    results = json.loads((directory / "mesh-bench.json").read_text())
    (directory / "report.svg").write_text(svg_chart(results["configs"]))
    (directory / "REPORT.md").write_text(markdown(results))
    print("wrote {} and {}".format(directory / "REPORT.md", directory / "report.svg"),
          file=sys.stderr)


if __name__ == "__main__":
    main()
