using System.Text.Json;
using Drover.Images.Scan;
using Drover.Images.Upload;

namespace Drover.Images.Build;

/// <summary>
/// The <c>nix</c> builder: <c>nix build --json --no-link .#packages.SYSTEM.HOST-image</c> in the flake's directory, the
/// image file (<c>*.raw</c>, <c>*.img</c>, <c>*.qcow2</c>) copied out of the store path, scanned
/// (<see cref="RawImageScanner"/>), hashed, and described by a manifest.
/// </summary>
public sealed class NixBuilder(TimeProvider? time = null)
{
    /// <summary>How to get nix, for the message when it is missing.</summary>
    public const string InstallHint =
        "install Nix (https://nixos.org/download: 'sh <(curl -L https://nixos.org/nix/install) --daemon', or on Debian 'apt-get install nix-setup-systemd') and enable flakes ('experimental-features = nix-command flakes' in nix.conf)";

    private static readonly string[] _imageExtensions = [".raw", ".img", ".qcow2"];

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<BuildResult> BuildAsync(NixBuildOptions options, IProgress<BuildProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var nix = Tool.Find("nix", options.SearchPath ?? Environment.GetEnvironmentVariable("PATH"))
            ?? throw new ImageBuildException("check input", $"nix is not installed (no 'nix' on PATH); {InstallHint}");
        var flake = Path.GetFullPath(options.FlakeDirectory);
        if (!File.Exists(Path.Combine(flake, "flake.nix")))
        {
            throw new ImageBuildException("check input", $"{flake} has no flake.nix (pass --flake DIR)");
        }
        var steps = new List<StepTiming>();
        var json = await StepAsync($"nix build {options.Attribute}", () => Tool.CheckAsync("nix build", nix,
            ["build", "--json", "--no-link", "--extra-experimental-features", "nix-command flakes", options.Attribute], cancellationToken, workingDirectory: flake));
        var source = FindImage(OutPaths(json));
        var name = options.Name ?? options.Host;
        Directory.CreateDirectory(options.OutputDirectory);
        var image = Path.Combine(options.OutputDirectory, name + Path.GetExtension(source));
        var partial = image + ".partial";
        try
        {
            await StepAsync("copy image", () => Tool.CheckAsync("copy", "cp", ["--sparse=always", "--no-preserve=mode,ownership", source, partial], cancellationToken));
            File.SetUnixFileMode(partial, (UnixFileMode)0b110_100_100);
            var scan = await StepAsync("scan for secrets", () => RawImageScanner.ScanRawImageAsync(partial, cancellationToken));
            if (scan.Findings.Count > 0)
            {
                throw new SecretsFoundException(scan.Findings);
            }
            if (!scan.Scanned)
            {
                progress?.Report(new BuildProgress("scan for secrets", TimeSpan.Zero, $"not scanned: {scan.Reason} (upload will need --allow-unscanned)"));
            }
            var sha = await StepAsync("sha256", () => ImageDigest.OfFileAsync(partial, null, cancellationToken));
            File.Move(partial, image, overwrite: true);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["os"] = "nixos", ["arch"] = options.Architecture };
            foreach (var (k, v) in options.Labels)
            {
                labels[k] = v;
            }
            var manifest = new ImageManifest
            {
                Builder = "nix",
                Architecture = options.Architecture,
                Path = Path.GetFullPath(image),
                Sha256 = sha,
                Size = new FileInfo(image).Length,
                Labels = labels,
                Description = $"NixOS {options.Host} ({options.Attribute}) built by drover, sha256 {sha}",
                Created = _time.GetUtcNow(),
                Scan = scan,
            };
            var manifestPath = Path.Combine(options.OutputDirectory, name + ".manifest.json");
            manifest.Write(manifestPath);
            return new BuildResult(manifest, manifestPath, steps);
        }
        finally
        {
            File.Delete(partial);
        }

        async Task<T> StepAsync<T>(string step, Func<Task<T>> body)
        {
            progress?.Report(new BuildProgress(step));
            var start = _time.GetTimestamp();
            var result = await body();
            var took = _time.GetElapsedTime(start);
            steps.Add(new StepTiming(step, took));
            progress?.Report(new BuildProgress(step, took));
            return result;
        }
    }

    /// <summary>The output paths in <c>nix build --json</c>'s answer (<c>[{"drvPath": ..., "outputs": {"out": PATH}}]</c>).</summary>
    internal static IReadOnlyList<string> OutPaths(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var paths = new List<string>();
            foreach (var result in doc.RootElement.EnumerateArray())
            {
                if (result.TryGetProperty("outputs", out var outputs))
                {
                    paths.AddRange(outputs.EnumerateObject().Select(o => o.Value.GetString()).OfType<string>());
                }
            }
            return paths.Count > 0 ? paths : throw new ImageBuildException("nix build", "nix build --json named no output paths");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ImageBuildException("nix build", $"could not read nix build --json output: {e.Message}", e);
        }
    }

    /// <summary>The image file in the output paths (an output may be the file itself): raw first, then img, then qcow2.</summary>
    internal static string FindImage(IReadOnlyList<string> outPaths)
    {
        var candidates = new List<string>();
        foreach (var path in outPaths)
        {
            if (File.Exists(path))
            {
                candidates.Add(path);
            }
            else if (Directory.Exists(path))
            {
                candidates.AddRange(Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3 }));
            }
        }
        foreach (var ext in _imageExtensions)
        {
            if (candidates.Where(c => c.EndsWith(ext, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).FirstOrDefault() is { } found)
            {
                return found;
            }
        }
        throw new ImageBuildException("copy image", $"no *.raw, *.img or *.qcow2 file in {string.Join(", ", outPaths)}");
    }
}
