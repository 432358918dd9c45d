using Drover.Images.Build;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>The builders' pure parts and the nix builder against a missing and a fake <c>nix</c>.</summary>
public sealed class BuildTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-build-test-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Nix_builder_without_nix_says_so_and_how_to_install_it()
    {
        var flake = Directory.CreateDirectory(Path.Combine(_dir.FullName, "flake")).FullName;
        await File.WriteAllTextAsync(Path.Combine(flake, "flake.nix"), "{ }\n", TestContext.Current.CancellationToken);
        var empty = Directory.CreateDirectory(Path.Combine(_dir.FullName, "empty-path")).FullName;

        var e = await Should.ThrowAsync<ImageBuildException>(() => new NixBuilder().BuildAsync(
            new NixBuildOptions { Host = "web1", FlakeDirectory = flake, OutputDirectory = _dir.FullName, SearchPath = empty },
            cancellationToken: TestContext.Current.CancellationToken));

        e.Message.ShouldContain("nix is not installed");
        e.Message.ShouldContain("nixos.org");
    }

    [Fact]
    public async Task Nix_builder_checks_host_system_and_output_then_builds_and_writes_the_manifest()
    {
        var ct = TestContext.Current.CancellationToken;
        var (flake, bin, calls, content) = await FakeNixAsync(ct);
        var output = Path.Combine(_dir.FullName, "out");

        var result = await new NixBuilder().BuildAsync(new NixBuildOptions
        {
            Host = "web1",
            FlakeDirectory = flake,
            OutputDirectory = output,
            SearchPath = bin,
            Labels = new Dictionary<string, string> { ["role"] = "web" },
        }, cancellationToken: ct);

        // Hosts, the host's system, the image output, the image's derivation, then the build; no agent input declared.
        var features = "--extra-experimental-features nix-command flakes";
        (await File.ReadAllLinesAsync(calls, ct)).ShouldBe([
            $"eval --json {flake}#nixosConfigurations --apply builtins.attrNames {features}",
            $"eval --json {flake}#nixosConfigurations.\"web1\".pkgs.stdenv.hostPlatform.system {features}",
            $"eval --json {flake}#packages --apply ps: builtins.mapAttrs (system: builtins.attrNames) ps {features}",
            $"eval --raw {flake}#packages.x86_64-linux.\"web1-image\".drvPath {features}",
            $"build --json --no-link {flake}#packages.x86_64-linux.\"web1-image\" {features}",
        ]);
        var m = ImageManifest.Read(Path.Combine(output, "web1.manifest.json"));
        m.Builder.ShouldBe("nix");
        m.Architecture.ShouldBe("x86");
        m.Path.ShouldBe(Path.Combine(output, "web1.raw"));
        (await File.ReadAllBytesAsync(m.Path!, ct)).ShouldBe(content);
        m.Size.ShouldBe(content.Length);
        m.Sha256.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)));
        m.Labels.ShouldBe(new Dictionary<string, string> { ["os"] = "nixos", ["arch"] = "x86", ["role"] = "web" }, ignoreOrder: true);
        m.Scan.Scanned.ShouldBeFalse(); // random bytes: no file system the scanner reads
        m.Scan.Reason.ShouldNotBeNull();
        result.ManifestPath.ShouldBe(Path.Combine(output, "web1.manifest.json"));
    }

    [Theory]
    [InlineData("db1", null, "has no host 'db1' in nixosConfigurations; it has: web1, web2")]
    [InlineData("web1", "aarch64-linux", "host 'web1' is built for x86_64-linux (x86), but aarch64-linux (arm) was asked for")]
    [InlineData("web2", null, "has no image output packages.aarch64-linux.\"web2-image\" (it has no packages.aarch64-linux); add packages.aarch64-linux.\"web2-image\" = drover.lib.hcloudImage")]
    [InlineData("web1", "riscv64-linux", "system 'riscv64-linux' is not one Hetzner has servers of")]
    public async Task Nix_builder_refuses_bad_input_before_building_and_writes_nothing(string host, string? system, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        var (flake, bin, calls, _) = await FakeNixAsync(ct);
        var output = Path.Combine(_dir.FullName, "out");

        var e = await Should.ThrowAsync<ImageBuildException>(() => new NixBuilder().BuildAsync(
            new NixBuildOptions { Host = host, System = system, FlakeDirectory = flake, OutputDirectory = output, SearchPath = bin }, cancellationToken: ct));

        e.Message.ShouldContain(expected);
        (File.Exists(calls) ? await File.ReadAllLinesAsync(calls, ct) : []).ShouldNotContain(c => c.StartsWith("build", StringComparison.Ordinal));
        Directory.Exists(output).ShouldBeFalse();
    }

    [Fact]
    public async Task Nix_builder_passes_the_agent_as_the_flake_input_drover_agent_when_the_flake_declares_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var (flake, bin, calls, _) = await FakeNixAsync(ct);
        await File.WriteAllTextAsync(Path.Combine(flake, "flake.nix"), "{ inputs.drover-agent = { url = \"path:./agent\"; flake = false; }; outputs = _: { }; }\n", ct);
        var output = Path.Combine(_dir.FullName, "out");
        var missing = Path.Combine(_dir.FullName, "no-agent");

        var e = await Should.ThrowAsync<ImageBuildException>(() => new NixBuilder().BuildAsync(
            new NixBuildOptions { Host = "web1", FlakeDirectory = flake, OutputDirectory = output, SearchPath = bin, AgentPath = missing }, cancellationToken: ct));
        e.Message.ShouldContain($"takes the agent as input 'drover-agent', and there is no agent at {missing}");

        var agent = Path.Combine(_dir.FullName, "drover-agent");
        await File.WriteAllTextAsync(agent, "agent", ct);
        await new NixBuilder().BuildAsync(new NixBuildOptions { Host = "web1", FlakeDirectory = flake, OutputDirectory = output, SearchPath = bin, AgentPath = agent }, cancellationToken: ct);

        var build = (await File.ReadAllLinesAsync(calls, ct)).Single(c => c.StartsWith("build", StringComparison.Ordinal));
        build.ShouldMatch($@"--override-input drover-agent path:{System.Text.RegularExpressions.Regex.Escape(output)}/\.drover-agent-[0-9a-f]{{32}} --no-write-lock-file$");
        Directory.EnumerateDirectories(output).ShouldBeEmpty(); // the agent's directory is gone again
    }

    /// <summary>A flake directory and a fake <c>nix</c> that answers the builder's evaluations for hosts web1 (x86) and web2 (arm, no image output) and "builds" a store path holding a raw image.</summary>
    private async Task<(string Flake, string Bin, string Calls, byte[] Content)> FakeNixAsync(CancellationToken ct)
    {
        var flake = Directory.CreateDirectory(Path.Combine(_dir.FullName, "flake")).FullName;
        await File.WriteAllTextAsync(Path.Combine(flake, "flake.nix"), "{ outputs = _: { }; }\n", ct);
        var store = Directory.CreateDirectory(Path.Combine(_dir.FullName, "store", "abc-web1-image")).FullName;
        var content = new byte[1 << 16];
        new Random(7).NextBytes(content);
        await File.WriteAllBytesAsync(Path.Combine(store, "nixos.raw"), content, ct);
        var bin = Directory.CreateDirectory(Path.Combine(_dir.FullName, "bin")).FullName;
        var calls = Path.Combine(_dir.FullName, "nix-calls");
        var nix = Path.Combine(bin, "nix");
        await File.WriteAllTextAsync(nix, $$$"""
            #!/bin/sh
            echo "$*" >> '{{{calls}}}'
            case "$*" in
              *'#nixosConfigurations --apply builtins.attrNames'*) echo '["web1","web2"]' ;;
              *'"web1".pkgs.stdenv.hostPlatform.system'*) echo '"x86_64-linux"' ;;
              *'"web2".pkgs.stdenv.hostPlatform.system'*) echo '"aarch64-linux"' ;;
              *'#packages --apply'*) echo '{"x86_64-linux":["web1-image"]}' ;;
              *'.drvPath'*) printf '/nix/store/x-web1-hcloud-image.drv' ;;
              build*) echo '[{"drvPath":"/nix/store/x.drv","outputs":{"out":"{{{store}}}"}}]' ;;
              *) echo "fake nix: unexpected $*" >&2; exit 1 ;;
            esac
            """.Replace("\r", "", StringComparison.Ordinal) + "\n", ct);
        File.SetUnixFileMode(nix, (UnixFileMode)0b111_101_101);
        return (flake, bin, calls, content);
    }

    [Fact]
    public void Nix_output_parsing_finds_the_image_or_says_what_is_missing()
    {
        var store = Directory.CreateDirectory(Path.Combine(_dir.FullName, "out")).FullName;
        File.WriteAllText(Path.Combine(store, "nix-support"), "");
        File.WriteAllText(Path.Combine(store, "disk.qcow2"), "");

        NixBuilder.OutPaths($"[{{\"outputs\":{{\"out\":\"{store}\"}}}}]").ShouldBe([store]);
        NixBuilder.FindImage([store]).ShouldBe(Path.Combine(store, "disk.qcow2"));
        Should.Throw<ImageBuildException>(() => NixBuilder.OutPaths("not json")).Message.ShouldContain("nix build --json");
        File.Delete(Path.Combine(store, "disk.qcow2"));
        Should.Throw<ImageBuildException>(() => NixBuilder.FindImage([store])).Message.ShouldContain("no *.raw");
    }

    [Fact]
    public void Apt_sources_are_read_from_deb822_and_one_line_files()
    {
        var root = _dir.FullName;
        Directory.CreateDirectory(Path.Combine(root, "etc/apt/sources.list.d"));
        File.WriteAllText(Path.Combine(root, "etc/apt/sources.list.d/debian.sources"), """
            Types: deb
            URIs: http://mirror.example/debian/
            Suites: bookworm bookworm-updates
            Components: main

            Types: deb
            URIs: http://mirror.example/debian-security
            Suites: bookworm-security
            Components: main

            Types: deb-src
            URIs: http://src.example/debian
            Suites: bookworm
            """);
        File.WriteAllText(Path.Combine(root, "etc/apt/sources.list"), "# comment\ndeb [arch=amd64] http://old.example/debian trixie main\n");

        AptSources.ForSuite("bookworm", root: root).ShouldBe([
            "deb http://mirror.example/debian bookworm main",
            "deb http://mirror.example/debian bookworm-updates main",
            "deb http://mirror.example/debian-security bookworm-security main"]);
        AptSources.ForSuite("trixie", root: root).ShouldBe(["deb http://old.example/debian trixie main"]);
        AptSources.ForSuite("sid", root: root).ShouldBe(["deb http://old.example/debian sid main"]);
        AptSources.ForSuite("bookworm", "http://given.example/debian/", root).ShouldBe(["deb http://given.example/debian bookworm main"]);
    }

    [Fact]
    public void Cache_key_ignores_package_order_and_changes_with_suite_packages_or_mirror()
    {
        var key = RootfsCache.Key("bookworm", ["a", "b"], ["deb http://m/debian bookworm main"]);

        RootfsCache.Key("bookworm", ["b", "a"], ["deb http://m/debian bookworm main"]).ShouldBe(key);
        RootfsCache.Key("trixie", ["a", "b"], ["deb http://m/debian bookworm main"]).ShouldNotBe(key);
        RootfsCache.Key("bookworm", ["a", "b", "c"], ["deb http://m/debian bookworm main"]).ShouldNotBe(key);
        RootfsCache.Key("bookworm", ["a", "b"], ["deb http://n/debian bookworm main"]).ShouldNotBe(key);
        key.Length.ShouldBe(64);
        RootfsCache.DefaultDirectory(n => n == "XDG_CACHE_HOME" ? "/x" : null).ShouldBe("/x/drover/rootfs");
        RootfsCache.DefaultDirectory(n => n == "HOME" ? "/home/u" : null).ShouldBe("/home/u/.cache/drover/rootfs");
    }

    [Fact]
    public void Extra_files_parse_and_may_not_leave_the_image()
    {
        ExtraFile.Parse("/tmp/key:/etc/foo/id_rsa").ShouldBe(new ExtraFile("/tmp/key", "/etc/foo/id_rsa"));
        Should.Throw<ArgumentException>(() => ExtraFile.Parse("/tmp/key"));
        Should.Throw<ArgumentException>(() => RootfsCustomizer.Resolve("/r", "/../etc/passwd"));
        RootfsCustomizer.Resolve("/r", "/etc/x").ShouldBe("/r/etc/x");
    }
}
