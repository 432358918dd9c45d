# Drover's block writer: runs on a rescue system as `python3 -c SCRIPT COMMAND DEVICE ...` (python3's standard library
# only; Hetzner's rescue system and Debian have it). Written for Drover; no code of other projects.
#
#   hash DEVICE BLOCK COUNT   prints, for each of the device's first COUNT blocks of BLOCK bytes, one line: the sha256 of
#                             the block (zero-padded past the device's end) in hex, or "z" when all its bytes are zero.
#   write DEVICE              reads from stdin a JSON header line, then frames; writes the image onto DEVICE.
#
# The header: {"length": L, "block": B, "digests": [hex or "z", one per block], "sha256": hex, "mode": "full"|"delta"}.
# Frames: 17 bytes ">cQQ" (kind, offset, length), then for kind D the data. D: data at a block-aligned offset, each block
# checked against its digest (zero-padded to B) before it is written. Z: a range to zero (delta: what the base holds
# there but the image does not). E: the end. In "full" mode the whole device is discarded first (zero blocks are never
# sent); in "delta" mode the device holds the base image and everything from L on is discarded. Finally the device's first
# L bytes are read back and their sha256 must be the header's: nothing else counts as written.
#
# Reports go to stdout as "drover: WHAT key=value ..." lines; exit codes: 65 a block or the disk does not match its
# digest (the message names it), 66 no such block device, 68 the image is larger than the device, 69 the disk read back
# does not match, 70 a malformed stream (a frame out of place, data cut short).
import hashlib
import json
import os
import stat
import struct
import sys

BLKDISCARD, BLKZEROOUT = 0x1277, 0x127F
FRAME = struct.Struct(">cQQ")


def fail(code, message):
    print("drover: " + message, file=sys.stderr, flush=True)
    sys.exit(code)


def open_device(path):
    try:
        if not stat.S_ISBLK(os.stat(path).st_mode):
            fail(66, path + " is not a block device")
    except FileNotFoundError:
        fail(66, path + " does not exist")
    fd = os.open(path, os.O_RDWR)
    return fd, os.lseek(fd, 0, os.SEEK_END)


def block_ioctl(fd, request, offset, length):
    import fcntl
    try:
        fcntl.ioctl(fd, request, struct.pack("QQ", offset, length))
        return True
    except OSError:
        return False


def zero_range(fd, offset, length, zeros):
    """Zeroes [offset, offset+length): the device's write-zeroes when it has one, else plain writes."""
    if length <= 0:
        return
    if block_ioctl(fd, BLKZEROOUT, offset, length):
        return
    end = offset + length
    while offset < end:
        n = min(len(zeros), end - offset)
        os.pwrite(fd, zeros[:n], offset)
        offset += n


def read_exactly(stream, view):
    got = 0
    while got < len(view):
        n = stream.readinto(view[got:])
        if not n:
            fail(70, "the stream ended after %d of %d bytes of a frame: the connection dropped or the sender stopped" % (got, len(view)))
        got += n


def digest(data, block):
    h = hashlib.sha256(data)
    if len(data) < block:
        h.update(bytes(block - len(data)))
    return h.hexdigest()


def command_hash(path, block, count):
    fd, size = open_device(path)
    zeros = bytes(block)
    out = sys.stdout
    for index in range(count):
        data = os.pread(fd, block, index * block) if index * block < size else b""
        if data == zeros[: len(data)]:
            out.write("z\n")
        else:
            out.write(digest(data, block) + "\n")
    out.flush()
    print("drover: hashed blocks=%d block=%d disk=%d" % (count, block, size), flush=True)


def command_write(path):
    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline())
    length, block, digests, mode = header["length"], header["block"], header["digests"], header["mode"]
    fd, size = open_device(path)
    print("drover: disk bytes=%d" % size, flush=True)
    if length > size:
        fail(68, "the image (%d bytes) is larger than the disk (%d bytes)" % (length, size))
    zeros = bytes(block)
    if mode == "full":
        discarded = block_ioctl(fd, BLKDISCARD, 0, size)
        if not discarded:
            # No discard: zero the image's zero blocks (runs of them at once); what lies beyond the image is left.
            start = None
            for index, d in enumerate(digests + ["end"]):
                if d == "z" and start is None:
                    start = index
                elif d != "z" and start is not None:
                    zero_range(fd, start * block, min(index * block, length) - start * block, zeros)
                    start = None
        print("drover: disk discarded=%s" % ("yes" if discarded else "no"), flush=True)
    else:
        # Past the image nothing is verified (a full upload's disk is discarded there too): discard, never write zeros.
        block_ioctl(fd, BLKDISCARD, length, size - length)
    buffer = bytearray(block)
    view = memoryview(buffer)
    frame = bytearray(FRAME.size)
    sent = zeroed = 0
    while True:
        read_exactly(stdin, memoryview(frame))
        kind, offset, count = FRAME.unpack(frame)
        if kind == b"E":
            break
        if offset % block or offset + count > length:
            fail(70, "frame %r at %d+%d is not inside the image's blocks" % (kind, offset, count))
        if kind == b"Z":
            zero_range(fd, offset, count, zeros)
            zeroed += count
            continue
        if kind != b"D":
            fail(70, "unknown frame %r" % kind)
        end = offset + count
        while offset < end:
            n = min(block, end - offset)
            read_exactly(stdin, view[:n])
            index = offset // block
            got = digest(view[:n], block)
            if got != digests[index]:
                fail(65, "block %d (bytes %d-%d) arrived with sha256 %s, not %s" % (index, offset, offset + n, got, digests[index]))
            os.pwrite(fd, view[:n], offset)
            offset += n
            sent += n
    os.fsync(fd)
    whole = hashlib.sha256()
    offset = 0
    while offset < length:
        n = os.preadv(fd, [view[: min(block, length - offset)]], offset)
        if n <= 0:
            fail(69, "the disk ended at %d bytes while being verified" % offset)
        whole.update(view[:n])
        offset += n
    disk = whole.hexdigest()
    if disk != header["sha256"]:
        fail(69, "verify failed: the disk's first %d bytes have sha256 %s, the image has %s" % (length, disk, header["sha256"]))
    print("drover: written bytes=%d sha256=%s verified=disk sent=%d zeroed=%d" % (length, disk, sent, zeroed), flush=True)


def main(argv):
    if len(argv) >= 4 and argv[0] == "hash":
        command_hash(argv[1], int(argv[2]), int(argv[3]))
    elif len(argv) == 2 and argv[0] == "write":
        command_write(argv[1])
    else:
        fail(2, "usage: hash DEVICE BLOCK COUNT | write DEVICE")


main(sys.argv[1:])
