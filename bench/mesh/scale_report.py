#!/usr/bin/env python3
"""Renders scale-bench.json (scale_bench.py) as SCALE.md with scale.svg: time to a formed
mesh and idle host CPU against the node count. Plain SVG. usage: scale_report.py DIR
"""

import json
import sys
from pathlib import Path


def num(value, digits=1):
    return "–" if value is None else f"{value:.{digits}f}"


def polyline(points, color):
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>' for x, y in points)
    return f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>{dots}'


def svg_chart(sizes):
    width, height, left, right, top, bottom = 640, 320, 60, 60, 30, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    max_n = max(s["nodes"] for s in sizes)
    max_t = max((s.get("formed_s") or 0) for s in sizes) or 1.0
    x = lambda n: left + plot_w * n / max_n
    y_time = lambda t: top + plot_h * (1 - t / max_t)
    y_cpu = lambda p: top + plot_h * (1 - p / 100.0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
           'stroke="#444"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#3b6ea5"/>',
           f'<line x1="{left + plot_w}" y1="{top}" x2="{left + plot_w}" y2="{top + plot_h}" '
           'stroke="#e39c37"/>']
    for s in sizes:
        out.append(f'<text x="{x(s["nodes"]):.1f}" y="{top + plot_h + 16}" '
                   f'text-anchor="middle">{s["nodes"]}</text>')
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">nodes</text>')
    out.append(f'<text x="{left - 8}" y="{top + 4}" text-anchor="end" fill="#3b6ea5">'
               f'{max_t:.0f} s</text>')
    out.append(f'<text x="{left - 8}" y="{top + plot_h}" text-anchor="end" fill="#3b6ea5">0</text>')
    out.append(f'<text x="{left + plot_w + 8}" y="{top + 4}" fill="#e39c37">100 %</text>')
    out.append(f'<text x="{left + plot_w + 8}" y="{top + plot_h}" fill="#e39c37">0</text>')
    timed = [(x(s["nodes"]), y_time(s["formed_s"])) for s in sizes if s.get("formed_s")]
    busy = [(x(s["nodes"]), y_cpu(s["host_busy_pct"])) for s in sizes
            if s.get("host_busy_pct") is not None]
    out.append(polyline(timed, "#3b6ea5"))
    out.append(polyline(busy, "#e39c37"))
    out.append(f'<text x="{left + 10}" y="{top - 10}" fill="#3b6ea5">time to a formed mesh '
               '(boot to SSH + mesh wait)</text>')
    out.append(f'<text x="{left + plot_w - 10}" y="{top - 10}" text-anchor="end" '
               'fill="#e39c37">idle host CPU busy</text>')
    out.append("</svg>")
    return "\n".join(out)


def markdown(results):
    lines = ["# Mesh size: time to a formed mesh and idle CPU", "",
             f"Measured {results['date']} on a {results['cpus']}-CPU host under TCG "
             "(`bench/mesh/scale_bench.py`); ring of N nodes (N = 2: a pair), default guest, "
             "OGM interval 1 s, idle sampled after the mesh formed.", "",
             "| nodes | result | boot to SSH s | mesh wait s | formed s | idle host busy, % of all CPUs "
             "| per-node QEMU, % of one CPU (mean / max) |",
             "|---|---|---|---|---|---|---|"]
    for s in results["sizes"]:
        lines.append(f"| {s['nodes']} | {'PASS' if s['exit'] == 0 else 'exit ' + str(s['exit'])} "
                     f"| {num(s.get('boot_to_ssh_s'))} | {num(s.get('mesh_s'))} "
                     f"| {num(s.get('formed_s'))} | {num(s.get('host_busy_pct'))} "
                     f"| {num(s.get('node_cpu_pct_mean'))} / {num(s.get('node_cpu_pct_max'))} |")
    lines += ["", "![time to a formed mesh and idle CPU against nodes](scale.svg)", "",
              "Per-node CPU is a share of one host CPU: sizing a machine for N idle nodes needs "
              "about N × the mean of that column, plus what the test itself does.", ""]
    return "\n".join(lines)


def main():
    directory = Path(sys.argv[1])
    results = json.load(open(directory / "scale-bench.json"))
    (directory / "SCALE.md").write_text(markdown(results))
    (directory / "scale.svg").write_text(svg_chart(results["sizes"]))
    print(f"wrote {directory / 'SCALE.md'} and {directory / 'scale.svg'}")


if __name__ == "__main__":
    main()
