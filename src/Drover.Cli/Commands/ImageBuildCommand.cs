using System.CommandLine;
using System.Globalization;
using Drover.Cli.Output;
using Drover.Images;
using Drover.Images.Build;

namespace Drover.Cli.Commands;

/// <summary><c>drover image build</c>: a builder makes a raw disk image and its manifest; images with secrets are refused.</summary>
internal static class ImageBuildCommand
{
    /// <summary>Where the agent is looked for when <c>--agent</c> is not given (the repository's publish output).</summary>
    public const string DefaultAgent = "artifacts/agent/linux-x64/drover-agent";

    /// <summary>The agent an image of <paramref name="architecture"/> gets by default (<c>scripts/publish-agent [linux-arm64]</c>).</summary>
    public static string DefaultAgentFor(string? architecture) => architecture == "arm" ? "artifacts/agent/linux-arm64/drover-agent" : DefaultAgent;

    public static Command Create(CliEnv env)
    {
        var builder = new Option<string>("--builder") { Description = "debian (mmdebstrap, a GPT disk with GRUB for BIOS and UEFI, agent inside) or nix (the flake's packages.SYSTEM.\"HOST-image\", see drover.lib.hcloudImage)", DefaultValueFactory = _ => "debian" };
        builder.AcceptOnlyFromAmong("debian", "nix");
        var host = new Option<string?>("--host") { Description = "Build for this host of the fleet file: the image is named after it and labelled role=<its role>" };
        var outputDir = new Option<string>("--output-dir") { Description = "Where NAME.raw and NAME.manifest.json are written", DefaultValueFactory = _ => "." };
        var name = new Option<string?>("--name") { Description = "Image file name without extension (default: the host, else debian-SUITE)" };
        var suite = new Option<string>("--suite") { Description = "debian: the Debian suite", DefaultValueFactory = _ => "bookworm" };
        var mirror = new Option<string?>("--mirror") { Description = "debian: the mirror URL (default: the sources apt is configured with)" };
        var packages = new Option<string[]>("--package") { Description = "debian: an extra package (repeatable)", AllowMultipleArgumentsPerToken = true };
        var labels = new Option<string[]>("--labels") { Description = "Extra labels: k=v,k2=v2 (repeatable)", AllowMultipleArgumentsPerToken = true };
        var agent = new Option<string?>("--agent") { Description = $"The drover-agent binary: debian installs it as /usr/local/bin/drover-agent; nix passes it as the flake input drover-agent (default {DefaultAgent}, linux-arm64 for arm)" };
        var addFile = new Option<string[]>("--add-file") { Description = "debian: copy a file into the image, SRC:/path/in/image (repeatable; scanned like everything else)" };
        var noCache = new Option<bool>("--no-cache") { Description = "debian: bootstrap afresh instead of using the cached root file system" };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "debian: root file system cache (default $XDG_CACHE_HOME/drover/rootfs)" };
        var rootSize = new Option<int?>("--root-size") { Description = "debian: root partition size in MiB (default: content + headroom, at least 1200)" };
        var compress = new Option<string>("--compress") { Description = "none or zstd (writes NAME.raw.zst)", DefaultValueFactory = _ => "none" };
        compress.AcceptOnlyFromAmong("none", "zstd");
        var flake = new Option<string>("--flake") { Description = "nix: the directory holding flake.nix", DefaultValueFactory = _ => "." };
        var system = new Option<string?>("--system") { Description = "nix: the Nix system the host must be built for (x86_64-linux, aarch64-linux; default: the host's own)" };
        var architecture = new Option<string?>("--architecture")
        {
            Description = "x86 or arm. debian: the image's architecture (default x86; arm is arm64, UEFI only, bootstrapped through qemu-user-static on x86); nix: checked against the host's Nix system (default: the host's own)",
        };
        architecture.AcceptOnlyFromAmong("x86", "arm");
        var output = Common.Output();
        var command = new Command("build", """
            Build a raw disk image and NAME.manifest.json (sha256, size, architecture, builder, labels, scan result).
            The image's file system is scanned for private keys, API tokens and password hashes; an image with
            findings is refused (exit 1, each file named) and nothing is written.
            """)
        { builder, host, FleetCommon.ConfigOption, outputDir, name, suite, mirror, packages, labels, agent, addFile, noCache, cacheDir, rootSize, compress, flake, system, architecture, output };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var extraLabels = Parsing.Labels("--labels", parse.GetValue(labels) ?? []);
            var hostName = parse.GetValue(host);
            if (hostName is not null && !File.Exists(FleetCommon.ConfigPath(parse)) && parse.GetResult(FleetCommon.ConfigOption) is null or { Implicit: true })
            {
                await env.IO.Error.WriteLineAsync($"note: no {FleetCommon.DefaultConfig} here; --host {hostName} only names the image");
            }
            else if (hostName is not null)
            {
                var spec = FleetCommon.Load(parse, env).FindHost(hostName) ?? throw new UsageException($"--host: no host '{hostName}' in {FleetCommon.ConfigPath(parse)}");
                if (spec.Role is { } role)
                {
                    extraLabels.TryAdd("role", role);
                }
            }
            var progress = new Progress(env.IO.Error);
            var result = parse.GetValue(builder) == "nix"
                ? await new NixBuilder().BuildAsync(new NixBuildOptions
                {
                    Host = hostName ?? throw new UsageException("--builder nix needs --host (the flake builds packages.SYSTEM.\"HOST-image\")"),
                    FlakeDirectory = parse.GetValue(flake)!,
                    System = NixSystem(parse.GetValue(system), parse.GetValue(architecture)),
                    AgentPath = parse.GetValue(agent),
                    OutputDirectory = parse.GetValue(outputDir)!,
                    Name = parse.GetValue(name),
                    Labels = extraLabels,
                    SearchPath = env.IO.Env("PATH"),
                    Environment = env.IO.Environment,
                }, progress, ct)
                : await new DebianBuilder().BuildAsync(new DebianBuildOptions
                {
                    Name = parse.GetValue(name) ?? hostName ?? "debian-" + parse.GetValue(suite) + (parse.GetValue(architecture) == "arm" ? "-arm" : ""),
                    Architecture = parse.GetValue(architecture) == "arm" ? Hcloud.Contracts.Architecture.Arm : Hcloud.Contracts.Architecture.X86,
                    Suite = parse.GetValue(suite)!,
                    Mirror = parse.GetValue(mirror),
                    Packages = parse.GetValue(packages) ?? [],
                    AgentPath = parse.GetValue(agent) ?? DefaultAgentFor(parse.GetValue(architecture)),
                    OutputDirectory = parse.GetValue(outputDir)!,
                    Labels = extraLabels,
                    CacheDirectory = parse.GetValue(cacheDir),
                    NoCache = parse.GetValue(noCache),
                    RootSizeMiB = parse.GetValue(rootSize),
                    Compression = parse.GetValue(compress) == "zstd" ? ImageCompression.Zstd : ImageCompression.None,
                    ExtraFiles = [.. (parse.GetValue(addFile) ?? []).Select(ExtraFile.Parse)],
                }, progress, ct);
            Print(env, result, parse.GetValue(output));
            return Common.Ok;
        });
        return command;
    }

    /// <summary>The system asked for by --system or --architecture (both: they must agree), or null for the host's own.</summary>
    private static string? NixSystem(string? system, string? architecture)
    {
        if (architecture is null)
        {
            return system;
        }
        var fromArchitecture = NixSystems.OfArchitecture(architecture);
        return system is null || system == fromArchitecture
            ? fromArchitecture
            : throw new UsageException($"--system {system} and --architecture {architecture} disagree ({architecture} is {fromArchitecture})");
    }

    private static void Print(CliEnv env, BuildResult result, OutputFormat format)
    {
        var m = result.Manifest;
        if (format == OutputFormat.Json)
        {
            env.IO.Out.Write(m.ToJson());
            return;
        }
        var table = new Table("IMAGE", "SIZE", "SHA256", "SCAN", "MANIFEST");
        table.Add(m.Path, m.Size?.ToString(CultureInfo.InvariantCulture), m.Sha256, m.Scan.Scanned ? $"{m.Scan.Findings.Count} findings" : "not scanned: " + m.Scan.Reason, result.ManifestPath);
        table.Write(env.IO.Out);
    }

    /// <summary>Each step on stderr as it starts, and how long it took.</summary>
    private sealed class Progress(TextWriter error) : IProgress<BuildProgress>
    {
        public void Report(BuildProgress value)
        {
            var detail = value.Detail is null ? "" : $" ({value.Detail})";
            error.WriteLine(value.Took is { } took
                ? $"    {value.Step}: {took.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s{detail}"
                : $"==> {value.Step}{detail}");
        }
    }
}
