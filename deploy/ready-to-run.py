#!/usr/bin/env python3
"""deploy/ready-to-run.py DLL...: exits 0 when every assembly is ReadyToRun (precompiled by crossgen), 1 otherwise,
printing each one's state. Read from the PE file itself: the CLI header's ManagedNativeHeader points at the
ReadyToRun header, whose signature is "RTR" (ECMA-335 II.25.3.3, and the runtime's readytorun.h); an IL-only
assembly has none. Used by deploy/install-test.sh on the bundle's web application and CLI."""
import struct
import sys


def is_ready_to_run(path):
    b = open(path, "rb").read()
    pe = struct.unpack_from("<I", b, 0x3C)[0]
    if b[pe:pe + 4] != b"PE\0\0":
        return False
    sections, optional_size = struct.unpack_from("<H", b, pe + 6)[0], struct.unpack_from("<H", b, pe + 20)[0]
    optional = pe + 24
    directories = optional + (96 if struct.unpack_from("<H", b, optional)[0] == 0x10B else 112)
    cli_rva = struct.unpack_from("<I", b, directories + 14 * 8)[0]   # directory 14: the CLI header
    if cli_rva == 0:
        return False

    def offset(rva):
        for i in range(sections):
            virtual_size, virtual_address, raw_size, raw = struct.unpack_from("<IIII", b, optional + optional_size + 40 * i + 8)
            if virtual_address <= rva < virtual_address + max(virtual_size, raw_size):
                return rva - virtual_address + raw
        raise ValueError(f"RVA {rva:#x} is in no section")

    native_rva = struct.unpack_from("<I", b, offset(cli_rva) + 64)[0]   # ManagedNativeHeader
    return native_rva != 0 and b[offset(native_rva):offset(native_rva) + 4] == b"RTR\0"


ok = True
for p in sys.argv[1:]:
    r2r = is_ready_to_run(p)
    print(f"{p}: {'ReadyToRun' if r2r else 'IL only'}")
    ok = ok and r2r
sys.exit(0 if ok else 1)
