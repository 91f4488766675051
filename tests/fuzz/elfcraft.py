#!/usr/bin/env python3
"""Make ELF objects for kobjc's reader from a real one.

usage: elfcraft.py swap IN OUT        IN in the other byte order
       elfcraft.py CASE IN OUT        IN broken as CASE says (see CASES)
       elfcraft.py list               the CASE names

swap rewrites what kobjc reads (ELF header, section headers, symbol table)
and the relocations; other section contents keep their bytes, so the result
is a valid object for a symbol-table reader, not for a linker. The cases
are the hostile objects of tests/elf-hostile.bats.
"""
import struct
import sys


class Elf:
    def __init__(self, data):
        self.b = bytearray(data)
        if self.b[:4] != b"\x7fELF" or self.b[4] not in (1, 2) or self.b[5] not in (1, 2):
            raise SystemExit("elfcraft: not an ELF32/ELF64 LSB/MSB file")
        self.is64 = self.b[4] == 2
        self.end = "<" if self.b[5] == 1 else ">"
        # (offset, struct code) of the fields used, by name
        if self.is64:
            self.ehdr = dict(type=(16, "H"), machine=(18, "H"), version=(20, "I"),
                             entry=(24, "Q"), phoff=(32, "Q"), shoff=(40, "Q"),
                             flags=(48, "I"), ehsize=(52, "H"), phentsize=(54, "H"),
                             phnum=(56, "H"), shentsize=(58, "H"), shnum=(60, "H"),
                             shstrndx=(62, "H"))
            self.shdr = dict(name=(0, "I"), type=(4, "I"), flags=(8, "Q"), addr=(16, "Q"),
                             offset=(24, "Q"), size=(32, "Q"), link=(40, "I"),
                             info=(44, "I"), addralign=(48, "Q"), entsize=(56, "Q"))
            self.sym = dict(name=(0, "I"), info=(4, "B"), other=(5, "B"), shndx=(6, "H"),
                            value=(8, "Q"), size=(16, "Q"))
            self.rel = ("QQ", "QQq")
        else:
            self.ehdr = dict(type=(16, "H"), machine=(18, "H"), version=(20, "I"),
                             entry=(24, "I"), phoff=(28, "I"), shoff=(32, "I"),
                             flags=(36, "I"), ehsize=(40, "H"), phentsize=(42, "H"),
                             phnum=(44, "H"), shentsize=(46, "H"), shnum=(48, "H"),
                             shstrndx=(50, "H"))
            self.shdr = dict(name=(0, "I"), type=(4, "I"), flags=(8, "I"), addr=(12, "I"),
                             offset=(16, "I"), size=(20, "I"), link=(24, "I"),
                             info=(28, "I"), addralign=(32, "I"), entsize=(36, "I"))
            self.sym = dict(name=(0, "I"), value=(4, "I"), size=(8, "I"), info=(12, "B"),
                            other=(13, "B"), shndx=(14, "H"))
            self.rel = ("II", "IIi")
        self.shoff = self.get(0, self.ehdr["shoff"])
        self.shentsize = self.get(0, self.ehdr["shentsize"])
        self.shnum = self.get(0, self.ehdr["shnum"])

    def get(self, base, field):
        off, code = field
        return struct.unpack_from(self.end + code, self.b, base + off)[0]

    def put(self, base, field, value):
        off, code = field
        struct.pack_into(self.end + code, self.b, base + off, value)

    def sh(self, i):
        return self.shoff + i * self.shentsize

    def sh_get(self, i, name):
        return self.get(self.sh(i), self.shdr[name])

    def sh_put(self, i, name, value):
        self.put(self.sh(i), self.shdr[name], value)

    def find(self, sh_type):
        for i in range(1, self.shnum):
            if self.sh_get(i, "type") == sh_type:
                return i
        raise SystemExit("elfcraft: no section of type %d" % sh_type)

    def symtab(self):
        return self.find(2)

    def strtab(self):
        return self.sh_get(self.symtab(), "link")


def swap(elf):
    """The same object in the other byte order."""
    other = ">" if elf.end == "<" else "<"
    out = bytearray(elf.b)
    out[5] = 2 if elf.end == "<" else 1

    def reswap(base, fields):
        for off, code in fields:
            v = struct.unpack_from(elf.end + code, elf.b, base + off)
            struct.pack_into(other + code, out, base + off, *v)

    reswap(0, elf.ehdr.values())
    for i in range(elf.shnum):
        base = elf.sh(i)
        reswap(base, elf.shdr.values())
        typ, off, size = (elf.sh_get(i, k) for k in ("type", "offset", "size"))
        if typ == 2:  # SHT_SYMTAB
            n = 24 if elf.is64 else 16
            for s in range(off, off + size - size % n, n):
                reswap(s, elf.sym.values())
        elif typ in (4, 9):  # SHT_RELA, SHT_REL
            codes = elf.rel[1] if typ == 4 else elf.rel[0]
            n = struct.calcsize("<" + codes)
            for r in range(off, off + size - size % n, n):
                v = struct.unpack_from(elf.end + codes, elf.b, r)
                struct.pack_into(other + codes, out, r, *v)
    return out


def huge(elf):
    return (1 << 64) - 8 if elf.is64 else (1 << 32) - 8


def truncated(e):
    return e.b[: len(e.b) // 2]


def not_elf(e):
    return b"#!/bin/sh\necho this is not an object file\n"


def shoff_past_end(e):
    e.put(0, e.ehdr["shoff"], len(e.b) + 64)
    return e.b


def huge_shnum(e):
    e.put(0, e.ehdr["shnum"], 0xFFFF)
    return e.b


def extended_shnum(e):
    # e_shnum 0: the count is section 0's sh_size
    e.put(0, e.ehdr["shnum"], 0)
    e.sh_put(0, "size", huge(e))
    return e.b


def section_overflow(e):
    # sh_offset + sh_size wraps around to a small number
    s = e.symtab()
    e.sh_put(s, "offset", huge(e))
    e.sh_put(s, "size", 16)
    return e.b


def section_past_end(e):
    e.sh_put(1, "type", 1)  # .text, not the symbol table
    e.sh_put(1, "size", len(e.b))
    return e.b


def overlapping(e):
    # the string table starts inside the symbol table
    s = e.symtab()
    e.sh_put(e.strtab(), "offset", e.sh_get(s, "offset") + 8)
    return e.b


def strtab_link_out_of_range(e):
    e.sh_put(e.symtab(), "link", e.shnum + 7)
    return e.b


def strtab_link_not_strtab(e):
    e.sh_put(e.symtab(), "link", 1)
    return e.b


def strtab_unterminated(e):
    t = e.strtab()
    e.b[e.sh_get(t, "offset") + e.sh_get(t, "size") - 1] = ord("x")
    return e.b


def symbol_name_past_strtab(e):
    s = e.symtab()
    n = 24 if e.is64 else 16
    last = e.sh_get(s, "offset") + e.sh_get(s, "size") - n
    e.put(last, e.sym["name"], e.sh_get(e.strtab(), "size") + 1000)
    return e.b


def bad_shentsize(e):
    e.put(0, e.ehdr["shentsize"], 0x30)
    return e.b


def bad_symentsize(e):
    e.sh_put(e.symtab(), "entsize", 0x30)
    return e.b


def class_3(e):
    e.b[4] = 3
    return e.b


def byte_order_3(e):
    e.b[5] = 3
    return e.b


def truncated_header(e):
    return e.b[:30]


def no_section_headers(e):
    e.put(0, e.ehdr["shoff"], 0)
    return e.b


def empty(e):
    return b""


def dup_symbols(e, n=200000):
    """A valid object with n global symbols: n/2 "__ksymtab_x", n/2 "x"."""
    strtab = b"\0__ksymtab_x\0"  # "__ksymtab_x" at 1, "x" at 11
    size = 24 if e.is64 else 16
    pair = bytearray(2 * size)
    for k, name in enumerate((1, 11)):
        e_sym = dict(name=name, info=0x11, other=0, shndx=1, value=0, size=0)
        for field, value in e_sym.items():
            off, code = e.sym[field]
            struct.pack_into(e.end + code, pair, k * size + off, value)
    symtab = bytes(size) + bytes(pair) * (n // 2)
    e.b += bytes(-len(e.b) % 8)
    s, t = e.symtab(), e.strtab()
    e.sh_put(s, "offset", len(e.b))
    e.sh_put(s, "size", len(symtab))
    e.sh_put(s, "info", 1)
    e.b += symtab
    e.sh_put(t, "offset", len(e.b))
    e.sh_put(t, "size", len(strtab))
    e.b += strtab
    return e.b


CASES = {f.__name__.replace("_", "-"): f for f in (
    truncated, not_elf, shoff_past_end, huge_shnum, extended_shnum,
    section_overflow, section_past_end, overlapping, strtab_link_out_of_range,
    strtab_link_not_strtab, strtab_unterminated, symbol_name_past_strtab,
    bad_shentsize, bad_symentsize, class_3, byte_order_3, truncated_header,
    no_section_headers, empty, dup_symbols)}


def main(argv):
    if argv[1:] == ["list"]:
        print("\n".join(CASES))
        return
    if len(argv) != 4 or (argv[1] != "swap" and argv[1] not in CASES):
        raise SystemExit(__doc__.strip())
    with open(argv[2], "rb") as f:
        elf = Elf(f.read())
    out = swap(elf) if argv[1] == "swap" else CASES[argv[1]](elf)
    with open(argv[3], "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main(sys.argv)
