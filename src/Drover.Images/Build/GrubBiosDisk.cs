namespace Drover.Images.Build;

/// <summary>
/// A bootable raw disk from a root tree without loop devices or mounts (machine-recipes §2.3 A): GRUB i386-pc modules
/// and <c>grub.cfg</c> into <c>/boot/grub</c>, <c>mkfs.ext4 -d</c> for the root file system (label <c>root</c>), an MBR
/// with one bootable partition at 1 MiB (<c>sfdisk</c>), GRUB's <c>boot.img</c> into the MBR code area and
/// <c>core.img</c> at sector 1, and the file system copied in sparsely.
/// </summary>
internal static class GrubBiosDisk
{
    private const string Script = """
        R=$1; OUT=$2; ROOT_MIB=$3; CMDLINE=$4
        G=/usr/lib/grub/i386-pc
        mkdir -p "$R/boot/grub/i386-pc"
        cp "$G"/*.mod "$G"/*.lst "$R/boot/grub/i386-pc/"
        cat > "$R/boot/grub/grub.cfg" <<EOT
        serial --unit=0 --speed=115200
        terminal_input serial console
        terminal_output serial console
        set timeout=0
        menuentry 'Debian GNU/Linux' {
          search --no-floppy --label root --set=root
          linux /vmlinuz $CMDLINE
          initrd /initrd.img
        }
        EOT
        grub-mkimage -O i386-pc -o "$OUT.core.img" -p '(hd0,msdos1)/boot/grub' biosdisk part_msdos ext2
        [ "$(stat -c %s "$OUT.core.img")" -lt $((2047*512)) ] || { echo "core.img too big" >&2; exit 1; }
        rm -f "$OUT.root.ext4"
        mkfs.ext4 -q -F -L root -d "$R" "$OUT.root.ext4" "${ROOT_MIB}M" > /dev/null
        rm -f "$OUT"; truncate -s $(( (1 + ROOT_MIB) * 1024 * 1024 )) "$OUT"
        printf 'label: dos\nstart=2048, size=%d, type=83, bootable\n' $((ROOT_MIB*2048)) | sfdisk -q "$OUT"
        dd if="$G/boot.img" of="$OUT" bs=440 count=1 conv=notrunc status=none
        dd if="$OUT.core.img" of="$OUT" bs=512 seek=1 conv=notrunc status=none
        dd if="$OUT.root.ext4" of="$OUT" bs=1M seek=1 conv=notrunc,sparse status=none
        rm -f "$OUT.core.img" "$OUT.root.ext4"
        """;

    /// <summary>Tools the disk needs, for a clear message before a long bootstrap.</summary>
    public static IEnumerable<string> MissingTools()
    {
        foreach (var tool in new[] { "grub-mkimage", "mkfs.ext4", "sfdisk", "truncate", "dd" })
        {
            if (Tool.Find(tool) is null)
            {
                yield return tool;
            }
        }
        if (!File.Exists("/usr/lib/grub/i386-pc/boot.img"))
        {
            yield return "/usr/lib/grub/i386-pc/boot.img (grub-pc-bin)";
        }
    }

    public static async Task WriteAsync(string root, string output, int rootMiB, string kernelArguments, CancellationToken ct)
    {
        try
        {
            await Tool.BashAsync("disk", Script, [root, output, rootMiB.ToString(System.Globalization.CultureInfo.InvariantCulture), "root=LABEL=root rw " + kernelArguments], ct);
        }
        finally
        {
            File.Delete(output + ".core.img");
            File.Delete(output + ".root.ext4");
        }
    }
}
