using System.CommandLine;
using System.Globalization;
using Drover.Hcloud;

namespace Drover.Cli.Commands;

/// <summary><c>drover ssh-key list</c>.</summary>
internal static class SshKeyCommands
{
    public static Command Create(CliEnv env)
    {
        var key = new Command("ssh-key", "SSH keys stored in the project");
        key.Subcommands.Add(List(env));
        return key;
    }

    private static Command List(CliEnv env)
        => ListCommand.Create(env, "List SSH keys",
            fetch: (client, selector, _, ct) => client.SshKeys.ListAsync(new SshKeyListOptions { LabelSelector = selector }, ct),
            columns:
            [
                new("ID", k => k.Id.ToString(CultureInfo.InvariantCulture)),
                new("NAME", k => k.Name),
                new("FINGERPRINT", k => k.Fingerprint),
                new("AGE", k => Common.Age(k.Created, env.IO.Time)),
                new("LABELS", k => Common.Labels(k.Labels)),
            ],
            json: c => c.IReadOnlyListSshKey);
}
