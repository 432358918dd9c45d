using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Drover.Cli.Output;
using Drover.Fleet.Remote;

namespace Drover.Cli.Commands;

/// <summary><c>drover secrets sync --host H</c>.</summary>
internal static class SecretsCommand
{
    public static Command Create(CliEnv env)
    {
        var secrets = new Command("secrets", "Deliver hosts' encrypted secrets");
        var host = new Option<string[]>("--host") { Description = "The host(s) to sync (repeatable)", Required = true };
        var target = FleetRemoteOptions.TargetHost();
        var port = FleetRemoteOptions.Port();
        var output = Common.Output();
        var sync = new Command("sync", """
            Copy a host's encrypted secrets bundle (the files under secrets/<host>/ next to the fleet file) to its
            secrets_path on the host (default /var/lib/drover/secrets). Drover never decrypts them. Every file is checked
            by sha256 on the host before the new bundle is swapped in atomically (the path is a symlink to the current
            version, replaced with one rename), so readers never see a half-written bundle.
            """)
        { FleetCommon.ConfigOption, host, target, port, output };
        Common.SetHandler(sync, env, async (parse, ct) =>
        {
            var fleet = FleetCommon.Load(parse, env);
            var results = new List<SecretsSyncResult>();
            foreach (var name in parse.GetValue(host)!)
            {
                var spec = FleetRemoteOptions.FindHost(fleet, name);
                var connection = await TargetResolver.ResolveAsync(fleet, spec, parse.GetValue(target),
                    c => env.Connector.ConnectAsync(parse.GetValue(Common.Context), c), parse.GetValue(port), ct);
                await env.IO.Error.WriteLineAsync($"==> {spec.Name}: syncing {SecretsSync.BundleDirectory(fleet, spec.Name)} to {connection}:{spec.SecretsPath}");
                try
                {
                    results.Add(await SecretsSync.SyncAsync(fleet, spec, connection, env.Paths.KnownHostsFile, ct));
                }
                catch (SecretsSyncException e)
                {
                    await env.IO.Error.WriteLineAsync($"error: {spec.Name}: {e.Message}");
                    return Common.Failure;
                }
            }
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                BootstrapCommand.WriteJson(env.IO.Out, new JsonArray([.. results.Select(r => (JsonNode)new JsonObject
                {
                    ["host"] = r.Host,
                    ["target"] = r.Target,
                    ["path"] = r.RemotePath,
                    ["sha256"] = r.BundleSha256,
                    ["files"] = new JsonArray([.. r.Files.Select(f => (JsonNode)new JsonObject { ["path"] = f.RelativePath, ["size"] = f.Size, ["sha256"] = f.Sha256 })]),
                })]));
                return Common.Ok;
            }
            var table = new Table("HOST", "TARGET", "PATH", "FILES", "BYTES", "SHA256");
            foreach (var r in results)
            {
                table.Add(r.Host, r.Target, r.RemotePath, r.Files.Count.ToString(CultureInfo.InvariantCulture), r.Files.Sum(f => f.Size).ToString(CultureInfo.InvariantCulture), r.BundleSha256[..16]);
            }
            table.Write(env.IO.Out);
            return Common.Ok;
        });
        secrets.Subcommands.Add(sync);
        return secrets;
    }
}
