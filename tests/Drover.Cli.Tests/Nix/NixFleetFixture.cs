using System.Text.Json;
using Drover.Testing;
using Xunit;

namespace Drover.Cli.Tests.Nix;

/// <summary>
/// One <see cref="NixWorkspace"/> for all Nix tests of this project, with the probe flake (<c>Nix/probe</c>) beside the
/// example fleet, and the evaluations the tests share made once: both hosts of the example (units, hcloud values,
/// toplevel derivations) in one <c>nix eval</c>, both images' derivations in another.
/// </summary>
public sealed class NixFleetFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private JsonElement? _hosts;
    private JsonElement? _images;

    public NixWorkspace? Workspace { get; private set; }

    public string? SkipReason { get; private set; }

    /// <summary>The probe flake's copy.</summary>
    public string Probe => Path.Combine(Workspace!.Root, "probe");

    public async ValueTask InitializeAsync()
    {
        (Workspace, SkipReason) = await NixWorkspace.CreateAsync();
        if (Workspace is null)
        {
            return;
        }
        var source = Path.Combine(NixWorkspace.RepositoryRoot, "tests", "Drover.Cli.Tests", "Nix", "probe");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Probe, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        await using (var disk = File.Create(Path.Combine(Probe, "disk.raw")))
        {
            disk.SetLength(1 << 20); // replaced by the fake-image test with a real disk before it builds
        }
        await Workspace.LockAsync(Probe);
    }

    /// <summary>Skips the test, with the reason, where Nix or the snapshot is missing.</summary>
    public NixWorkspace Require()
    {
        if (Workspace is null)
        {
            Assert.Skip(SkipReason ?? "no Nix workspace");
        }
        return Workspace;
    }

    /// <summary>Per host of the example: what the tests check, from one pure evaluation.</summary>
    public Task<JsonElement> HostsAsync() => OnceAsync(() => _hosts, v => _hosts = v, ws => ws.EvalJsonAsync(ws.Fleet, "nixosConfigurations", """
        cs: builtins.mapAttrs (name: c: {
          system = c.pkgs.stdenv.hostPlatform.system;
          hostName = c.config.networking.hostName;
          hcloud = c.config.hcloud;
          agentUnit = c.config.systemd.units."drover-agent.service".text;
          checkUnit = c.config.systemd.units."drover-agent-instance-check.service".text;
          sshdWantedBy = c.config.systemd.services.sshd.wantedBy;
          agentEnv = c.config.environment.etc."drover/agent.env".text;
          grubDevice = c.config.boot.loader.grub.device;
          efi = c.config.boot.loader.grub.efiSupport;
          growPartition = c.config.boot.growPartition;
          rootAutoResize = c.config.fileSystems."/".autoResize;
          toplevel = c.config.system.build.toplevel.drvPath;
        }) cs
        """));

    /// <summary>Every image output's derivation, from one evaluation.</summary>
    public Task<JsonElement> ImagesAsync() => OnceAsync(() => _images, v => _images = v, ws => ws.EvalJsonAsync(ws.Fleet, "packages",
        "ps: builtins.mapAttrs (system: builtins.mapAttrs (name: p: p.drvPath)) ps"));

    public ValueTask DisposeAsync() => Workspace?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task<JsonElement> OnceAsync(Func<JsonElement?> get, Action<JsonElement> set, Func<NixWorkspace, Task<JsonElement>> evaluate)
    {
        var workspace = Require();
        await _gate.WaitAsync();
        try
        {
            if (get() is not { } value)
            {
                value = await evaluate(workspace);
                set(value);
            }
            return value;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>The collection the Nix tests of this project share their workspace in.</summary>
[CollectionDefinition(Name)]
public sealed class NixCollection : ICollectionFixture<NixFleetFixture>
{
    public const string Name = "nix";
}
