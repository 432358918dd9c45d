using System.Globalization;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace Drover.CloudInit;

/// <summary>The <c>#cloud-config</c> built from the settings when there are no templates.</summary>
internal static class StructuredConfig
{
    public const string SourceName = "cloud-config";
    public const string BootstrapUnit = "drover-bootstrap.service";
    public const string BootstrapUnitPath = "/etc/systemd/system/" + BootstrapUnit;
    public const string BootstrapScriptPath = "/etc/drover/bootstrap.sh";
    public const string BootstrapMarker = "/var/lib/drover/bootstrap.done";
    public const string FlakeTargetPath = "/etc/nix-flake-target";
    public const string NetworkFilePath = "/etc/systemd/network/10-drover-static.network";

    /// <summary>The top-level key drover-agent reads (<c>drover: {flake: REF, converge: CMD, impure: true}</c>).</summary>
    public const string DroverKey = "drover";

    public static string Render(UserDataInput input)
    {
        var root = new YamlMappingNode
        {
            { "hostname", YamlText.Str(input.Hostname) },
        };
        if (!string.IsNullOrEmpty(input.Domain))
        {
            root.Add("fqdn", YamlText.Str($"{input.Hostname}.{input.Domain}"));
        }

        root.Add("manage_etc_hosts", YamlText.Bool(true));

        if (!string.IsNullOrEmpty(input.AdminUser))
        {
            var user = new YamlMappingNode
            {
                { "name", YamlText.Str(input.AdminUser) },
                { "sudo", YamlText.Str("ALL=(ALL) NOPASSWD:ALL") },
                { "shell", YamlText.Str("/bin/bash") },
                { "lock_passwd", YamlText.Bool(true) },
            };
            if (input.AdminGroups.Count > 0)
            {
                user.Add("groups", YamlText.Str(string.Join(",", input.AdminGroups)));
            }

            if (input.SshAuthorizedKeys.Count > 0)
            {
                user.Add("ssh_authorized_keys", YamlText.StrList(input.SshAuthorizedKeys));
            }

            root.Add("users", new YamlSequenceNode(user));
        }
        else if (input.SshAuthorizedKeys.Count > 0)
        {
            // No admin user: the keys go to the image's default user.
            root.Add("ssh_authorized_keys", YamlText.StrList(input.SshAuthorizedKeys));
        }

        var files = new YamlSequenceNode();
        if (!string.IsNullOrEmpty(input.FlakeRef))
        {
            files.Add(File(FlakeTargetPath, input.FlakeRef + "\n", "0644"));
        }

        if (input.Network is { } network)
        {
            files.Add(File(NetworkFilePath, NetworkdFile(network), "0644"));
        }

        if (!string.IsNullOrEmpty(input.ConvergeCommand))
        {
            files.Add(File(BootstrapScriptPath, BootstrapScript(input.ConvergeCommand), "0755"));
            files.Add(File(BootstrapUnitPath, BootstrapUnitFile(), "0644"));
        }

        if (files.Children.Count > 0)
        {
            root.Add("write_files", files);
        }

        var commands = new YamlSequenceNode();
        if (input.Network is not null)
        {
            commands.Add(Command("systemctl", "try-restart", "systemd-networkd.service"));
        }

        if (!string.IsNullOrEmpty(input.ConvergeCommand))
        {
            commands.Add(Command("systemctl", "daemon-reload"));
            commands.Add(Command("systemctl", "enable", "--now", "--no-block", BootstrapUnit));
        }

        if (commands.Children.Count > 0)
        {
            root.Add("runcmd", commands);
        }

        // For images with drover-agent instead of cloud-init: the same flake and converge command, where the agent looks.
        // cloud-init ignores unknown top-level keys (its schema check accepts them).
        if (!string.IsNullOrEmpty(input.FlakeRef) || !string.IsNullOrEmpty(input.ConvergeCommand) || input.Impure)
        {
            var drover = new YamlMappingNode();
            if (!string.IsNullOrEmpty(input.FlakeRef))
            {
                drover.Add("flake", YamlText.Str(input.FlakeRef));
            }

            if (!string.IsNullOrEmpty(input.ConvergeCommand))
            {
                drover.Add("converge", YamlText.Str(input.ConvergeCommand));
            }

            if (input.Impure)
            {
                drover.Add("impure", YamlText.Bool(true));
            }

            root.Add(DroverKey, drover);
        }

        return "#cloud-config\n" + YamlText.Save(root);
    }

    /// <summary>A systemd-networkd unit for the static address (also understood by NixOS with networkd).</summary>
    internal static string NetworkdFile(StaticNetwork network)
    {
        var text = new StringBuilder()
            .Append("[Match]\n")
            .Append(CultureInfo.InvariantCulture, $"Name={network.Interface}\n")
            .Append('\n')
            .Append("[Network]\n")
            .Append(CultureInfo.InvariantCulture, $"Address={network.Address}/{network.PrefixLength}\n");
        if (!string.IsNullOrEmpty(network.Gateway))
        {
            text.Append(CultureInfo.InvariantCulture, $"Gateway={network.Gateway}\n");
        }

        foreach (var dns in network.DnsServers)
        {
            text.Append(CultureInfo.InvariantCulture, $"DNS={dns}\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// The converge command goes into a script rather than <c>ExecStart=</c>, so neither systemd's quoting
    /// nor its <c>%</c> and <c>$</c> expansion can change it.
    /// </summary>
    private static string BootstrapScript(string convergeCommand) =>
        "#!/bin/sh\n"
        + "# Converge once; drover-bootstrap.service runs this until it succeeds, then never again.\n"
        + "set -e\n"
        + convergeCommand.TrimEnd('\n') + "\n"
        + $"mkdir -p {Path.GetDirectoryName(BootstrapMarker)}\n"
        + $"touch {BootstrapMarker}\n"
        + $"systemctl disable {BootstrapUnit}\n";

    private static string BootstrapUnitFile() =>
        "[Unit]\n"
        + "Description=Drover bootstrap: run the converge command once\n"
        + "Wants=network-online.target\n"
        + "After=network-online.target\n"
        + $"ConditionPathExists=!{BootstrapMarker}\n"
        + "\n"
        + "[Service]\n"
        + "Type=oneshot\n"
        + $"ExecStart=/bin/sh {BootstrapScriptPath}\n"
        + "RemainAfterExit=yes\n"
        + "StandardOutput=journal+console\n"
        + "StandardError=journal+console\n"
        + "\n"
        + "[Install]\n"
        + "WantedBy=multi-user.target\n";

    private static YamlMappingNode File(string path, string content, string permissions) => new()
    {
        { "path", YamlText.Str(path) },
        { "content", content.Contains('\n', StringComparison.Ordinal) ? YamlText.Block(content) : YamlText.Str(content) },
        { "owner", YamlText.Str("root:root") },
        { "permissions", YamlText.Str(permissions) },
    };

    private static YamlSequenceNode Command(params string[] argv) => new(argv.Select(YamlText.Str));
}
