using System.Text.Json;
using Drover.Images.Nix;
using Drover.Images.Scan;
using Drover.Images.Upload;

namespace Drover.Images.Build;

/// <summary>
/// The <c>nix</c> builder. In the flake's directory it checks, each by one evaluation, that the host is one of the flake's
/// <c>nixosConfigurations</c>, that its system matches the architecture asked for, and that the flake has the image
/// output <c>packages.SYSTEM."HOST-image"</c> (<c>drover.lib.hcloudImage</c> makes one); then evaluates the image's
/// derivation (a type error or a failed assertion in the user's modules surfaces here, with Nix's message and the file),
/// builds it with <c>nix build</c> (the published agent passed as the flake input <c>drover-agent</c> when the flake
/// declares it), copies the image file out of the store, scans it (<see cref="RawImageScanner"/>), hashes it and writes
/// the manifest.
/// </summary>
public sealed class NixBuilder(TimeProvider? time = null)
{
    /// <summary>How to get nix, for the message when it is missing.</summary>
    public const string InstallHint =
        "install Nix (https://nixos.org/download, or on Debian 'apt-get install nix-bin nix-setup-systemd') and enable flakes ('experimental-features = nix-command flakes' in nix.conf)";

    /// <summary>The flake input through which the published agent is passed.</summary>
    public const string AgentInput = "drover-agent";

    private static readonly string[] _imageExtensions = [".raw", ".img", ".qcow2"];

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<BuildResult> BuildAsync(NixBuildOptions options, IProgress<BuildProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var nix = Tool.Find("nix", options.SearchPath ?? Environment.GetEnvironmentVariable("PATH"))
            ?? throw new ImageBuildException("check input", $"nix is not installed (no 'nix' on PATH); {InstallHint}");
        var directory = Path.GetFullPath(options.FlakeDirectory);
        if (!File.Exists(Path.Combine(directory, "flake.nix")))
        {
            throw new ImageBuildException("check input", $"{directory} has no flake.nix (give the flake's directory; 'drover init --nixos' writes a starter flake)");
        }
        if (options.System is { } asked && NixSystems.Architecture(asked) is null)
        {
            throw new ImageBuildException("check input", $"system '{asked}' is not one Hetzner has servers of ({NixSystems.X86} or {NixSystems.Arm})");
        }

        var flake = new NixFlake(nix, directory) { Environment = options.Environment };
        var steps = new List<StepTiming>();
        var system = await StepAsync("evaluate hosts", () => HostSystemAsync(flake, options, cancellationToken));
        var architecture = NixSystems.Architecture(system)!;
        var attribute = $"packages.{system}.\"{options.Host}-image\"";
        await StepAsync("check image output", () => CheckImageOutputAsync(flake, options.Host, system, cancellationToken));

        var agentDirectory = flake.DeclaresInput(AgentInput) ? PrepareAgent(options, system, directory) : null;
        try
        {
            if (agentDirectory is not null)
            {
                flake.Override(AgentInput, "path:" + agentDirectory);
            }
            var derivation = await StepAsync("evaluate image", () => flake.EvalRawAsync("evaluate image", attribute + ".drvPath", cancellationToken));
            progress?.Report(new BuildProgress("evaluate image", TimeSpan.Zero, derivation));
            var outPaths = await StepAsync("nix build", () => flake.BuildAsync("nix build", attribute, derivation, cancellationToken));
            return await PackageAsync(options, FindImage(outPaths), system, architecture, steps, progress, cancellationToken);
        }
        finally
        {
            if (agentDirectory is not null)
            {
                Directory.Delete(agentDirectory, recursive: true);
            }
        }

        Task<T> StepAsync<T>(string step, Func<Task<T>> body) => TimedAsync(step, steps, progress, body);
    }

    /// <summary>The host's Nix system, from one evaluation of every configuration's system; errors name the hosts there are.</summary>
    private static async Task<string> HostSystemAsync(NixFlake flake, NixBuildOptions options, CancellationToken cancellationToken)
    {
        var names = await flake.EvalJsonAsync("evaluate hosts", "nixosConfigurations", "builtins.attrNames", cancellationToken);
        var hosts = names.EnumerateArray().Select(n => n.GetString()!).ToList();
        if (!hosts.Contains(options.Host, StringComparer.Ordinal))
        {
            throw new ImageBuildException("evaluate hosts", hosts.Count == 0
                ? $"{flake.Directory}/flake.nix has no nixosConfigurations, so there is no host '{options.Host}'"
                : $"{flake.Directory}/flake.nix has no host '{options.Host}' in nixosConfigurations; it has: {string.Join(", ", hosts)}");
        }
        var system = (await flake.EvalJsonAsync("evaluate hosts", $"nixosConfigurations.\"{options.Host}\".pkgs.stdenv.hostPlatform.system", null, cancellationToken)).GetString()!;
        if (NixSystems.Architecture(system) is null)
        {
            throw new ImageBuildException("evaluate hosts", $"host '{options.Host}' is built for {system}, which Hetzner has no servers of ({NixSystems.X86} or {NixSystems.Arm})");
        }
        if (options.System is { } asked && asked != system)
        {
            throw new ImageBuildException("evaluate hosts",
                $"host '{options.Host}' is built for {system} ({NixSystems.Architecture(system)}), but {asked} ({NixSystems.Architecture(asked)}) was asked for; " +
                "change the host's system in flake.nix or leave the architecture out");
        }
        return system;
    }

    /// <summary>Checks that <c>packages.SYSTEM."HOST-image"</c> exists, saying what the flake has instead.</summary>
    private static async Task<bool> CheckImageOutputAsync(NixFlake flake, string host, string system, CancellationToken cancellationToken)
    {
        JsonElement packages;
        try
        {
            packages = await flake.EvalJsonAsync("check image output", "packages", "ps: builtins.mapAttrs (system: builtins.attrNames) ps", cancellationToken);
        }
        catch (NixException e) when (e.Error.Message.Contains("does not provide attribute", StringComparison.Ordinal))
        {
            packages = default;
        }
        var wanted = host + "-image";
        var names = packages.ValueKind == JsonValueKind.Object && packages.TryGetProperty(system, out var forSystem)
            ? forSystem.EnumerateArray().Select(n => n.GetString()!).ToList()
            : [];
        if (names.Contains(wanted, StringComparer.Ordinal))
        {
            return true;
        }
        var has = names.Count == 0 ? $"it has no packages.{system}" : $"packages.{system} has: {string.Join(", ", names)}";
        throw new ImageBuildException("check image output",
            $"{flake.Directory}/flake.nix has no image output packages.{system}.\"{wanted}\" ({has}); add " +
            $"packages.{system}.\"{wanted}\" = drover.lib.hcloudImage {{ nixosConfiguration = self.nixosConfigurations.\"{host}\"; }};");
    }

    /// <summary>A directory <c>SYSTEM/drover-agent</c> with the published agent, for the flake input <see cref="AgentInput"/>.</summary>
    private static string PrepareAgent(NixBuildOptions options, string system, string flakeDirectory)
    {
        var agent = Path.GetFullPath(options.AgentPath ?? NixBuildOptions.DefaultAgentPath(system));
        if (!File.Exists(agent))
        {
            throw new ImageBuildException("check input",
                $"{flakeDirectory}/flake.nix takes the agent as input '{AgentInput}', and there is no agent at {agent} " +
                $"(publish it with scripts/publish-agent{(NixSystems.Architecture(system) == "arm" ? " for linux-arm64" : "")}, or pass --agent)");
        }
        var directory = Path.Combine(Path.GetFullPath(options.OutputDirectory), $".drover-agent-{Guid.NewGuid():N}");
        var target = Path.Combine(directory, system, "drover-agent");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(agent, target);
        File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        return directory;
    }

    private async Task<BuildResult> PackageAsync(NixBuildOptions options, string source, string system, string architecture,
        List<StepTiming> steps, IProgress<BuildProgress>? progress, CancellationToken cancellationToken)
    {
        var name = options.Name ?? options.Host;
        Directory.CreateDirectory(options.OutputDirectory);
        var image = Path.Combine(options.OutputDirectory, name + Path.GetExtension(source));
        var partial = image + ".partial";
        try
        {
            await Step("copy image", () => Tool.CheckAsync("copy", "cp", ["--sparse=always", "--no-preserve=mode,ownership", source, partial], cancellationToken));
            File.SetUnixFileMode(partial, (UnixFileMode)0b110_100_100);
            var scan = await Step("scan for secrets", () => RawImageScanner.ScanRawImageAsync(partial, cancellationToken));
            if (scan.Findings.Count > 0)
            {
                throw new SecretsFoundException(scan.Findings);
            }
            if (!scan.Scanned)
            {
                progress?.Report(new BuildProgress("scan for secrets", TimeSpan.Zero, $"not scanned: {scan.Reason} (upload will need --allow-unscanned)"));
            }
            var sha = await Step("sha256", () => ImageDigest.OfFileAsync(partial, null, cancellationToken));
            File.Move(partial, image, overwrite: true);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["os"] = "nixos", ["arch"] = architecture };
            foreach (var (k, v) in options.Labels)
            {
                labels[k] = v;
            }
            var manifest = new ImageManifest
            {
                Builder = "nix",
                Architecture = architecture,
                Path = Path.GetFullPath(image),
                Sha256 = sha,
                Size = new FileInfo(image).Length,
                Labels = labels,
                Description = $"NixOS {options.Host} (packages.{system}.{options.Host}-image) built by drover, sha256 {sha}",
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

        Task<T> Step<T>(string step, Func<Task<T>> body) => TimedAsync(step, steps, progress, body);
    }

    /// <summary>Runs one step, reporting its start and how long it took, and records its timing.</summary>
    private async Task<T> TimedAsync<T>(string step, List<StepTiming> steps, IProgress<BuildProgress>? progress, Func<Task<T>> body)
    {
        progress?.Report(new BuildProgress(step));
        var start = _time.GetTimestamp();
        var result = await body();
        var took = _time.GetElapsedTime(start);
        steps.Add(new StepTiming(step, took));
        progress?.Report(new BuildProgress(step, took));
        return result;
    }

    /// <summary>The output paths in <c>nix build --json</c>'s answer.</summary>
    internal static IReadOnlyList<string> OutPaths(string json) => NixBuildOutput.Paths(json);

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
