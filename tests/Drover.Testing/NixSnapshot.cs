namespace Drover.Testing;

/// <summary>
/// Where <c>scripts/setup</c> unpacked the offline nixpkgs trees (see <c>docs/ARCHITECTURE.md</c>, "Nix"): the full
/// nixpkgs of July 2020 (NixOS 20.09pre) and today's <c>lib/</c> alone. Tests that need Nix skip, with the reason, when
/// <c>nix</c> or a tree is missing.
/// </summary>
public static class NixSnapshot
{
    /// <summary>The full tree's directory name (nixpkgs commit 28fce082c8ca).</summary>
    public const string Nixpkgs2020Name = "nixpkgs-28fce082c8ca";

    /// <summary>Today's <c>lib/</c> (nixpkgs.lib mirror commit de42d442, lib/.version 26.11).</summary>
    public const string LibName = "nixpkgs-lib-de42d442";

    /// <summary>The directory the trees are unpacked in: <c>$DROVER_NIXPKGS_DIR</c>, else <c>${XDG_CACHE_HOME:-~/.cache}/drover/nixpkgs</c>.</summary>
    public static string Directory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DROVER_NIXPKGS_DIR") is { Length: > 0 } dir)
            {
                return dir;
            }
            var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(cache, "drover", "nixpkgs");
        }
    }

    /// <summary>The unpacked 2020 tree (it has <c>nixos/</c> and <c>pkgs/</c>).</summary>
    public static string Nixpkgs2020 => Path.Combine(Directory, Nixpkgs2020Name);

    /// <summary>Today's <c>lib/</c> tree (it has <c>lib/default.nix</c>).</summary>
    public static string CurrentLib => Path.Combine(Directory, LibName);

    /// <summary>The path of <c>nix</c> on PATH, or null.</summary>
    public static string? Nix => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "nix")).FirstOrDefault(File.Exists);

    /// <summary>Why Nix tests cannot run here, or null when they can.</summary>
    public static string? SkipReason()
    {
        if (Nix is null)
        {
            return "nix is not installed (scripts/setup installs Debian's nix-bin)";
        }
        if (!File.Exists(Path.Combine(Nixpkgs2020, "nixos", "lib", "eval-config.nix")))
        {
            return $"the nixpkgs snapshot is not unpacked at {Nixpkgs2020} (scripts/setup unpacks ../shared/nixpkgs/{Nixpkgs2020Name}.tar.xz)";
        }
        return File.Exists(Path.Combine(CurrentLib, "lib", "default.nix")) ? null : $"today's nixpkgs lib is not unpacked at {CurrentLib} (scripts/setup)";
    }
}
