using System.CommandLine;
using System.Diagnostics;
using Drover.Cli.Output;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;

namespace Drover.Cli.Commands;

/// <summary>
/// <c>drover demo</c>: a tour of the local cloud — start it, upload a throwaway SSH key, create a server and wait
/// for it, list images and servers, then clean up (unless <c>--keep</c>). Always runs on the 'local' context.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliEnv env)
    {
        var keep = new Option<bool>("--keep") { Description = "Leave the demo server and key in place" };
        var command = new Command("demo", "Tour the local cloud: start it, create a key and a server, list images, clean up") { keep };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var steps = new List<(string Step, TimeSpan Took)>();
            var err = env.IO.Error;
            async Task<T> Step<T>(string name, Func<Task<T>> work)
            {
                await err.WriteLineAsync($"==> {name}");
                var sw = Stopwatch.StartNew();
                var result = await work();
                steps.Add((name, sw.Elapsed));
                return result;
            }

            var status = await Step("start the local cloud", () => env.Local.UpAsync(ct));
            await err.WriteLineAsync($"    endpoint {status.Endpoint}");
            var client = await env.Connector.ConnectAsync("local", ct);
            var run = DroverLabels.NewRunId();
            var labels = new Dictionary<string, string> { [DroverLabels.CreatedBy] = "drover-demo", [DroverLabels.Run] = run };
            SshKey? publicKey = null;
            Server? server = null;
            long? serverId = null;
            try
            {
                publicKey = await Step("generate and upload an SSH key", async () =>
                {
                    var key = await SshKeygen.GenerateAsync($"drover-demo-{run}", ct);
                    return await client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = $"drover-demo-{run}", PublicKey = key, Labels = labels }, ct);
                });
                server = await Step("create a server and wait until it runs", async () =>
                {
                    var created = await client.Servers.CreateAsync(new CreateServerRequest
                    {
                        Name = $"demo-{run}",
                        ServerType = "cx23",
                        Image = "ubuntu-24.04",
                        Location = "fsn1",
                        SshKeys = [publicKey.Id],
                        Labels = labels,
                        UserData = "#cloud-config\nhostname: demo\n",
                    }, ct);
                    serverId = created.Server.Id;
                    await client.Actions.WaitAsync([created.Action, .. created.NextActions], new Progress<CloudAction>(a => err.WriteLine($"    {a.Command}: {a.Status} {a.Progress}%")), ct);
                    return (await client.Servers.GetAsync(created.Server.Id, ct))!;
                });
                var images = await Step("list system images", () => client.Images.ListAsync(new ImageListOptions { Type = [ImageType.System] }, ct).ToListAsync(ct).AsTask());

                var table = new Table("ID", "NAME", "ARCH", "DESCRIPTION");
                foreach (var i in images)
                {
                    table.Add(i.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), i.Name, i.Architecture.Value, i.Description);
                }
                env.IO.Out.WriteLine("System images:");
                table.Write(env.IO.Out);
                env.IO.Out.WriteLine();
                env.IO.Out.WriteLine($"Server {server.Name} (id {server.Id}) is {server.Status}: {server.ServerType.Name} in {server.Location.Name}, IPv4 {server.PublicNet.Ipv4?.Ip}, IPv6 {server.PublicNet.Ipv6?.Ip}");
            }
            finally
            {
                // Also on failure or Ctrl-C: the tour leaves nothing behind unless --keep.
                if (!parse.GetValue(keep) && (serverId is not null || publicKey is not null))
                {
                    using var cleanup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                    await Step("delete the server and the key", async () =>
                    {
                        if (serverId is { } id)
                        {
                            await client.Actions.WaitAsync([await client.Servers.DeleteAsync(id, cleanup.Token)], null, cleanup.Token);
                        }
                        if (publicKey is not null)
                        {
                            await client.SshKeys.DeleteAsync(publicKey.Id, cleanup.Token);
                        }
                        return 0;
                    });
                }
            }
            env.IO.Out.WriteLine();
            var summary = new Table("STEP", "TIME");
            foreach (var (step, took) in steps)
            {
                summary.Add(step, $"{took.TotalSeconds:0.00} s");
            }
            summary.Write(env.IO.Out);
            return Common.Ok;
        });
        return command;
    }
}
