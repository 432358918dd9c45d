# Drover's block writer: runs on a rescue system as `python3 -c SCRIPT COMMAND DEVICE ...` (python3's standard library
# only; Hetzner's rescue system and Debian have it). Written for Drover; no code of other projects.
#
#   hash DEVICE BLOCK COUNT [KEEP]
#                             prints, for each of the device's first COUNT blocks of BLOCK bytes, one line: the sha256 of
#                             the block (zero-padded past the device's end) in hex, or "z" when all its bytes are zero;
#                             with KEEP, also keeps the lines in that file for a delta's write.
#   pieces DEVICE BLOCK PIECE for each block index on stdin, prints "INDEX HEX..." with the first 16 hex digits of the
#                             sha256 of each PIECE bytes of the block: where a changed block changed.
#   write DEVICE [KEPT]       reads from stdin a JSON header line, then frames; writes the image onto DEVICE. A delta
#                             whose plan was made from the lines `hash` KEPT (header "base": the sha256 of those lines)
#                             does not read back the blocks it neither wrote nor zeroed whose kept digest is the image's:
#                             `hash` read them off this disk, and nothing wrote them since.
#
# The header: {"length": L, "block": B, "digests": [hex or "z", one per block], "sha256": hex, "mode": "full"|"delta",
# "piece": P, "verify": "blocks"|"sha256"}. Frames: 17 bytes ">cQQ" (kind, offset, length), then for kind D the data. D:
# data at a block-aligned offset (in a delta, P-aligned: the changed pieces of a block). Z: a range to zero (delta: what
# the base holds there but the image does not). E: the end. In "full" mode the whole device is discarded first (zero
# blocks are never sent); in "delta" mode the device holds the base image and everything from L on is discarded.
#
# The device is written and read with direct I/O (O_DIRECT): a write has reached the device when it returns, and what is
# read back comes from the device, not from this system's page cache. A verifier thread trails the writes, reading every
# block of the image back as soon as nothing more will be written to it: a block with data must have its digest, a zero
# block must be zeros. That is the whole disk checked, each block once; "verify": "sha256" also hashes the disk whole and
# compares it with the header's sha256 (the same proof, twice the hashing). No flush is sent: the server is stopped before
# its snapshot is taken, and the hypervisor writes out what it holds then.
#
# Reports go to stdout as "drover: WHAT key=value ..." lines; exit codes: 65 a block that was sent reads back with
# another digest (it arrived changed, or the disk did not keep it), 66 no such block device, 68 the image is larger than
# the device, 69 the disk does not hold the image (a block that was not sent, or the whole-disk sha256), 70 a malformed
# stream (a frame out of place, data cut short), 74 the disk failed a read or a write.
import hashlib
import json
import mmap
import os
import stat
import struct
import sys
import threading

BLKDISCARD, BLKZEROOUT, BLKSSZGET = 0x1277, 0x127F, 0x1268
# The disk failed a read or write (EIO, ENOSPC): sysexits' EX_IOERR.
EXIT_IO = 74
FRAME = struct.Struct(">cQQ")


def fail(code, message):
    print("drover: " + message, file=sys.stderr, flush=True)
    sys.exit(code)


def block_ioctl(fd, request, offset, length):
    import fcntl
    try:
        fcntl.ioctl(fd, request, struct.pack("QQ", offset, length))
        return True
    except OSError:
        return False


class Disk:
    """
    A block device opened for direct I/O where it allows it (every Linux block device does), else for buffered I/O
    with an fsync after the last write. Reads and writes go through page-aligned buffers (`buffer()`); a length that is
    not a multiple of the device's sector is padded with zeros (the image's last bytes: the rest of its last block is
    zeros on the disk anyway).
    """

    def __init__(self, path, write=False):
        try:
            if not stat.S_ISBLK(os.stat(path).st_mode):
                fail(66, path + " is not a block device")
        except FileNotFoundError:
            fail(66, path + " does not exist")
        mode = os.O_RDWR if write else os.O_RDONLY
        self.direct = True
        try:
            self.fd = os.open(path, mode | os.O_DIRECT)
        except OSError:
            self.fd, self.direct = os.open(path, mode), False
        self.size = os.lseek(self.fd, 0, os.SEEK_END)
        self.sector = 512
        if self.direct:
            import fcntl
            try:
                self.sector = struct.unpack("i", fcntl.ioctl(self.fd, BLKSSZGET, struct.pack("i", 0)))[0] or 512
            except OSError:
                pass

    @staticmethod
    def buffer(size):
        """A page-aligned buffer of zeros (an anonymous mapping)."""
        return mmap.mmap(-1, size)

    def _aligned(self, n):
        return -(-n // self.sector) * self.sector if self.direct else n

    def read(self, buffer, offset, n):
        """Reads n bytes at offset into buffer[:n] (fewer past the device's end); returns how many."""
        n = min(n, self.size - offset)
        if n <= 0:
            return 0
        view = memoryview(buffer)
        got = 0
        while got < n:
            k = os.preadv(self.fd, [view[got : self._aligned(n)]], offset + got)
            if k <= 0:
                break
            got += k
        return min(got, n)

    def write(self, buffer, offset, n):
        """Writes buffer[:n] at offset; with direct I/O an odd length goes out padded with zeros to the sector."""
        m = self._aligned(n)
        if m > n:
            buffer[n:m] = bytes(m - n)
        view = memoryview(buffer)
        done = 0
        while done < m:
            done += os.pwritev(self.fd, [view[done:m]], offset + done)

    def zero(self, offset, length):
        """
        Zeroes [offset, offset+length): the device's write-zeroes (BLKZEROOUT, sector-aligned) where it has one, else
        writes of zeros; with direct I/O a partial sector at either end is read, patched and written back.
        """
        end = offset + length
        if length <= 0:
            return
        s = self.sector if self.direct else 1
        first, last = -(-offset // s) * s, end // s * s
        if first >= last:
            self._patch(offset, end)
            return
        self._patch(offset, first)
        self._patch(last, end)
        if block_ioctl(self.fd, BLKZEROOUT, first, last - first):
            return
        zeros = Disk.buffer(4 << 20)
        at = first
        while at < last:
            n = min(len(zeros), last - at)
            self.write(zeros, at, n)
            at += n

    def _patch(self, start, end):
        """Zeroes [start, end), which lies within a sector or two, by read, patch, write."""
        while start < end:
            sector = start // self.sector * self.sector
            stop = min(end, sector + self.sector)
            buffer = Disk.buffer(self.sector)
            self.read(buffer, sector, self.sector)
            buffer[start - sector : stop - sector] = bytes(stop - start)
            self.write(buffer, sector, self.sector)
            start = stop

    def finish(self):
        if not self.direct:
            os.fsync(self.fd)


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


def is_zero(buffer, n, zeros):
    # A slice of a mapping is a bytes copy, and bytes compare with memcmp (a memoryview compares item by item).
    return buffer[:n] == zeros[:n]


def command_hash(path, block, count, keep=None):
    """Reads and hashes blocks on two threads (hashlib lets go of the GIL), printing the lines in order."""
    from concurrent.futures import ThreadPoolExecutor

    disk = Disk(path)
    zeros = bytes(block)
    local = threading.local()

    def line(index):
        buffer = getattr(local, "buffer", None)
        if buffer is None:
            buffer = local.buffer = Disk.buffer(block)
        n = disk.read(buffer, index * block, block)
        return "z" if is_zero(buffer, n, zeros) else digest(memoryview(buffer)[:n], block)

    out = sys.stdout
    lines = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for text in pool.map(line, range(count), chunksize=4):
            out.write(text + "\n")
            lines.append(text)
            if len(lines) % 16 == 0:
                # Every 64 MiB (of 4 MiB blocks) the lines go out: the sender shows them as progress.
                out.flush()
    out.flush()
    if keep:
        with open(keep + ".new", "w") as f:
            f.write("%d\n%s\n" % (block, "\n".join(lines)))
        os.replace(keep + ".new", keep)
    print("drover: hashed blocks=%d block=%d disk=%d" % (count, block, disk.size), flush=True)


def command_pieces(path, block, piece):
    """For each block index on stdin, prints the index and the first 16 hex digits of each piece's sha256."""
    disk = Disk(path)
    buffer = Disk.buffer(block)
    view = memoryview(buffer)
    out = sys.stdout
    for word in sys.stdin.read().split():
        index = int(word)
        n = disk.read(buffer, index * block, block)
        view[n:] = bytes(block - n)
        out.write("%d %s\n" % (index, "".join(hashlib.sha256(view[at : at + piece]).hexdigest()[:16] for at in range(0, block, piece))))
    out.flush()


class Pipeline:
    """
    The write side of a write: the main thread reads blocks from the stream and hands them (in offset order) to a
    writer thread; a verifier thread trails the writer, reading the disk back from the start, block by block, up to
    `safe`: everything below it is final (written, zeroed, or a zero block that nothing will write).
    """

    def __init__(self, disk, block, length, digests, whole, discarded, settled, buffers=6):
        import queue

        self.disk, self.block, self.length, self.digests = disk, block, length, digests
        # Zero blocks left to a discard (a full upload): checked, and zeroed for real where the discard did not.
        self.discarded, self.rezeroed = discarded, 0
        # Whether the zero blocks are final from the start (a full upload: discarded or zeroed before any frame).
        self.settled = settled
        self.sent = set()
        # Blocks of which only some pieces were sent (a delta): the rest is the base disk's.
        self.partial = set()
        # Blocks zeroed by a Z frame, and the base's digests as `hash` kept them (a delta whose plan came from them).
        self.zeroed = set()
        self.kept, self.trusted = None, 0
        self.free = queue.Queue()
        for _ in range(buffers):
            self.free.put(Disk.buffer(block))
        self.work = queue.Queue()
        self.safe = 0
        self.error = None
        self.code = 69
        self.moved = threading.Condition()
        self.whole = hashlib.sha256() if whole else None
        self.writer = threading.Thread(target=self._write, daemon=True)
        self.verifier = threading.Thread(target=self._verify, daemon=True)
        self.writer.start()
        self.verifier.start()

    def buffer(self):
        """A free buffer; fails (as the writer or verifier did) rather than wait for one that never comes back."""
        import queue

        while True:
            if self.error:
                fail(self.code, self.error)
            try:
                return self.free.get(timeout=1)
            except queue.Empty:
                pass

    def write(self, buffer, offset, n):
        index = offset // self.block
        self.sent.add(index)
        if n < min(self.block, self.length - index * self.block):
            self.partial.add(index)
        self.work.put(("D", buffer, offset, n))

    def zero(self, offset, n):
        self.zeroed.update(range(offset // self.block, -(-(offset + n) // self.block)))
        self.work.put(("Z", None, offset, n))

    def advance(self, offset):
        """Nothing below `offset` will be written after what is queued now."""
        self.work.put(("A", None, offset, 0))

    def _move(self, to):
        with self.moved:
            if to > self.safe:
                self.safe = to
                self.moved.notify_all()

    def _write(self):
        final = False
        try:
            while True:
                kind, buffer, offset, n = self.work.get()
                if self.error:
                    # After a failure: hand buffers back so the main thread sees the error instead of waiting.
                    if buffer is not None:
                        self.free.put(buffer)
                    if kind == "A" and offset >= self.length:
                        return
                    continue
                if kind == "D":
                    self.disk.write(buffer, offset, n)
                    self.free.put(buffer)
                    self._move(offset + n)
                elif kind == "Z":
                    self.disk.zero(offset, n)
                    self._move(offset + n)
                else:
                    if offset >= self.length:
                        final = True
                        self.disk.finish()
                    self._move(offset)
                    if offset >= self.length:
                        return
        except BaseException as e:
            self._io_failed("writing the disk failed: %s" % e)
            self._move(self.length)
            if not final:
                # The final "A" was taken already: waiting for it again would never end.
                self._drain()

    def _io_failed(self, message):
        """The disk failed a read or a write; the first failure (of either thread) is the one reported."""
        if not self.error:
            self.code, self.error = EXIT_IO, message

    def _drain(self):
        while True:
            kind, buffer, offset, _ = self.work.get()
            if buffer is not None:
                self.free.put(buffer)
            if kind == "A" and offset >= self.length:
                return

    def _verify(self):
        try:
            buffer = Disk.buffer(self.block)
            zeros = bytes(self.block)
            # A full upload's zero blocks are final before the first frame (nothing writes them): they are checked first,
            # while the data still arrives, so that little is left to read once the stream ends.
            first = [i for i, d in enumerate(self.digests) if d == "z"] if self.settled else []
            rest = [i for i, d in enumerate(self.digests) if not (self.settled and d == "z")]
            for index in first:
                if not self._check(index, buffer, zeros, wait=False):
                    return
            for index in rest:
                if not self._check(index, buffer, zeros, wait=True):
                    return
        except BaseException as e:
            self._io_failed("reading the disk back failed: %s" % e)

    def _check(self, index, buffer, zeros, wait):
        """Reads block `index` back (once it is final) and checks it against its digest; False after a failure."""
        block = self.block
        offset = index * block
        want = min(block, self.length - offset)
        if wait:
            with self.moved:
                while self.safe < offset + want:
                    self.moved.wait()
        if self.error:
            return False
        if self.kept is not None and index not in self.sent and index not in self.zeroed and self.kept[index] == self.digests[index]:
            self.trusted += 1
            return True
        n = self.disk.read(buffer, offset, want)
        if n < want:
            self.error = "the disk ended at %d bytes while being verified" % (offset + n)
            return False
        view = memoryview(buffer)
        expected = self.digests[index]
        if expected == "z" and self.discarded and index not in self.sent and not is_zero(buffer, n, zeros):
            # A discard need not zero (the device may keep the old data): zero this block for real.
            self.disk.zero(offset, n)
            self.rezeroed += 1
            n = self.disk.read(buffer, offset, want)
        if self.whole is not None:
            # In order: a whole-disk hash never runs with `settled`.
            self.whole.update(view[:n])
        if expected == "z":
            if not is_zero(buffer, n, zeros):
                self.error = "block %d (bytes %d-%d) should be zeros and is not: the disk does not hold what the plan assumed" % (index, offset, offset + n)
                return False
            return True
        got = digest(view[:n], block)
        if got != expected:
            if index in self.partial:
                self.code = 65
                self.error = "block %d (bytes %d-%d) was written in pieces and reads back with sha256 %s, not %s: a piece arrived changed, or a piece that was not sent differs on the base disk" % (index, offset, offset + n, got, expected)
            elif index in self.sent:
                self.code = 65
                self.error = "block %d (bytes %d-%d) was written and reads back with sha256 %s, not %s: it arrived changed or the disk did not keep it" % (index, offset, offset + n, got, expected)
            else:
                self.error = "block %d (bytes %d-%d) was not sent and holds sha256 %s, not %s: the disk does not hold what the plan assumed" % (index, offset, offset + n, got, expected)
            return False
        return True

    def finish(self):
        self.advance(self.length)
        self.writer.join()
        self.verifier.join()
        if self.error:
            fail(self.code, self.error)
        return self.whole.hexdigest() if self.whole is not None else None


def load_kept(kept, block, header, count):
    """The base's digests `hash` kept, if the plan was made from exactly those; else None (every block is read back)."""
    if not kept or not header.get("base"):
        return None
    try:
        with open(kept) as f:
            lines = f.read().split("\n")
    except OSError:
        return None
    if lines[0] != str(block) or len(lines) < count + 1:
        return None
    lines = lines[1 : count + 1]
    return lines if hashlib.sha256("\n".join(lines).encode()).hexdigest() == header["base"] else None


def command_write(path, kept=None):
    stdin = sys.stdin.buffer
    line = stdin.readline()
    if not line.strip():
        fail(70, "no header arrived: the sender (or its compressor) stopped before the first byte")
    try:
        header = json.loads(line)
    except ValueError as e:
        fail(70, "the header is not JSON (%s): the stream is not a block upload" % e)
    length, block, digests, mode = header["length"], header["block"], header["digests"], header["mode"]
    whole = header.get("verify", "blocks") == "sha256"
    if len(digests) != -(-length // block):
        fail(70, "the header has %d block digests for %d bytes in blocks of %d" % (len(digests), length, block))
    # A delta may send pieces of a block (multiples of "piece" bytes).
    piece = header.get("piece", block) if mode == "delta" else block
    disk = Disk(path, write=True)
    print("drover: disk bytes=%d direct=%s" % (disk.size, "yes" if disk.direct else "no"), flush=True)
    if length > disk.size:
        fail(68, "the image (%d bytes) is larger than the disk (%d bytes)" % (length, disk.size))
    tail = min(-(-length // block) * block, disk.size)
    discarded = False
    if mode == "full":
        discarded = block_ioctl(disk.fd, BLKDISCARD, 0, disk.size)
        if not discarded:
            # No discard: zero the image's zero blocks (runs of them at once); what lies beyond the image is left.
            start = None
            for index, d in enumerate(digests + ["end"]):
                if d == "z" and start is None:
                    start = index
                elif d != "z" and start is not None:
                    disk.zero(start * block, min(index * block, length) - start * block)
                    start = None
        # The rest of the last block is zeroed either way (a discard need not zero): as the block's digest has it, and
        # as a later delta's hash of this disk will read it.
        disk.zero(length, tail - length)
        print("drover: disk discarded=%s" % ("yes" if discarded else "no"), flush=True)
    else:
        # Past the image's last block nothing is verified (a full upload's disk is discarded there too): discard, never
        # write zeros. The rest of its last block is zeroed, as a full upload leaves it and as the block's digest has it.
        disk.zero(length, tail - length)
        block_ioctl(disk.fd, BLKDISCARD, tail, disk.size - tail)
    pipeline = Pipeline(disk, block, length, digests, whole, discarded, settled=mode == "full" and not whole)
    if mode == "delta" and not whole:
        pipeline.kept = load_kept(kept, block, header, len(digests))
    frame = bytearray(FRAME.size)
    sent = zeroed = 0
    previous = 0
    while True:
        read_exactly(stdin, memoryview(frame))
        kind, offset, count = FRAME.unpack(frame)
        if kind == b"E":
            break
        if offset % piece or offset + count > length:
            fail(70, "frame %r at %d+%d is not inside the image's blocks" % (kind, offset, count))
        if offset < previous:
            fail(70, "frame %r at %d comes before the end of the one before it (%d): frames go in order" % (kind, offset, previous))
        previous = offset + count
        pipeline.advance(offset)
        if kind == b"Z":
            pipeline.zero(offset, count)
            zeroed += count
            continue
        if kind != b"D":
            fail(70, "unknown frame %r" % kind)
        end = offset + count
        while offset < end:
            # Up to the next block boundary: the verifier checks each block once it is whole on the disk.
            n = min(block - offset % block, end - offset)
            buffer = pipeline.buffer()
            read_exactly(stdin, memoryview(buffer)[:n])
            pipeline.write(buffer, offset, n)
            offset += n
            sent += n
        if pipeline.error:
            fail(pipeline.code, pipeline.error)
    sha = pipeline.finish()
    if sha is not None and sha != header["sha256"]:
        fail(69, "verify failed: the disk's first %d bytes have sha256 %s, the image has %s" % (length, sha, header["sha256"]))
    listed = hashlib.sha256("\n".join(digests).encode()).hexdigest()
    print("drover: written bytes=%d verified=%s digests=%s%s sent=%d zeroed=%d rezeroed=%d trusted=%d"
          % (length, "sha256" if whole else "blocks", listed, " sha256=" + sha if sha else "", sent, zeroed, pipeline.rezeroed, pipeline.trusted), flush=True)


def main(argv):
    if len(argv) in (4, 5) and argv[0] == "hash":
        command_hash(argv[1], int(argv[2]), int(argv[3]), argv[4] if len(argv) == 5 else None)
    elif len(argv) in (2, 3) and argv[0] == "write":
        command_write(argv[1], argv[2] if len(argv) == 3 else None)
    elif len(argv) == 4 and argv[0] == "pieces":
        command_pieces(argv[1], int(argv[2]), int(argv[3]))
    else:
        fail(2, "usage: hash DEVICE BLOCK COUNT [KEEP] | pieces DEVICE BLOCK PIECE (block indexes on stdin) | write DEVICE [KEPT]")


main(sys.argv[1:])
