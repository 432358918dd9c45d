using System.Text;

namespace Drover.LocalCloud.Tests;

/// <summary>
/// A tiny disk for UEFI boot tests, without any OS: a FAT12 file system over the whole disk (no partition table, as on
/// a floppy) holding one file, <c>startup.nsh</c>. OVMF and AAVMF find nothing to boot on it and start their built-in
/// UEFI shell, which runs <c>FS0:\startup.nsh</c> after a 5 s countdown: shell commands printing to the serial console
/// (<c>echo</c>, <c>smbiosview</c>) and ending with <c>reset -s</c>, which turns the machine off.
/// </summary>
public static class UefiDisk
{
    private const int SectorSize = 512;
    private const int TotalSectors = 128;
    private const int ReservedSectors = 1;
    private const int FatCount = 2;
    private const int SectorsPerFat = 1;
    private const int RootEntries = 16;
    private const int FirstDataSector = ReservedSectors + (FatCount * SectorsPerFat) + (RootEntries * 32 / SectorSize);

    /// <summary>The 64 KiB image with <paramref name="lines"/> (joined with CRLF) as <c>startup.nsh</c>.</summary>
    public static byte[] StartupScript(params string[] lines)
    {
        var content = Encoding.ASCII.GetBytes(string.Join("\r\n", lines) + "\r\n");
        var clusters = (content.Length + SectorSize - 1) / SectorSize;
        if (FirstDataSector + clusters > TotalSectors)
        {
            throw new ArgumentException("the script is too long for the image", nameof(lines));
        }
        var image = new byte[TotalSectors * SectorSize];
        WriteBootSector(image.AsSpan(0, SectorSize));
        for (var fat = 0; fat < FatCount; fat++)
        {
            WriteFat(image.AsSpan((ReservedSectors + (fat * SectorsPerFat)) * SectorSize, SectorsPerFat * SectorSize), clusters);
        }
        var root = image.AsSpan((ReservedSectors + (FatCount * SectorsPerFat)) * SectorSize, 32);
        Encoding.ASCII.GetBytes("STARTUP NSH").CopyTo(root);
        root[11] = 0x20;                                   // archive
        Le16(root[24..], (0 << 9) | (1 << 5) | 1);         // modified 1980-01-01
        Le16(root[26..], 2);                               // first cluster
        Le32(root[28..], content.Length);
        content.CopyTo(image.AsSpan(FirstDataSector * SectorSize));
        return image;
    }

    private static void WriteBootSector(Span<byte> sector)
    {
        sector[0] = 0xEB;                                  // jmp short; nop (what every FAT boot sector starts with)
        sector[1] = 0x3C;
        sector[2] = 0x90;
        Encoding.ASCII.GetBytes("DROVER  ").CopyTo(sector[3..]);
        Le16(sector[11..], SectorSize);
        sector[13] = 1;                                    // sectors per cluster
        Le16(sector[14..], ReservedSectors);
        sector[16] = FatCount;
        Le16(sector[17..], RootEntries);
        Le16(sector[19..], TotalSectors);
        sector[21] = 0xF8;                                 // media: fixed disk
        Le16(sector[22..], SectorsPerFat);
        Le16(sector[24..], 32);                            // sectors per track
        Le16(sector[26..], 2);                             // heads
        sector[36] = 0x80;                                 // drive number
        sector[38] = 0x29;                                 // extended boot signature
        Le32(sector[39..], 0x44524F56);                    // volume ID
        Encoding.ASCII.GetBytes("NO NAME    FAT12   ").CopyTo(sector[43..]);
        sector[510] = 0x55;
        sector[511] = 0xAA;
    }

    /// <summary>FAT12: entries 0 and 1 reserved, the file in clusters 2 .. 2+count-1, the last marked end of chain.</summary>
    private static void WriteFat(Span<byte> fat, int count)
    {
        var entries = new int[2 + count];
        entries[0] = 0xFF8;
        entries[1] = 0xFFF;
        for (var i = 0; i < count; i++)
        {
            entries[2 + i] = i == count - 1 ? 0xFFF : 3 + i;
        }
        for (var n = 0; n < entries.Length; n++)
        {
            var at = n * 3 / 2;
            if (n % 2 == 0)
            {
                fat[at] = (byte)(entries[n] & 0xFF);
                fat[at + 1] = (byte)((fat[at + 1] & 0xF0) | ((entries[n] >> 8) & 0x0F));
            }
            else
            {
                fat[at] = (byte)((fat[at] & 0x0F) | ((entries[n] & 0x0F) << 4));
                fat[at + 1] = (byte)((entries[n] >> 4) & 0xFF);
            }
        }
    }

    private static void Le16(Span<byte> at, int value)
    {
        at[0] = (byte)(value & 0xFF);
        at[1] = (byte)((value >> 8) & 0xFF);
    }

    private static void Le32(Span<byte> at, int value)
    {
        Le16(at, value & 0xFFFF);
        Le16(at[2..], (value >> 16) & 0xFFFF);
    }
}
