using System.CommandLine;
using System.Globalization;
using Drover.Cli.Output;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;

namespace Drover.Cli.Commands;

/// <summary><c>drover ssh-key list</c>.</summary>
internal static class SshKeyCommands
{
    public static Command Create(CliEnv env)
    {
        var key = new Command("ssh-key", "SSH keys stored in the project");
        var output = Common.Output();
        var selector = Common.Selector();
        var list = new Command("list", "List SSH keys") { output, selector };
        Common.SetHandler(list, env, async (parse, ct) =>
        {
            var sel = Common.ParseSelector(parse.GetValue(selector));
            var client = await env.Connector.ConnectAsync(parse.GetValue(Common.Context), ct);
            var keys = await client.SshKeys.ListAsync(new SshKeyListOptions { LabelSelector = sel }, ct).ToListAsync(ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Json.Write<IReadOnlyList<SshKey>>(env.IO.Out, keys, c => c.IReadOnlyListSshKey);
                return Common.Ok;
            }
            var table = new Table("ID", "NAME", "FINGERPRINT", "AGE", "LABELS");
            foreach (var k in keys)
            {
                table.Add(k.Id.ToString(CultureInfo.InvariantCulture), k.Name, k.Fingerprint, Common.Age(k.Created, env.IO.Time), Common.Labels(k.Labels));
            }
            table.Write(env.IO.Out);
            return Common.Ok;
        });
        key.Subcommands.Add(list);
        return key;
    }
}
