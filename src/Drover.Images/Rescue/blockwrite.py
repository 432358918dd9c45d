# Drover's block writer: runs on a rescue system as `python3 -c SCRIPT COMMAND DEVICE ...` (python3's standard library
# only; Hetzner's rescue system and Debian have it). Written for Drover; no code of other projects.
#
#   hash DEVICE BLOCK COUNT   prints, for each of the device's first COUNT blocks of BLOCK bytes, one line: the sha256 of
#                             the block (zero-padded past the device's end) in hex, or "z" when all its bytes are zero.
#   pieces DEVICE BLOCK PIECE for each block index on stdin, prints "INDEX HEX..." with the first 16 hex digits of the
#                             sha256 of each PIECE bytes of the block: where a changed block changed.
#   write DEVICE              reads from stdin a JSON header line, then frames; writes the image onto DEVICE.
#
# The header: {"length": L, "block": B, "digests": [hex or "z", one per block], "sha256": hex, "mode": "full"|"delta"}.
# Frames: 17 bytes ">cQQ" (kind, offset, length), then for kind D the data. D: data at a block-aligned offset, each block
# checked against its digest (zero-padded to B) before it is written; in a delta (header "piece": P) data may cover
# pieces of a block (P-aligned), and such a block is checked against its digest as the disk is read back. Z: a range to zero (delta: what the base holds
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
    """Reads and hashes blocks on two threads (hashlib lets go of the GIL), printing the lines in order."""
    from concurrent.futures import ThreadPoolExecutor

    fd, size = open_device(path)
    zeros = bytes(block)

    def line(index):
        data = os.pread(fd, block, index * block) if index * block < size else b""
        return "z" if data == zeros[: len(data)] else digest(data, block)

    out = sys.stdout
    with ThreadPoolExecutor(max_workers=2) as pool:
        for text in pool.map(line, range(count), chunksize=4):
            out.write(text + "\n")
    out.flush()
    print("drover: hashed blocks=%d block=%d disk=%d" % (count, block, size), flush=True)


def command_pieces(path, block, piece):
    """For each block index on stdin, prints the index and the first 16 hex digits of each piece's sha256."""
    fd, size = open_device(path)
    out = sys.stdout
    for word in sys.stdin.read().split():
        index = int(word)
        data = os.pread(fd, block, index * block)
        data += bytes(block - len(data))
        view = memoryview(data)
        out.write("%d %s\n" % (index, "".join(hashlib.sha256(view[at : at + piece]).hexdigest()[:16] for at in range(0, block, piece))))
    out.flush()


class Pipeline:
    """
    The write side of a write: the main thread reads and checks blocks and hands them (in offset order) to a writer
    thread; a verifier thread trails the writer, reading the disk back from the start and hashing it whole. It may read
    up to `safe`: everything below it is final (written, zeroed, or a zero block that nothing will write).
    """

    def __init__(self, fd, block, length, digests, buffers=4):
        import queue
        import threading

        self.fd, self.block, self.length, self.digests = fd, block, length, digests
        # Blocks written in part (a delta's changed pieces): their digests are checked on the disk as it is read back.
        self.partial = set()
        self.free = queue.Queue()
        for _ in range(buffers):
            self.free.put(bytearray(block))
        self.work = queue.Queue()
        self.safe = 0
        self.error = None
        self.code = 69
        self.moved = threading.Condition()
        self.writer = threading.Thread(target=self._write, daemon=True)
        self.verifier = threading.Thread(target=self._verify, daemon=True)
        self.whole = hashlib.sha256()
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
        self.work.put(("D", buffer, offset, n))

    def zero(self, offset, n):
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
        try:
            zeros = bytes(self.block)
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
                    view = memoryview(buffer)[:n]
                    done = 0
                    while done < n:
                        done += os.pwrite(self.fd, view[done:], offset + done)
                    self.free.put(buffer)
                    # Start writing back now, so the final fsync finds little left to do.
                    os.posix_fadvise(self.fd, offset, n, os.POSIX_FADV_DONTNEED)
                    self._move(offset + n)
                elif kind == "Z":
                    zero_range(self.fd, offset, n, zeros)
                    self._move(offset + n)
                else:
                    self._move(offset)
                    if offset >= self.length:
                        os.fsync(self.fd)
                        return
        except BaseException as e:
            self.error = self.error or "writing the disk failed: %s" % e
            self._move(self.length)
            self._drain()

    def _drain(self):
        while True:
            kind, buffer, offset, _ = self.work.get()
            if buffer is not None:
                self.free.put(buffer)
            if kind == "A" and offset >= self.length:
                return

    def _verify(self):
        try:
            buffer = bytearray(self.block)
            view = memoryview(buffer)
            offset = 0
            while offset < self.length:
                want = min(self.block, self.length - offset)
                with self.moved:
                    while self.safe < offset + want:
                        self.moved.wait()
                if self.error:
                    return
                n = os.preadv(self.fd, [view[:want]], offset)
                if n <= 0:
                    self.error = "the disk ended at %d bytes while being verified" % offset
                    return
                self.whole.update(view[:n])
                index = offset // self.block
                if index in self.partial:
                    got = digest(view[:n], self.block)
                    if got != self.digests[index]:
                        self.error = "block %d holds sha256 %s after its changed pieces were written, not %s" % (index, got, self.digests[index])
                        self.code = 65
                        return
                offset += n
        except BaseException as e:
            self.error = self.error or "reading the disk back failed: %s" % e

    def finish(self):
        self.advance(self.length)
        self.writer.join()
        self.verifier.join()
        if self.error:
            fail(self.code, self.error)
        return self.whole.hexdigest()


def command_write(path):
    stdin = sys.stdin.buffer
    line = stdin.readline()
    if not line.strip():
        fail(70, "no header arrived: the sender (or its compressor) stopped before the first byte")
    try:
        header = json.loads(line)
    except ValueError as e:
        fail(70, "the header is not JSON (%s): the stream is not a block upload" % e)
    length, block, digests, mode = header["length"], header["block"], header["digests"], header["mode"]
    # A delta may send pieces of a block (multiples of "piece" bytes); those blocks are checked once on the disk.
    piece = header.get("piece", block) if mode == "delta" else block
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
            tail = min(-(-length // block) * block, size)
            zero_range(fd, length, tail - length, zeros)
        print("drover: disk discarded=%s" % ("yes" if discarded else "no"), flush=True)
    else:
        # Past the image's last block nothing is verified (a full upload's disk is discarded there too): discard, never
        # write zeros. The rest of its last block is zeroed, as a full upload leaves it and as the block's digest has it.
        tail = min(-(-length // block) * block, size)
        zero_range(fd, length, tail - length, zeros)
        block_ioctl(fd, BLKDISCARD, tail, size - tail)
    pipeline = Pipeline(fd, block, length, digests)
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
            # Up to the next block boundary: a whole block is checked as it arrives, a piece once on the disk.
            n = min(block - offset % block, end - offset)
            buffer = pipeline.buffer()
            view = memoryview(buffer)[:n]
            read_exactly(stdin, view)
            index = offset // block
            if offset % block == 0 and (n == block or offset + n == length):
                got = digest(view, block)
                if got != digests[index]:
                    fail(65, "block %d (bytes %d-%d) arrived with sha256 %s, not %s" % (index, offset, offset + n, got, digests[index]))
            else:
                pipeline.partial.add(index)
            pipeline.write(buffer, offset, n)
            offset += n
            sent += n
        if pipeline.error:
            fail(pipeline.code, pipeline.error)
    disk = pipeline.finish()
    if disk != header["sha256"]:
        fail(69, "verify failed: the disk's first %d bytes have sha256 %s, the image has %s" % (length, disk, header["sha256"]))
    print("drover: written bytes=%d sha256=%s verified=disk sent=%d zeroed=%d" % (length, disk, sent, zeroed), flush=True)


def main(argv):
    if len(argv) >= 4 and argv[0] == "hash":
        command_hash(argv[1], int(argv[2]), int(argv[3]))
    elif len(argv) == 2 and argv[0] == "write":
        command_write(argv[1])
    elif len(argv) == 4 and argv[0] == "pieces":
        command_pieces(argv[1], int(argv[2]), int(argv[3]))
    else:
        fail(2, "usage: hash DEVICE BLOCK COUNT | pieces DEVICE BLOCK PIECE (block indexes on stdin) | write DEVICE")


main(sys.argv[1:])
