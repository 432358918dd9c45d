using System.CommandLine;
using Drover.Agent;

namespace Drover.Cli.Commands;

/// <summary><c>drover agent nixos-module</c> and <c>drover agent unit</c>: the files that ship with the first-boot agent.</summary>
internal static class AgentCommands
{
    public static Command Create(CliEnv env)
    {
        var agent = new Command("agent", """
            The first-boot agent (drover-agent) that images carry: at first boot it reads the metadata service, sets
            hostname, root's SSH keys and systemd-networkd, writes the flake target and runs the converge command once.
            Build it with scripts/publish-agent [linux-x64|linux-arm64] (a self-contained, trimmed single file; one unit
            and one NixOS module serve both architectures).
            """);

        var module = new Command("nixos-module", """
            Print the NixOS module that installs drover-agent as a one-shot service (services.drover-agent.enable,
            .package, .metadataUrl, .networkDirectory), with the instance check before sshd. In a flake, use
            drover.nixosModules.drover-agent (or .default, which adds config.hcloud.* and the image's bootstrap profile)
            from the repository's flake.nix instead of a copy.
            Save it next to your configuration:  drover agent nixos-module > drover-agent.nix
            """);
        Common.SetHandler(module, env, async (_, _) =>
        {
            await env.IO.Out.WriteAsync(AgentFiles.NixosModule);
            return Common.Ok;
        });

        var unit = new Command("unit", $"""
            Print the systemd unit (drover-agent.service) that runs {AgentPaths.Binary} after network-online.target.
            The agent works once per instance: with {AgentPaths.Marker} present for this server it exits at once.
            Install it as /etc/systemd/system/drover-agent.service.
            """);
        Common.SetHandler(unit, env, async (_, _) =>
        {
            await env.IO.Out.WriteAsync(AgentFiles.SystemdUnit);
            return Common.Ok;
        });

        agent.Subcommands.Add(module);
        agent.Subcommands.Add(unit);
        return agent;
    }
}
