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
        var force = new Option<bool>("--force") { Description = "Overwrite an existing drover.yaml and cloud-init/web.yaml" };
        var command = new Command("init", """
            Write an example fleet: a commented drover.yaml (hosts web1, web2 and db1 from system images, so
            'drover bootstrap' works on a fresh cloud), the web hosts' cloud-init template cloud-init/web.yaml, and an
            SSH key pair .drover/id_ed25519 (made with ssh-keygen) that the servers get and updates log in with.

            An existing drover.yaml is left alone unless --force is given; an existing key pair is always kept.
            """)
        { dir, force };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var root = Path.GetFullPath(parse.GetValue(dir) ?? ".");
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
}
