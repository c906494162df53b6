#!/usr/bin/env python3
"""Checks the layering of the source tree against the CMake link graph.

Every folder under base/, medium/, relay/, launcher/ and bench/ that builds a target may
include its own headers and those of the targets it links (directly, then through their
PUBLIC/INTERFACE links) and nothing else. The link graph must be acyclic, and a target may
only link targets of its own layer or a lower one (LAYERS below). Also reports any source
file longer than MAX_LINES. Exit 1 with one line per problem.

  check_layering.py TOP_DIR
"""
import pathlib
import re
import sys

# Lower number = lower floor. A folder not listed here is an error, so a new room is placed
# on purpose.
LAYERS = {
    "base/common": 0,
    "base/wire": 1,
    "medium": 2,
    "relay/capture": 3,
    "relay/core": 3,
    "relay/agent": 3,
    "relay/vhost": 3,
    "relay/io": 4,
    "launcher": 4,
    "bench": 5,
    "bench/loadgen": 5,
}
SOURCE_ROOTS = ("base", "medium", "relay", "launcher", "bench")
MAX_LINES = 450
SOURCE_SUFFIXES = {".cpp", ".hpp"}


def strip_comments(text):
    return re.sub(r"#[^\n]*", "", text)


def cmake_calls(text, name):
    """Yields the argument lists of every call NAME(...) in a CMakeLists (no nesting)."""
    for match in re.finditer(rf"\b{name}\s*\(([^)]*)\)", strip_comments(text)):
        yield match.group(1).split()


def layer_of(folder):
    """The LAYERS key a folder belongs to: its own entry or its closest listed parent."""
    parts = folder.split("/")
    for n in range(len(parts), 0, -1):
        key = "/".join(parts[:n])
        if key in LAYERS:
            return key
    return None


def read_targets(top):
    """Maps target name -> folder, and target -> list of (visibility, linked target)."""
    folder_of, links = {}, {}
    for root in SOURCE_ROOTS:
        for cmake in sorted((top / root).rglob("CMakeLists.txt")):
            folder = str(cmake.parent.relative_to(top))
            text = cmake.read_text()
            for call in ("add_library", "add_executable"):
                for args in cmake_calls(text, call):
                    folder_of[args[0]] = folder
            for args in cmake_calls(text, "vmesh_add_bench"):
                folder_of[args[0]] = folder
                libs = args[args.index("LIBS") + 1:] if "LIBS" in args else []
                links.setdefault(args[0], []).extend(("PRIVATE", lib) for lib in libs)
            for args in cmake_calls(text, "target_link_libraries"):
                visibility = "PRIVATE"
                for word in args[1:]:
                    if word in ("PUBLIC", "PRIVATE", "INTERFACE"):
                        visibility = word
                    else:
                        links.setdefault(args[0], []).append((visibility, word))
    return folder_of, links


def reachable(target, links, folder_of):
    """Project targets whose headers TARGET may include: direct links of any visibility,
    then PUBLIC/INTERFACE links of those."""
    seen = set()
    stack = [lib for _, lib in links.get(target, []) if lib in folder_of]
    while stack:
        lib = stack.pop()
        if lib in seen:
            continue
        seen.add(lib)
        stack.extend(dep for vis, dep in links.get(lib, [])
                     if vis != "PRIVATE" and dep in folder_of)
    return seen


def find_cycle(links, folder_of):
    state = {}

    def visit(node, path):
        state[node] = "open"
        for _, dep in links.get(node, []):
            if dep not in folder_of:
                continue
            if state.get(dep) == "open":
                return path + [node, dep]
            if dep not in state:
                cycle = visit(dep, path + [node])
                if cycle:
                    return cycle
        state[node] = "done"
        return None

    for node in folder_of:
        if node not in state:
            cycle = visit(node, [])
            if cycle:
                return cycle
    return None


def main():
    top = pathlib.Path(sys.argv[1]).resolve()
    folder_of, links = read_targets(top)
    problems = []

    cycle = find_cycle(links, folder_of)
    if cycle:
        problems.append("link cycle: " + " -> ".join(cycle))

    for target, deps in links.items():
        if target not in folder_of:
            continue
        own = layer_of(folder_of[target])
        if own is None:
            problems.append(f"{folder_of[target]}: folder has no layer in check_layering.py")
            continue
        for _, dep in deps:
            if dep in folder_of and LAYERS[layer_of(folder_of[dep])] > LAYERS[own]:
                problems.append(f"{target} ({own}) links {dep} from a higher layer "
                                f"({layer_of(folder_of[dep])})")

    allowed = {}
    for target, folder in folder_of.items():
        reach = allowed.setdefault(folder, {folder})
        reach.update(folder_of[lib] for lib in reachable(target, links, folder_of))

    include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
    for root in SOURCE_ROOTS:
        for path in sorted((top / root).rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES:
                continue
            rel = path.relative_to(top)
            text = path.read_text()
            lines = text.count("\n")
            if lines > MAX_LINES:
                problems.append(f"{rel}: {lines} lines (more than {MAX_LINES})")
            folder = str(rel.parent)
            may_include = allowed.get(folder)
            if may_include is None:
                problems.append(f"{rel}: its folder builds no target")
                continue
            for header in include.findall(text):
                header_folder = str(pathlib.PurePosixPath(header).parent)
                if header_folder not in may_include:
                    problems.append(f"{rel}: includes {header}, but {folder}'s targets do "
                                    f"not link the target of {header_folder}/")

    for line in problems:
        print(line)
    if problems:
        return 1
    print(f"layering: {len(folder_of)} targets, acyclic, every include follows a link")
    return 0


if __name__ == "__main__":
    sys.exit(main())
