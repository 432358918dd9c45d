using System.CommandLine;
using Drover.Cli.Output;
using Drover.Hcloud.Contracts;
using Drover.Images.Upload;
using Microsoft.Extensions.Logging;

namespace Drover.Cli.Commands;

/// <summary><c>drover image write --server NAME</c>: write an image onto an existing server's disk through rescue, then boot it.</summary>
internal static class ImageWriteCommand
{
    public static Command Create(CliEnv env)
    {
        var server = new Option<string>("--server") { Description = "Server name or ID", Required = true };
        var source = new ImageSourceOptions();
        var command = new Command("write", """
            Write an image onto an existing server's disk through its rescue system, then boot it from that disk (the
            disk's data is replaced). The same image options and checks as 'drover image upload': the expected sha256,
            the manifest's secret scan, the read-back pass and the deadline.
            """)
        { server };
        source.AddTo(command);
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var options = source.Read(parse);
            var (client, runs) = await env.Connector.ConnectWithRunsAsync(parse.GetValue(Common.Context), ct);
            var reference = IdOrName.Parse(parse.GetValue(server)!);
            var target = (reference.Id is { } id ? await client.Servers.GetAsync(id, ct) : await client.Servers.GetByNameAsync(reference.Name!, ct))
                ?? throw new UsageException($"server not found: {reference}");
            var progress = new ProgressRenderer(env.IO.Error, env.IO.ErrorIsTerminal);
            try
            {
                await new ImageUploader(client, env.Logging.CreateLogger<ImageUploader>(), runs: runs).WriteToServerAsync(target.Id, options, progress, ct);
            }
            finally
            {
                progress.EndLine();
            }
            await env.IO.Error.WriteLineAsync($"server {target.Name} now boots the written image");
            return Common.Ok;
        });
        return command;
    }
}
