using System.CommandLine;
using Drover.Core.Ssh;
using Drover.Fleet.Config;

namespace Drover.Cli.Commands;

/// <summary><c>drover init</c>: a commented example fleet that bootstraps as it is.</summary>
internal static class InitCommand
{
    public static Command Create(CliEnv env)
    {
        var dir = new Option<string>("--dir") { Description = "Where to write the files (default: the current directory)", HelpName = "DIR", DefaultValueFactory = _ => "." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing drover.yaml and cloud-init/web.yaml (with --nixos: the flake's files)" };
        var nixos = new Option<bool>("--nixos") { Description = "Write a NixOS fleet instead: flake.nix (hosts web1 x86, web2 arm, built on Drover's flake), hosts/*.nix and a drover.yaml that converges from the flake" };
        var droverFlake = new Option<string?>("--drover-flake") { Description = "With --nixos: the flake reference of Drover's own flake (default: path: of the Drover checkout this drover runs from)", HelpName = "REF" };
        var flakeRef = new Option<string?>("--flake-ref") { Description = $"With --nixos: where the servers fetch the fleet's flake (default {NixosStarter.PlaceholderFlakeReference}, to be replaced)", HelpName = "REF" };
        var command = new Command("init", """
            Write an example fleet: a commented drover.yaml (hosts web1, web2 and db1 from system images, so
            'drover bootstrap' works on a fresh cloud), the web hosts' cloud-init template cloud-init/web.yaml, and an
            SSH key pair .drover/id_ed25519 (made with ssh-keygen) that the servers get and updates log in with.

            With --nixos: a NixOS fleet instead, the repository's examples/nixos-fleet (a flake whose hosts import
            drover.nixosModules.default, with packages.SYSTEM."HOST-image" from drover.lib.hcloudImage) and a
            drover.yaml whose hosts converge with 'nixos-rebuild switch --flake REF#HOST --impure' at first boot.

            An existing drover.yaml is left alone unless --force is given; an existing key pair is always kept.
            """)
        { dir, force, nixos, droverFlake, flakeRef };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var root = Path.GetFullPath(parse.GetValue(dir) ?? ".");
            if (parse.GetValue(nixos))
            {
                return await InitNixosAsync(env, root, parse.GetValue(force), parse.GetValue(droverFlake), parse.GetValue(flakeRef), ct);
            }
            var fleetPath = Path.Combine(root, FleetExample.FleetFileName);
            var templatePath = Path.Combine(root, FleetExample.WebTemplatePath);
            var keyPath = Path.Combine(root, FleetExample.IdentityFile);
            if (File.Exists(fleetPath) && !parse.GetValue(force))
            {
                await env.IO.Error.WriteLineAsync($"error: {fleetPath} already exists; use --force to overwrite it");
                return Common.Failure;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(templatePath)!);
            Directory.CreateDirectory(Path.GetDirectoryName(keyPath)!);
            if (!File.Exists(keyPath))
            {
                await SshKeygen.GenerateAsync(keyPath, "drover-fleet", ct);
                await env.IO.Error.WriteLineAsync($"generated {Path.GetRelativePath(root, keyPath)} and {Path.GetRelativePath(root, keyPath)}.pub");
            }
            if (!File.Exists(templatePath) || parse.GetValue(force))
            {
                await File.WriteAllTextAsync(templatePath, FleetExample.WebTemplate, ct);
            }
            await File.WriteAllTextAsync(fleetPath, FleetExample.FleetYaml, ct);
            FleetLoader.Load(fleetPath);
            await env.IO.Out.WriteLineAsync($"""
                wrote {fleetPath}
                wrote {templatePath}

                next:
                  drover host list
                  drover bootstrap --plan
                """);
            return Common.Ok;
        });
        return command;
    }

    private static async Task<int> InitNixosAsync(CliEnv env, string root, bool force, string? droverFlake, string? flakeRef, CancellationToken ct)
    {
        var fleetPath = Path.Combine(root, FleetExample.FleetFileName);
        var flakePath = Path.Combine(root, "flake.nix");
        foreach (var existing in new[] { fleetPath, flakePath }.Where(File.Exists))
        {
            if (!force)
            {
                throw new UsageException($"{existing} already exists; use --force to overwrite it");
            }
        }
        var drover = droverFlake ?? (DroverCheckout() is { } checkout ? "path:" + checkout
            : throw new UsageException("--drover-flake: this drover does not run from a Drover checkout; pass the reference of Drover's flake (e.g. path:/src/drover)"));
        var files = NixosStarter.Files(drover);
        var keyPath = Path.Combine(root, FleetExample.IdentityFile);
        Directory.CreateDirectory(Path.GetDirectoryName(keyPath)!);
        if (!File.Exists(keyPath))
        {
            await SshKeygen.GenerateAsync(keyPath, "drover-fleet", ct);
            await env.IO.Error.WriteLineAsync($"generated {Path.GetRelativePath(root, keyPath)} and {Path.GetRelativePath(root, keyPath)}.pub");
        }
        foreach (var (relative, text) in files)
        {
            var path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, text, ct);
        }
        await File.WriteAllTextAsync(fleetPath, NixosStarter.FleetYaml(flakeRef ?? NixosStarter.PlaceholderFlakeReference), ct);
        FleetLoader.Load(fleetPath);
        await env.IO.Out.WriteLineAsync($"""
            wrote {fleetPath}
            wrote {string.Join(", ", files.Keys.Select(f => Path.Combine(root, f)))} (inputs.drover.url = "{drover}")

            next:
              nix flake lock {root}
              drover image build --builder nix --flake {root} --host web1 --output-dir out
              drover image upload out/web1.raw
              drover bootstrap --plan
            """);
        return Common.Ok;
    }

    /// <summary>The Drover repository this drover was built in (it has flake.nix and Drover.slnx), or null.</summary>
    private static string? DroverCheckout()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Drover.slnx")) && File.Exists(Path.Combine(dir.FullName, "flake.nix")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
