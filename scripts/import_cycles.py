#!/usr/bin/env python3
"""Lists import circles between the files of a Rust crate.

    python3 scripts/import_cycles.py core/src macros/src

Reads every private `use` declaration and every `crate::`/`super::` path
written in code (not `mod` lines, and not `pub use` re-exports: a parent that
declares and publishes a child's items depends on nothing in it), resolves
each to the file of the deepest module its path names, and prints every group
of files that import each other in a circle (strongly connected components of
more than one file).
Exits 1 if there is one, so CI can keep the layering honest.
"""
import os
import re
import sys

ITEM = re.compile(
    r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:unsafe\s+)?(?:async\s+)?(?:const\s+)?"
    r"(?:struct|enum|trait|fn|type|const|static|mod|union|macro_rules!)\s+(\w+)",
    re.M,
)
USE = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", re.M)
PRIVATE_USE = re.compile(r"^\s*use\s+([^;]+);", re.M)
INLINE = re.compile(r"\b((?:crate|super)(?:::\w+)+)")
COMMENT = re.compile(r"//.*$", re.M)


def module_path(root, path):
    rel = os.path.relpath(path, root)[:-3].split(os.sep)
    if rel[-1] in ("lib", "main", "mod"):
        rel = rel[:-1]
    return tuple(rel)


def expand(tree):
    """`a::{b, c::{d, e}}` -> [[a, b], [a, c, d], [a, c, e]]."""
    tree = " ".join(tree.split())
    depth, i = 0, 0
    for i, ch in enumerate(tree):
        if ch == "{" and depth == 0:
            prefix = [p for p in tree[:i].split("::") if p]
            inner = tree[i + 1 : tree.rindex("}")]
            parts, level, cur = [], 0, ""
            for c in inner:
                level += c == "{"
                level -= c == "}"
                if c == "," and level == 0:
                    parts.append(cur)
                    cur = ""
                else:
                    cur += c
            parts.append(cur)
            return [prefix + sub for p in parts if p.strip() for sub in expand(p.strip())]
    name = tree.split(" as ")[0].strip()
    return [[p for p in name.split("::") if p]]


def main(roots):
    files = {}
    for root in roots:
        for dirpath, _, names in os.walk(root):
            for name in names:
                if name.endswith(".rs") and name != "tests.rs":
                    path = os.path.join(dirpath, name)
                    files[(root, module_path(root, path))] = path
    text = {key: open(path, encoding="utf-8").read() for key, path in files.items()}
    # Drop `#[cfg(test)] mod tests { ... }` bodies: tests may import anything.
    for key, src in text.items():
        cut = src.find("#[cfg(test)]\nmod tests {")
        if cut >= 0:
            text[key] = src[:cut]
    defines = {key: set(ITEM.findall(src)) for key, src in text.items()}
    uses = {key: [p for m in USE.findall(src) for p in expand(m)] for key, src in text.items()}
    imports = {key: [p for m in PRIVATE_USE.findall(src) for p in expand(m)] for key, src in text.items()}
    for key, src in text.items():  # paths written inline: `super::run::Finished`
        code = USE.sub("", COMMENT.sub("", src))
        imports[key] += [m.split("::") for m in INLINE.findall(code)]

    def absolute(key, path):
        root, here = key
        if not path:
            return None
        if path[0] == "crate":
            return list(path[1:])
        if path[0] in ("super", "self"):
            base = list(here)
            while path and path[0] in ("super", "self"):
                if path[0] == "super":
                    base = base[:-1]
                path = path[1:]
            return base + list(path)
        if (root, here + (path[0],)) in files:  # a child module, 2018 paths
            return list(here) + list(path)
        return None  # another crate

    def resolve(root, path):
        """The file of the deepest module named by `path` (an import of a name
        re-exported by a module depends on that module)."""
        for cut in range(len(path), 0, -1):
            key = (root, tuple(path[:cut]))
            if key in files:
                return key
        return None

    edges = {key: set() for key in files}
    for key, paths in imports.items():
        for path in paths:
            target = absolute(key, path)
            if target is None:
                continue
            found = resolve(key[0], target)
            if found and found != key:
                edges[key].add(found)

    # Tarjan's strongly connected components.
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(group)

    sys.setrecursionlimit(10000)
    for v in files:
        if v not in index:
            strong(v)
    for group in out:
        print("circle:", ", ".join(sorted(files[k] for k in group)))
    print(f"{len(out)} import circles among {len(files)} files")
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["core/src"]))
