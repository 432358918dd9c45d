using System.Text;

namespace Drover.LocalCloud.Tests;

/// <summary>
/// A tiny bootable disk for QEMU boot tests, without any OS: an MBR whose boot sector is a hand-assembled 16-bit BIOS
/// program that writes one line to COM1 (the console, <c>console.log</c>) and one to COM2 (<c>markers.log</c>), then
/// either halts forever or powers the machine off through the PIIX4 ACPI PM1a control port (0x604 on QEMU's i440fx).
/// </summary>
public static class BootDisk
{
    private const int Origin = 0x7C00;

    /// <summary>The 512-byte boot sector (with the 0x55AA signature).</summary>
    public static byte[] BootSector(string console, string marker, bool powerOff)
    {
        var code = new List<byte>
        {
            0xFA,             // cli
            0xFC,             // cld
            0x31, 0xC0,       // xor ax, ax
            0x8E, 0xD8,       // mov ds, ax
            0x8E, 0xD0,       // mov ss, ax
            0xBC, 0x00, 0x7C, // mov sp, 0x7c00
        };
        var consoleAt = Emit(code, 0xBE, 0);       // mov si, console
        Emit(code, 0xBA, 0x03F8);                  // mov dx, COM1
        var callConsole = Emit(code, 0xE8, 0);     // call print
        var markerAt = Emit(code, 0xBE, 0);        // mov si, marker
        Emit(code, 0xBA, 0x02F8);                  // mov dx, COM2
        var callMarker = Emit(code, 0xE8, 0);      // call print
        if (powerOff)
        {
            Emit(code, 0xBA, 0x0604);              // mov dx, PM1a_CNT
            Emit(code, 0xB8, 0x2000);              // mov ax, SLP_EN
            code.Add(0xEF);                        // out dx, ax
        }
        code.AddRange([0xF4, 0xEB, 0xFD]);         // hlt; jmp hlt
        var print = code.Count;
        code.AddRange([0xAC, 0x84, 0xC0, 0x74, 0x03, 0xEE, 0xEB, 0xF8, 0xC3]); // lodsb; test al,al; jz ret; out dx,al; jmp lodsb; ret
        var consoleText = code.Count;
        code.AddRange(Encoding.ASCII.GetBytes(console + "\r\n\0"));
        var markerText = code.Count;
        code.AddRange(Encoding.ASCII.GetBytes(marker + "\r\n\0"));
        if (code.Count > 446)
        {
            throw new ArgumentException("the boot program and its texts must fit in 446 bytes");
        }
        var sector = new byte[512];
        code.CopyTo(sector);
        Patch(sector, consoleAt, Origin + consoleText);
        Patch(sector, markerAt, Origin + markerText);
        Patch(sector, callConsole, print - (callConsole + 2));
        Patch(sector, callMarker, print - (callMarker + 2));
        sector[510] = 0x55;
        sector[511] = 0xAA;
        return sector;
    }

    /// <summary>Adds an opcode with a 16-bit immediate; returns where the immediate is.</summary>
    private static int Emit(List<byte> code, byte opcode, int immediate)
    {
        code.Add(opcode);
        code.Add((byte)(immediate & 0xFF));
        code.Add((byte)((immediate >> 8) & 0xFF));
        return code.Count - 2;
    }

    private static void Patch(byte[] sector, int at, int value)
    {
        sector[at] = (byte)(value & 0xFF);
        sector[at + 1] = (byte)((value >> 8) & 0xFF);
    }
}
