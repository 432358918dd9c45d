using System.Globalization;
using Drover.Images.Scan;
using Drover.Images.Upload;

namespace Drover.Images.Build;

/// <summary>
/// The <c>debian</c> builder: mmdebstrap (minbase, from the machine's apt mirror) or the cached root file system,
/// offline customisation, the secret scan (an image with findings is refused, nothing is written), a GRUB BIOS raw disk,
/// sha256 and the manifest. Needs root (mmdebstrap in root mode keeps file ownership without fakeroot).
/// </summary>
public sealed class DebianBuilder(TimeProvider? time = null)
{
    private static readonly string[] _tools = ["mmdebstrap", "zstd", "tar", "systemctl", "du"];

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The Debian version number of a suite name, for the <c>version</c> label.</summary>
    public static string? VersionOf(string suite) => suite switch
    {
        "bullseye" => "11",
        "bookworm" => "12",
        "trixie" => "13",
        "forky" => "14",
        _ => null,
    };

    public async Task<BuildResult> BuildAsync(DebianBuildOptions options, IProgress<BuildProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Preflight(options);
        var steps = new List<StepTiming>();
        var sources = AptSources.ForSuite(options.Suite, options.Mirror);
        var packages = DebianBuildOptions.BasePackages.Concat(options.Packages).Distinct(StringComparer.Ordinal).ToList();
        var cache = new RootfsCache(options.CacheDirectory ?? RootfsCache.DefaultDirectory());
        var key = RootfsCache.Key(options.Suite, packages, sources);
        var work = Directory.CreateTempSubdirectory("drover-build-").FullName;
        var root = Path.Combine(work, "rootfs");
        Directory.CreateDirectory(options.OutputDirectory);
        var raw = Path.Combine(options.OutputDirectory, options.Name + ".raw");
        var partial = Path.Combine(work, options.Name + ".raw");
        try
        {
            // One bootstrap per key at a time across processes: a second build waits, then restores from the cache.
            await using var gate = await cache.LockAsync(key, cancellationToken);
            var hit = !options.NoCache && File.Exists(cache.PathFor(key))
                && await StepAsync("restore cached rootfs", cache.PathFor(key), () => cache.TryRestoreAsync(key, root, cancellationToken));
            if (!hit)
            {
                var why = options.NoCache ? "--no-cache" : "not cached yet";
                await StepAsync("bootstrap rootfs (mmdebstrap)", $"{why}; {options.Suite} from {string.Join(", ", sources)}", async () =>
                {
                    await Tool.CheckAsync("bootstrap", "mmdebstrap",
                        ["--quiet", "--variant=minbase", "--include=" + string.Join(',', packages), options.Suite, root, .. sources], cancellationToken);
                    return true;
                });
                await StepAsync("cache rootfs", cache.PathFor(key), async () => { await cache.StoreAsync(key, root, cancellationToken); return true; });
            }
            await StepAsync("customise", null, async () => { await RootfsCustomizer.CustomizeAsync(root, options, cancellationToken); return true; });
            if (options.CustomizeHook is { } hook)
            {
                await StepAsync("customise hook", null, async () => { await hook(root, cancellationToken); return true; });
            }
            var findings = await StepAsync("scan for secrets", null, () => Task.FromResult(SecretScanner.ScanDirectory(root, cancellationToken)));
            if (findings.Count > 0)
            {
                throw new SecretsFoundException(findings);
            }
            var rootMiB = options.RootSizeMiB ?? await DefaultRootSizeAsync(root, cancellationToken);
            await StepAsync("disk image (mkfs.ext4 -d, sfdisk, GRUB i386-pc)", $"{rootMiB} MiB root", async () =>
            {
                await GrubBiosDisk.WriteAsync(root, partial, rootMiB, options.KernelArguments, cancellationToken);
                return true;
            });
            var image = raw;
            if (options.Compression == ImageCompression.Zstd)
            {
                image = raw + ".zst";
                await StepAsync("compress (zstd -3)", null, async () =>
                {
                    await Tool.CheckAsync("compress", "zstd", ["-q", "-T0", "-3", "-f", "--rm", partial, "-o", partial + ".zst"], cancellationToken);
                    return true;
                });
                partial += ".zst";
            }
            else if (options.Compression != ImageCompression.None)
            {
                throw new ArgumentException($"compression {options.Compression} is not supported by the builder (none or zstd)", nameof(options));
            }
            var sha = await StepAsync("sha256", null, () => ImageDigest.OfFileAsync(partial, null, cancellationToken));
            File.Move(partial, image, overwrite: true);
            var version = VersionOf(options.Suite);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["os"] = "debian", ["arch"] = "x86" };
            if (version is not null)
            {
                labels["version"] = version;
            }
            foreach (var (k, v) in options.Labels)
            {
                labels[k] = v;
            }
            var manifest = new ImageManifest
            {
                Builder = "debian",
                Architecture = "x86",
                Path = Path.GetFullPath(image),
                Sha256 = sha,
                Size = new FileInfo(image).Length,
                Labels = labels,
                Description = $"Debian {options.Suite} ({options.Name}) built by drover, sha256 {sha}",
                Created = _time.GetUtcNow(),
                Scan = new ImageScan(true, []),
                Version = version,
            };
            var manifestPath = Path.Combine(options.OutputDirectory, options.Name + ".manifest.json");
            manifest.Write(manifestPath);
            return new BuildResult(manifest, manifestPath, steps, hit);
        }
        finally
        {
            await RemoveTreeAsync(work);
        }

        async Task<T> StepAsync<T>(string name, string? detail, Func<Task<T>> body)
        {
            progress?.Report(new BuildProgress(name, null, detail));
            var start = _time.GetTimestamp();
            var result = await body();
            var took = _time.GetElapsedTime(start);
            steps.Add(new StepTiming(name, took));
            progress?.Report(new BuildProgress(name, took, detail));
            return result;
        }
    }

    private static void Preflight(DebianBuildOptions options)
    {
        if (!File.Exists(options.AgentPath))
        {
            throw new ImageBuildException("check input", $"the agent binary {options.AgentPath} does not exist (publish src/Drover.Agent, or pass --agent PATH)");
        }
        foreach (var extra in options.ExtraFiles)
        {
            if (!File.Exists(extra.Source))
            {
                throw new ImageBuildException("check input", $"{extra.Source} (for {extra.ImagePath}) does not exist");
            }
            RootfsCustomizer.Resolve("/nonexistent-root", extra.ImagePath);
        }
        var missing = GrubBiosDisk.MissingTools().Concat(_tools.Where(t => Tool.Find(t) is null)).ToList();
        if (missing.Count > 0)
        {
            throw new ImageBuildException("check input", $"missing tools: {string.Join(", ", missing)} (apt-get install mmdebstrap grub-pc-bin grub-common e2fsprogs fdisk zstd)");
        }
        if (!IsRoot())
        {
            throw new ImageBuildException("check input", "the debian builder needs root (mmdebstrap keeps file ownership and device nodes only as root)");
        }
    }

    internal static bool IsRoot()
    {
        try
        {
            return File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Removes the work tree (<c>rm -rf</c> is much faster than a managed walk over a root file system).</summary>
    private static async Task RemoveTreeAsync(string dir)
    {
        var rm = await Tool.RunAsync("rm", ["-rf", "--one-file-system", "--", dir], CancellationToken.None);
        if (rm.ExitCode != 0 && Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The tree's size plus a quarter and 256 MiB, at least 1200 MiB.</summary>
    private static async Task<int> DefaultRootSizeAsync(string root, CancellationToken ct)
    {
        var du = await Tool.CheckAsync("disk", "du", ["-s", "-m", "-x", root], ct);
        var used = int.Parse(du.Split('\t')[0], CultureInfo.InvariantCulture);
        return Math.Max(1200, (used * 5 / 4) + 256);
    }
}
