namespace Drover.Images.Talos;

// The parts of a schematic, mirroring the Image Factory's document field for field. They share one file as wire
// records of one document do (see Contracts/ in Drover.Hcloud).

/// <summary>A board overlay (single-board computers): its image, name and free-form options.</summary>
/// <param name="Image">The overlay image, e.g. <c>siderolabs/sbc-raspberrypi</c>.</param>
/// <param name="Name">The overlay name, e.g. <c>rpi_generic</c>.</param>
/// <param name="Options">Option values: null, bool, long, ulong, double, string, lists and string-keyed maps of these.</param>
public sealed record SchematicOverlay(string Image, string Name, IReadOnlyDictionary<string, object?> Options)
{
    /// <summary>True when every field is empty: the factory then leaves <c>overlay</c> out.</summary>
    public bool IsEmpty => Image.Length == 0 && Name.Length == 0 && Options.Count == 0;
}

/// <summary>What the schematic adds to the stock image. Every field is optional; empty ones are left out of the canonical form.</summary>
public sealed record SchematicCustomization
{
    /// <summary>A machine configuration embedded in the image.</summary>
    public string EmbeddedMachineConfiguration { get; init; } = "";

    /// <summary>Extra kernel arguments, in order (order changes the ID).</summary>
    public IReadOnlyList<string> ExtraKernelArgs { get; init; } = [];

    /// <summary>Initial META partition contents.</summary>
    public IReadOnlyList<SchematicMetaValue> Meta { get; init; } = [];

    /// <summary>Official system extensions by image name, e.g. <c>siderolabs/qemu-guest-agent</c>, in order.</summary>
    public IReadOnlyList<string> OfficialExtensions { get; init; } = [];

    /// <summary>Bootloader kind, e.g. <c>sd-boot</c>, <c>grub</c>, <c>dual-boot</c>.</summary>
    public string Bootloader { get; init; } = "";

    /// <summary>SecureBoot: the keys to enroll.</summary>
    public string SecureBootEnrollKeys { get; init; } = "";

    /// <summary>SecureBoot: include well-known UEFI certificates in the auto-enrollment database.</summary>
    public bool SecureBootIncludeWellKnownCertificates { get; init; }

    /// <summary>Disk image sector size (0 = default).</summary>
    public ulong DiskImageSectorSize { get; init; }
}

/// <summary>One META key (0..255) and its value.</summary>
public sealed record SchematicMetaValue(byte Key, string Value);
