namespace Drover.Agent;

/// <summary>The files shipped with the agent: its systemd unit and a NixOS module (embedded, so the CLI can print them).</summary>
public static class AgentFiles
{
    public const string UnitName = "drover-agent.service";

    /// <summary>The systemd unit the image builder installs as <c>/etc/systemd/system/drover-agent.service</c>.</summary>
    public static string SystemdUnit => Read(UnitName);

    /// <summary>A NixOS module that installs the agent and exposes <c>config.hcloud.*</c>.</summary>
    public static string NixosModule => Read("nixos-module.nix");

    private static string Read(string name)
    {
        using var stream = typeof(AgentFiles).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} is missing from {typeof(AgentFiles).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
