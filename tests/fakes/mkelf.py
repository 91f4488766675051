#!/usr/bin/env python3
"""Write a minimal relocatable ELF object for the local-export tests.

usage: mkelf.py OUT {32|64} {lsb|msb} {good|bad}

gcc here makes only little-endian x86 objects and objcopy cannot change
an object's byte order, so the big-endian (and a matching little-endian)
case is built by hand: .text, .data, a symbol table and its string table.
It exports `shown` (a global function) and `ext` (undefined); "bad" also
exports `hidden`, a local function, which kbuild's check-local-export
rejects; in "good" `hidden` is global.
"""
import struct
import sys

out, bits, order, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
e = ">" if order == "msb" else "<"
is64 = bits == 64
LOCAL, GLOBAL = 0, 1
NOTYPE, OBJECT, FUNC, SECTION, FILE = 0, 1, 2, 3, 4
ABS, UNDEF = 0xFFF1, 0

strtab = b"\0"
def name(s):
    global strtab
    off = len(strtab)
    strtab += s.encode() + b"\0"
    return off

hidden_bind = LOCAL if kind == "bad" else GLOBAL
# (name, bind, type, shndx, value)
syms = [
    (0, LOCAL, NOTYPE, UNDEF, 0),
    (name("crafted.c"), LOCAL, FILE, ABS, 0),
    (0, LOCAL, SECTION, 1, 0),
    (name("__ksymtab_hidden"), LOCAL, OBJECT, 2, 0),
    (name("__ksymtab_shown"), LOCAL, OBJECT, 2, 8),
    (name("__ksymtab_ext"), LOCAL, OBJECT, 2, 16),
]
if hidden_bind == LOCAL:
    syms.append((name("hidden"), LOCAL, FUNC, 1, 0))
first_global = len(syms)
if hidden_bind == GLOBAL:
    syms.append((name("hidden"), GLOBAL, FUNC, 1, 0))
syms.append((name("shown"), GLOBAL, FUNC, 1, 8))
syms.append((name("ext"), GLOBAL, NOTYPE, UNDEF, 0))

def sym(n, bind, typ, shndx, value):
    info = bind << 4 | typ
    if is64:
        return struct.pack(e + "IBBHQQ", n, info, 0, shndx, value, 0)
    return struct.pack(e + "IIIBBH", n, value, 0, info, 0, shndx)

symtab = b"".join(sym(*s) for s in syms)
text = b"\x90" * 16
data = b"\0" * 24
shstr = b"\0.text\0.data\0.symtab\0.strtab\0.shstrtab\0"
def shname(s):
    return shstr.index(b"\0." + s.encode() + b"\0") + 1

ehsize = 64 if is64 else 52
shentsize = 64 if is64 else 40
symentsize = 24 if is64 else 16
body = b""
offsets = {}
for key, blob in (("text", text), ("data", data), ("symtab", symtab),
                  ("strtab", strtab), ("shstrtab", shstr)):
    while (ehsize + len(body)) % 8:
        body += b"\0"
    offsets[key] = ehsize + len(body)
    body += blob
while (ehsize + len(body)) % 8:
    body += b"\0"
shoff = ehsize + len(body)

def shdr(nm, typ, flags, off, size, link=0, info=0, align=1, entsize=0):
    if is64:
        return struct.pack(e + "IIQQQQIIQQ", nm, typ, flags, 0, off, size,
                           link, info, align, entsize)
    return struct.pack(e + "IIIIIIIIII", nm, typ, flags, 0, off, size,
                       link, info, align, entsize)

shdrs = b"".join([
    shdr(0, 0, 0, 0, 0),
    shdr(shname("text"), 1, 6, offsets["text"], len(text), align=16),
    shdr(shname("data"), 1, 3, offsets["data"], len(data), align=8),
    shdr(shname("symtab"), 2, 0, offsets["symtab"], len(symtab), link=4,
         info=first_global, align=8, entsize=symentsize),
    shdr(shname("strtab"), 3, 0, offsets["strtab"], len(strtab)),
    shdr(shname("shstrtab"), 3, 0, offsets["shstrtab"], len(shstr)),
])
# A machine this binutils has no backend for reads as generic elfNN-big/little
# in nm; EM_PPC64 / EM_PPC are the usual big-endian ones.
machine = (21 if is64 else 20) if order == "msb" else (62 if is64 else 3)
ident = b"\x7fELF" + bytes([2 if is64 else 1, 2 if order == "msb" else 1, 1, 0])
ident += b"\0" * 8
if is64:
    ehdr = ident + struct.pack(e + "HHIQQQIHHHHHH", 1, machine, 1, 0, 0,
                               shoff, 0, ehsize, 0, 0, shentsize, 6, 5)
else:
    ehdr = ident + struct.pack(e + "HHIIIIIHHHHHH", 1, machine, 1, 0, 0,
                               shoff, 0, ehsize, 0, 0, shentsize, 6, 5)
with open(out, "wb") as f:
    f.write(ehdr + body + shdrs)
