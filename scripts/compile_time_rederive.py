"""Turns the `-Zunpretty=expanded` output of the generated typed crate back
into stable Rust, for scripts/compile_time.sh's EXPLAIN mode.

Standard derive impls become `#[derive(...)]` attributes again (the expanded
forms use unstable internals); typestep's own impls stay written out, so the
crate compiles without running typestep's proc macro. Options remove parts of
the generated code to measure, by elimination, what each part costs:

  zst-min   derives on the zero-sized state/event types: only Debug, Clone, Copy
  zst-none  no derives on the zero-sized state/event types
  no-from   no `From<marker> for State/Event` impls

usage: python3 compile_time_rederive.py EXPANDED.rs [options...] > lib.rs
"""
import re
import sys

STD = {
    "::core::fmt::Debug": "Debug",
    "::core::clone::Clone": "Clone",
    "::core::clone::TrivialClone": None,
    "::core::marker::Copy": "Copy",
    "::core::marker::StructuralPartialEq": None,
    "::core::cmp::PartialEq": "PartialEq",
    "::core::cmp::Eq": "Eq",
    "::core::cmp::PartialOrd": "PartialOrd",
    "::core::cmp::Ord": "Ord",
    "::core::hash::Hash": "Hash",
    "::core::default::Default": "Default",
}
DERIVED_IMPL = re.compile(
    r"#\[automatically_derived\]\s*(?:#\[doc\(hidden\)\]\s*)?(?:unsafe\s+)?"
    r"impl(?:<[^>]*>)?\s+([:\w]+)(?:<[^>]*>)?\s+for\s+(\w+)\s*\{"
)
FROM_IMPL = re.compile(r"impl ::core::convert::From<\w+> for (?:State|Event)\s*\{")
ITEM = re.compile(r"(\n[ \t]*)(pub (?:struct|enum) (\w+))")


def block_end(s, open_brace):
    """Index just past the block opened at `open_brace`; skips string literals."""
    depth, k = 0, open_brace
    while k < len(s):
        c = s[k]
        if c == '"':
            k += 1
            while s[k] != '"':
                k += 2 if s[k] == "\\" else 1
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return k + 1
        k += 1
    raise SystemExit("unbalanced braces in expanded code")


def drop_attribute(s, name):
    """Removes every `#[name(...)]` (the derive's inert helper attributes)."""
    out, i = [], 0
    while (j := s.find("#[" + name + "(", i)) >= 0:
        out.append(s[i:j])
        k, depth = j + 1, 0
        while True:
            depth += {"[": 1, "]": -1}.get(s[k], 0)
            if depth == 0:
                break
            k += 1
        i = k + 1
    out.append(s[i:])
    return "".join(out)


def remove(s, pattern, keep=lambda m: False):
    out, pos = [], 0
    for m in pattern.finditer(s):
        if m.start() < pos or keep(m):
            continue
        out.append(s[pos : m.start()])
        pos = block_end(s, m.end() - 1)
    out.append(s[pos:])
    return "".join(out)


def main():
    src = open(sys.argv[1]).read()
    opts = set(sys.argv[2:])
    src = re.sub(
        r"#!\[feature\(prelude_import\)\]\n|extern crate std;\n"
        r"|#\[prelude_import\]\nuse std::prelude::rust_\d+::\*;\n",
        "",
        src,
    )
    src = drop_attribute(drop_attribute(src, "component"), "transition")
    zero_sized = set(re.findall(r"pub struct (\w+);", src))
    derived = {}
    for m in DERIVED_IMPL.finditer(src):
        if m.group(1) in STD:
            derived.setdefault(m.group(2), []).append(STD[m.group(1)])
    src = remove(src, DERIVED_IMPL, keep=lambda m: m.group(1) not in STD)
    if "no-from" in opts:
        src = remove(src, FROM_IMPL)

    def attribute(m):
        name = m.group(3)
        traits = [t for t in derived.get(name, []) if t]
        if name in zero_sized and "zst-none" in opts:
            traits = []
        if name in zero_sized and "zst-min" in opts:
            traits = [t for t in traits if t in ("Debug", "Clone", "Copy")]
        attr = f"{m.group(1)}#[derive({', '.join(traits)})]" if traits else ""
        return attr + m.group(1) + m.group(2)

    # The derive marks an inherent impl `#[automatically_derived]`; written
    # out, that is a warning.
    print("#![allow(unused_attributes)]\n" + ITEM.sub(attribute, src))


if __name__ == "__main__":
    main()
