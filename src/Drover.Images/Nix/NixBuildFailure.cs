using System.Text.RegularExpressions;
using Drover.Images.Build;

namespace Drover.Images.Nix;

/// <summary>
/// Turns a failed <c>nix build</c> into the error a user can act on. Without a reachable binary cache (no substituter)
/// Nix must build everything from source, and the first source download fails: that is said plainly, with the image's
/// derivation and the first download that failed, instead of Nix's cascade of dependency failures.
/// </summary>
internal static partial class NixBuildFailure
{
    public static ImageBuildException From(string step, string attribute, string? derivation, string stderr, string flakeDirectory)
    {
        var download = Download().Match(stderr);
        var failedBuilder = Builder().Match(stderr);
        if (download.Success || stderr.Contains("Couldn't resolve host name", StringComparison.Ordinal) || stderr.Contains("unable to download", StringComparison.Ordinal))
        {
            var first = download.Success ? $"{download.Groups[1].Value} ({download.Groups[2].Value.Trim()})" : "a source download";
            var builder = failedBuilder.Success ? $"; the first derivation that failed: {failedBuilder.Groups[1].Value}" : "";
            return new ImageBuildException(step,
                $"Nix could not build {attribute} here: no substituter (binary cache) answered, so Nix tried to build from source, " +
                $"and the download of {first} failed{builder}. The image's derivation is {derivation ?? "(not evaluated)"}; " +
                "everything up to it evaluated and instantiated. Build on a machine that reaches cache.nixos.org or your own substituter " +
                "(substituters in nix.conf), or copy the built image's store path here (nix copy) and run this again.");
        }
        var error = NixError.Parse(stderr, flakeDirectory);
        return new NixException(step, $"building {attribute}{(derivation is null ? "" : $" ({derivation})")}", error);
    }

    [GeneratedRegex(@"unable to download '([^']+)': ([^\n(]+)")]
    private static partial Regex Download();

    [GeneratedRegex(@"builder for '(/nix/store/[^']+\.drv)' failed")]
    private static partial Regex Builder();
}
