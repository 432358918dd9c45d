using System.Globalization;
using Drover.Hcloud.Contracts;

namespace Drover.Images.Build;

/// <summary>
/// A bootable GPT raw disk from a root tree, without loop devices or mounts. Both architectures get an EFI system
/// partition (FAT32, made with <c>mkfs.vfat -C</c> and filled with mtools) holding a standalone GRUB at the removable
/// media path (<c>\EFI\BOOT\BOOTX64.EFI</c> or <c>BOOTAA64.EFI</c>) that finds the root file system by its label and
/// reads its <c>/boot/grub/grub.cfg</c>. x86 disks also boot under BIOS, as Debian's own cloud images do: a BIOS boot
/// partition holds GRUB's i386-pc <c>core.img</c> and the protective MBR's code area GRUB's <c>boot.img</c>, both
/// pointed at it (the sector numbers <c>grub-bios-setup</c> would write). Layout, in MiB:
/// <list type="bullet">
/// <item>x86: 1 BIOS boot (1 MiB), 2 ESP, 3 root (ext4, label <c>root</c>, type "Linux root (x86-64)")</item>
/// <item>arm: 1 ESP, 2 root (ext4, label <c>root</c>, type "Linux root (ARM64)")</item>
/// </list>
/// The root is the last partition, so a larger server disk can grow it.
/// </summary>
internal static class BootDisk
{
    /// <summary>The EFI system partition's size: room for a loader and, should a configuration want them there, kernels.</summary>
    public const int EspMiB = 64;

    /// <summary>The modules the EFI loader carries (its memdisk): what finding, reading and booting the root needs.</summary>
    private const string EfiModules = "all_video normal linux configfile search search_label search_fs_uuid part_gpt part_msdos ext2 fat gzio echo test ls cat halt reboot";

    private const string Script = """
        set -euo pipefail
        R=$1; OUT=$2; ROOT_MIB=$3; CMDLINE=$4; ARCH=$5; ESP_MIB=$6; EFI_MODULES=$7
        W="$OUT.parts"; rm -rf "$W"; mkdir -p "$W"
        mkdir -p "$R/boot/grub"
        # The root file system's menu, read by both loaders: BIOS GRUB talks to the first serial port itself; under
        # UEFI the firmware's console (serial here) carries GRUB's output.
        cat > "$R/boot/grub/grub.cfg" <<EOT
        if [ "\$grub_platform" = pc ]; then
          serial --unit=0 --speed=115200
          terminal_input serial console
          terminal_output serial console
        fi
        set timeout=0
        menuentry 'Debian GNU/Linux' {
          search --no-floppy --label root --set=root
          linux /vmlinuz $CMDLINE
          initrd /initrd.img
        }
        EOT
        # The EFI loader's own configuration (in its memdisk, which also keeps its modules): the root's menu.
        cat > "$W/early.cfg" <<'EOT'
        insmod all_video
        search --no-floppy --label root --set=root
        configfile ($root)/boot/grub/grub.cfg
        EOT
        if [ "$ARCH" = arm ]; then
          EFI_LIB="$R/usr/lib/grub/arm64-efi"; EFI_FORMAT=arm64-efi; EFI_NAME=BOOTAA64.EFI
          ROOT_TYPE=B921B045-1DF0-41C3-AF44-4C6F280D3FAE; FIRST=2048
        else
          EFI_LIB=/usr/lib/grub/x86_64-efi; EFI_FORMAT=x86_64-efi; EFI_NAME=BOOTX64.EFI
          ROOT_TYPE=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709; FIRST=4096
        fi
        [ -f "$EFI_LIB/linux.mod" ] || { echo "GRUB's $EFI_FORMAT modules are missing ($EFI_LIB)" >&2; exit 1; }
        grub-mkstandalone -O "$EFI_FORMAT" -d "$EFI_LIB" -o "$W/$EFI_NAME" --locales= --fonts= --themes= \
          --install-modules="$EFI_MODULES" --modules="part_gpt ext2 search search_label configfile" \
          "boot/grub/grub.cfg=$W/early.cfg"
        ESP_START=$FIRST; ESP_SECTORS=$((ESP_MIB * 2048))
        ROOT_START=$((ESP_START + ESP_SECTORS)); ROOT_SECTORS=$((ROOT_MIB * 2048))
        mkfs.vfat -C -F 32 -s 1 -n ESP "$W/esp.img" $((ESP_MIB * 1024)) > /dev/null
        mmd -i "$W/esp.img" ::/EFI ::/EFI/BOOT
        mcopy -i "$W/esp.img" "$W/$EFI_NAME" "::/EFI/BOOT/$EFI_NAME"
        if [ "$ARCH" = x86 ]; then
          G=/usr/lib/grub/i386-pc
          mkdir -p "$R/boot/grub/i386-pc"
          cp "$G"/*.mod "$G"/*.lst "$R/boot/grub/i386-pc/"
          grub-mkimage -O i386-pc -o "$W/core.img" -p '(hd0,gpt3)/boot/grub' biosdisk part_gpt ext2
          [ "$(stat -c %s "$W/core.img")" -le $((2048 * 512)) ] || { echo "core.img does not fit the BIOS boot partition" >&2; exit 1; }
        fi
        mkfs.ext4 -q -F -L root -d "$R" "$W/root.ext4" "${ROOT_MIB}M" > /dev/null
        rm -f "$OUT"; truncate -s $(( (ROOT_START + ROOT_SECTORS + 2048) * 512 )) "$OUT"
        {
          echo "label: gpt"
          [ "$ARCH" = arm ] || echo "start=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649, name=bios"
          echo "start=$ESP_START, size=$ESP_SECTORS, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=esp"
          echo "start=$ROOT_START, size=$ROOT_SECTORS, type=$ROOT_TYPE, name=root"
        } | sfdisk -q "$OUT"
        dd if="$W/esp.img" of="$OUT" bs=512 seek=$ESP_START conv=notrunc,sparse status=none
        dd if="$W/root.ext4" of="$OUT" bs=1M seek=$((ROOT_START / 2048)) conv=notrunc,sparse status=none
        if [ "$ARCH" = x86 ]; then
          # boot.img's code (not the partition table) into the protective MBR; it loads the sector at 0x5c (LBA 2048,
          # core.img's first), whose block list at 0x1f4 names the rest of core.img (from LBA 2049).
          dd if="$G/boot.img" of="$OUT" bs=440 count=1 conv=notrunc status=none
          printf '\000\010\000\000\000\000\000\000' | dd of="$OUT" bs=1 seek=$((0x5c)) conv=notrunc status=none
          dd if="$W/core.img" of="$OUT" bs=512 seek=2048 conv=notrunc status=none
          printf '\001\010\000\000\000\000\000\000' | dd of="$OUT" bs=1 seek=$((2048 * 512 + 0x1f4)) conv=notrunc status=none
        fi
        rm -rf "$W"
        """;

    /// <summary>Tools (and files) a disk of <paramref name="architecture"/> needs, for a clear message before a long bootstrap.</summary>
    public static IEnumerable<string> MissingTools(Architecture architecture)
    {
        foreach (var tool in new[] { "grub-mkstandalone", "mkfs.ext4", "mkfs.vfat", "mmd", "mcopy", "sfdisk", "truncate", "dd" })
        {
            if (Tool.Find(tool) is null)
            {
                yield return tool;
            }
        }
        if (architecture == Architecture.Arm)
        {
            yield break;
        }
        if (Tool.Find("grub-mkimage") is null)
        {
            yield return "grub-mkimage";
        }
        if (!File.Exists("/usr/lib/grub/i386-pc/boot.img"))
        {
            yield return "/usr/lib/grub/i386-pc/boot.img (grub-pc-bin)";
        }
        if (!File.Exists("/usr/lib/grub/x86_64-efi/linux.mod"))
        {
            yield return "/usr/lib/grub/x86_64-efi (grub-efi-amd64-bin)";
        }
    }

    /// <summary>The disk's size in bytes for a root of <paramref name="rootMiB"/>.</summary>
    public static long SizeBytes(Architecture architecture, int rootMiB)
        => (long)((architecture == Architecture.Arm ? 1 : 2) + EspMiB + rootMiB + 1) * 1024 * 1024;

    public static async Task WriteAsync(Architecture architecture, string root, string output, int rootMiB, string kernelArguments, CancellationToken ct)
    {
        try
        {
            await Tool.BashAsync("disk", Script,
                [root, output, rootMiB.ToString(CultureInfo.InvariantCulture), "root=LABEL=root rw " + kernelArguments, architecture.Value,
                 EspMiB.ToString(CultureInfo.InvariantCulture), EfiModules], ct);
        }
        finally
        {
            var parts = output + ".parts";
            if (Directory.Exists(parts))
            {
                Directory.Delete(parts, recursive: true);
            }
        }
    }
}
