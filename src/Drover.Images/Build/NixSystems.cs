namespace Drover.Images.Build;

/// <summary>Nix systems and Hetzner's architectures (<c>x86</c> for cx/cpx/ccx servers, <c>arm</c> for cax).</summary>
public static class NixSystems
{
    public const string X86 = "x86_64-linux";
    public const string Arm = "aarch64-linux";

    /// <summary><c>x86</c> or <c>arm</c> for a Nix system; null for one Hetzner has no servers of.</summary>
    public static string? Architecture(string system) => system switch
    {
        X86 => "x86",
        Arm => "arm",
        _ => null,
    };

    /// <summary>The Nix system of <c>x86</c> or <c>arm</c>.</summary>
    public static string OfArchitecture(string architecture) => architecture switch
    {
        "x86" => X86,
        "arm" => Arm,
        _ => throw new ArgumentException($"unknown architecture '{architecture}' (x86 or arm)", nameof(architecture)),
    };
}
