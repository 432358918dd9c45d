using System.CommandLine;
using Drover.CloudInit;
using Drover.Fleet;

namespace Drover.Cli.Commands;

/// <summary><c>drover userdata render HOST [--format cloud-config|crossplane|configmap|nocloud]</c>.</summary>
internal static class UserDataCommand
{
    public static Command Create(CliEnv env)
    {
        var userdata = new Command("userdata", "Render hosts' cloud-init user-data");
        var host = new Argument<string>("host") { Description = "The host in the fleet file" };
        var format = new Option<string>("--format", "-f")
        {
            Description = "cloud-config (what the server gets), crossplane (a Composition patch), configmap (a Kubernetes ConfigMap) or nocloud (a NoCloud seed directory for Proxmox/QEMU; needs --output-dir)",
            DefaultValueFactory = _ => "cloud-config",
        };
        format.AcceptOnlyFromAmong("cloud-config", "crossplane", "configmap", "nocloud");
        var outputDir = new Option<string?>("--output-dir") { Description = "For --format nocloud: the directory to write user-data, meta-data and network-config into" };
        var ns = new Option<string?>("--namespace") { Description = "For --format configmap: the Kubernetes namespace" };
        var render = new Command("render", """
            Render a host's user-data: its templates (placeholders ${HOSTNAME} ${DOMAIN} ${ADMIN_USER}
            ${SSH_AUTHORIZED_KEYS} ${FLAKE_REF} ${NETWORK_INTERFACE} ${STATIC_IP} ${CIDR} ${GATEWAY} ${DNS_SERVERS} and the
            host's variables), or without templates a cloud-config from its settings (admin user, hostname, flake target,
            a one-shot bootstrap unit). Several parts become MIME multipart; the 32 KiB limit is checked.
            """)
        { host, FleetCommon.ConfigOption, format, outputDir, ns };
        Common.SetHandler(render, env, async (parse, ct) =>
        {
            var fleet = FleetCommon.Load(parse, env);
            var spec = FleetRemoteOptions.FindHost(fleet, parse.GetValue(host)!);
            var data = HostUserData.Render(fleet, spec);
            switch (parse.GetValue(format))
            {
                case "crossplane":
                    await env.IO.Out.WriteAsync(UserDataFormats.ToCrossplanePatch(spec.Name, data));
                    break;
                case "configmap":
                    await env.IO.Out.WriteAsync(UserDataFormats.ToConfigMap(spec.Name, data, parse.GetValue(ns)));
                    break;
                case "nocloud":
                    var dir = parse.GetValue(outputDir) ?? throw new UsageException("--format nocloud writes a directory: give --output-dir DIR");
                    UserDataFormats.WriteNoCloudSeed(dir, HostUserData.Build(fleet, spec), data, $"{fleet.Name}-{spec.Name}");
                    await env.IO.Error.WriteLineAsync($"wrote the NoCloud seed for {spec.Name} to {dir}");
                    break;
                default:
                    await env.IO.Out.WriteAsync(data.Content);
                    break;
            }
            await env.IO.Error.WriteLineAsync($"{data.Bytes} bytes of 32768, {data.Parts.Count} part(s)");
            return Common.Ok;
        });
        userdata.Subcommands.Add(render);
        return userdata;
    }
}
