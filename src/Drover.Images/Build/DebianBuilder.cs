using System.Globalization;
using Drover.Hcloud.Contracts;
using Drover.Images.Scan;
using Drover.Images.Upload;

namespace Drover.Images.Build;

/// <summary>
/// The <c>debian</c> builder: mmdebstrap (minbase, from the machine's apt mirror; arm64 on an x86 machine through
/// qemu-user-static and binfmt_misc) or the cached root file system, offline customisation, the secret scan (an image
/// with findings is refused, nothing is written), a GPT raw disk (<see cref="BootDisk"/>: x86 boots under BIOS and
/// UEFI, arm under UEFI) whose EFI system partition is scanned too, sha256 and the manifest. Needs root (mmdebstrap in
/// root mode keeps file ownership without fakeroot).
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
        var architecture = options.Architecture;
        var packages = DebianBuildOptions.BasePackages(architecture).Concat(options.Packages).Distinct(StringComparer.Ordinal).ToList();
        var cache = new RootfsCache(options.CacheDirectory ?? RootfsCache.DefaultDirectory());
        var key = RootfsCache.Key(options.Suite, [.. packages, .. SetupHooks(architecture)], sources, architecture.Value);
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
                await StepAsync("bootstrap rootfs (mmdebstrap)", $"{why}; {options.Suite} {DebianArchitecture(architecture)} from {string.Join(", ", sources)}", async () =>
                {
                    await Tool.CheckAsync("bootstrap", "mmdebstrap",
                        ["--quiet", "--variant=minbase", "--architectures=" + DebianArchitecture(architecture), .. SetupHooks(architecture),
                         "--include=" + string.Join(',', packages), options.Suite, root, .. sources], cancellationToken);
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
            var firmware = architecture == Architecture.Arm ? "UEFI" : "BIOS and UEFI";
            await StepAsync("disk image (GPT, ESP, mkfs.ext4 -d, GRUB)", $"{rootMiB} MiB root, boots under {firmware}", async () =>
            {
                var kernelArguments = options.KernelArguments ?? DebianBuildOptions.DefaultKernelArguments(architecture);
                await BootDisk.WriteAsync(architecture, root, partial, rootMiB, kernelArguments, cancellationToken);
                return true;
            });
            var espFindings = await StepAsync("scan the EFI system partition", null, () => RawImageScanner.ScanFatPartitionsAsync(partial, cancellationToken));
            if (espFindings.Count > 0)
            {
                throw new SecretsFoundException(espFindings);
            }
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
            var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["os"] = "debian", ["arch"] = architecture.Value };
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
                Architecture = architecture.Value,
                Path = Path.GetFullPath(image),
                Sha256 = sha,
                Size = new FileInfo(image).Length,
                Labels = labels,
                Description = $"Debian {options.Suite} {architecture} ({options.Name}) built by drover, sha256 {sha}",
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
        if (ElfArchitecture(options.AgentPath) is { } agentArchitecture && agentArchitecture != options.Architecture)
        {
            throw new ImageBuildException("check input",
                $"the agent binary {options.AgentPath} is for {agentArchitecture}, the image is {options.Architecture} (publish it with 'scripts/publish-agent {(options.Architecture == Architecture.Arm ? "linux-arm64" : "linux-x64")}', or pass --agent PATH)");
        }
        foreach (var extra in options.ExtraFiles)
        {
            if (!File.Exists(extra.Source))
            {
                throw new ImageBuildException("check input", $"{extra.Source} (for {extra.ImagePath}) does not exist");
            }
            RootfsCustomizer.Resolve("/nonexistent-root", extra.ImagePath);
        }
        var missing = BootDisk.MissingTools(options.Architecture).Concat(_tools.Where(t => Tool.Find(t) is null)).ToList();
        if (missing.Count > 0)
        {
            throw new ImageBuildException("check input",
                $"missing tools: {string.Join(", ", missing)} (bash scripts/setup installs them: mmdebstrap grub-pc-bin grub-efi-amd64-bin grub-common e2fsprogs fdisk dosfstools mtools zstd)");
        }
        if (ForeignArchitectureProblem(options.Architecture) is { } foreign)
        {
            throw new ImageBuildException("check input", foreign);
        }
        if (!IsRoot())
        {
            throw new ImageBuildException("check input", "the debian builder needs root (mmdebstrap keeps file ownership and device nodes only as root)");
        }
    }

    /// <summary>The architecture an ELF executable is for (x86-64 or AArch64), or null for anything else (a script, say).</summary>
    internal static Architecture? ElfArchitecture(string path)
    {
        Span<byte> header = stackalloc byte[20];
        using (var file = File.OpenRead(path))
        {
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            {
                return null;
            }
        }
        if (!header[..4].SequenceEqual("\u007fELF"u8))
        {
            return null;
        }
        // e_machine at offset 18 (little-endian on both): 62 is EM_X86_64, 183 EM_AARCH64.
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(header[18..]) switch
        {
            62 => Architecture.X86,
            183 => Architecture.Arm,
            _ => null,
        };
    }

    /// <summary>
    /// The modules an emulated arm64 initramfs holds: what finds and mounts a root on Hetzner's (and the local cloud's)
    /// disks: virtio-scsi or virtio-blk over PCI, NVMe, SCSI disks, ext4.
    /// </summary>
    internal static readonly IReadOnlyList<string> InitramfsModules = ["virtio_pci", "virtio_scsi", "virtio_blk", "sd_mod", "nvme", "ext4"];

    /// <summary>
    /// mmdebstrap hooks that run before any package is installed. arm64 on x86: initramfs-tools' default (MODULES=most)
    /// walks every kernel module through an emulated shell, which takes many minutes under qemu-user; the image gets an
    /// initramfs with the modules its root needs (<see cref="InitramfsModules"/>), listed where initramfs-tools reads
    /// lists besides its conffile.
    /// </summary>
    internal static IReadOnlyList<string> SetupHooks(Architecture architecture)
    {
        if (architecture == Architecture.X86)
        {
            return [];
        }
        var hook = "mkdir -p \"$1/etc/initramfs-tools/conf.d\" \"$1/usr/share/initramfs-tools/modules.d\""
            + " && printf 'MODULES=list\\n' > \"$1/etc/initramfs-tools/conf.d/drover.conf\""
            + $" && printf '%s\\n' {string.Join(' ', InitramfsModules)} > \"$1/usr/share/initramfs-tools/modules.d/drover\"";
        return ["--setup-hook=" + hook];
    }

    /// <summary>Debian's name of <paramref name="architecture"/>: amd64 or arm64.</summary>
    public static string DebianArchitecture(Architecture architecture) => architecture == Architecture.Arm ? "arm64" : "amd64";

    /// <summary>
    /// Why this machine cannot run <paramref name="architecture"/>'s maintainer scripts, or null: a foreign root file
    /// system needs qemu-user-static registered with binfmt_misc (mmdebstrap then runs them transparently).
    /// </summary>
    internal static string? ForeignArchitectureProblem(Architecture architecture)
    {
        var native = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? Architecture.Arm : Architecture.X86;
        if (architecture == native)
        {
            return null;
        }
        var interpreter = architecture == Architecture.Arm ? "qemu-aarch64" : "qemu-x86_64";
        var entry = $"/proc/sys/fs/binfmt_misc/{interpreter}";
        try
        {
            if (File.Exists(entry) && File.ReadLines(entry).FirstOrDefault() == "enabled")
            {
                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable: reported below like a missing entry.
        }
        return $"an {architecture} image on this {native} machine needs qemu-user-static registered with binfmt_misc, and {entry} is not enabled "
            + $"(bash scripts/setup installs qemu-user-static and binfmt-support, mounts /proc/sys/fs/binfmt_misc and enables {interpreter})";
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
