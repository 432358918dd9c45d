using System.CommandLine;
using Drover.CloudInit;
using Drover.Fleet;

namespace Drover.Cli.Commands;

/// <summary><c>drover userdata render HOST [--format cloud-config|crossplane|configmap|nocloud] [--provider hetzner|proxmox-bpg]</c>.</summary>
internal static partial class UserDataCommand
{
    public static Command Create(CliEnv env)
    {
        var userdata = new Command("userdata", "Render hosts' cloud-init user-data");
        var host = new Argument<string>("host") { Description = "The host in the fleet file" };
        var format = new Option<string>("--format", "-f")
        {
            Description = "cloud-config (what the server gets), crossplane (an XRD, a Composition for --provider and an XR), configmap (a Kubernetes ConfigMap) or nocloud (a NoCloud seed directory for Proxmox/QEMU; needs --output-dir)",
            DefaultValueFactory = _ => "cloud-config",
        };
        format.AcceptOnlyFromAmong("cloud-config", "crossplane", "configmap", "nocloud");
        var outputDir = new Option<string?>("--output-dir") { Description = "For --format nocloud: the directory to write user-data, meta-data and network-config into" };
        var ns = new Option<string?>("--namespace") { Description = "For --format configmap and crossplane: the Kubernetes namespace (crossplane: of the XR, default 'default')" };
        var provider = new Option<string>("--provider")
        {
            Description = "For --format crossplane: whose managed resources the Composition creates: hetzner (miaits/provider-hetzner Server) or proxmox-bpg (provider-proxmox-bpg EnvironmentFile snippet + EnvironmentVM clone)",
            DefaultValueFactory = _ => "hetzner",
        };
        provider.AcceptOnlyFromAmong("hetzner", "proxmox-bpg");
        var xrdGroup = new Option<string>("--xrd-group")
        {
            Description = "For --format crossplane: the API group of the XDroverHost composite resource",
            DefaultValueFactory = _ => CrossplaneOptions.DefaultGroup,
        };
        var proxmoxNode = new Option<string>("--proxmox-node") { Description = "For --provider proxmox-bpg: the node in the example XR", DefaultValueFactory = _ => "pve" };
        var templateVmId = new Option<int>("--template-vmid") { Description = "For --provider proxmox-bpg: the template to clone in the example XR", DefaultValueFactory = _ => 9000 };
        var snippetStore = new Option<string>("--snippet-datastore") { Description = "For --provider proxmox-bpg: the storage with snippets content for the user-data", DefaultValueFactory = _ => "local" };
        var render = new Command("render", """
            Render a host's user-data: its templates (placeholders ${HOSTNAME} ${DOMAIN} ${ADMIN_USER}
            ${SSH_AUTHORIZED_KEYS} ${FLAKE_REF} ${NETWORK_INTERFACE} ${STATIC_IP} ${CIDR} ${GATEWAY} ${DNS_SERVERS} and the
            host's variables), or without templates a cloud-config from its settings (admin user, hostname, flake target,
            a one-shot bootstrap unit). Several parts become MIME multipart; the 32 KiB limit is checked.
            --format crossplane writes one YAML stream: an XRD (apiextensions.crossplane.io/v2, namespaced XDroverHost with
            the placeholder set and the provider's fields), a Composition (Pipeline: function-patch-and-transform, then
            function-auto-ready) with the real provider's managed resources, and an XR for the host from the fleet file.
            """)
        { host, FleetCommon.ConfigOption, format, outputDir, ns, provider, xrdGroup, proxmoxNode, templateVmId, snippetStore };
        Common.SetHandler(render, env, async (parse, ct) =>
        {
            var fleet = FleetCommon.Load(parse, env);
            var spec = FleetRemoteOptions.FindHost(fleet, parse.GetValue(host)!);
            var data = HostUserData.Render(fleet, spec);
            switch (parse.GetValue(format))
            {
                case "crossplane":
                    if (!XrdGroupRegex().IsMatch(parse.GetValue(xrdGroup)!))
                    {
                        throw new UsageException($"--xrd-group '{parse.GetValue(xrdGroup)}' is not an API group (a lowercase DNS name with at least one dot, e.g. platform.example.org)");
                    }

                    var options = new CrossplaneOptions
                    {
                        Provider = parse.GetValue(provider) == "proxmox-bpg" ? CrossplaneProvider.ProxmoxBpg : CrossplaneProvider.Hetzner,
                        Group = parse.GetValue(xrdGroup)!,
                        Namespace = parse.GetValue(ns) ?? "default",
                        Fleet = fleet.Name,
                        ProxmoxNode = parse.GetValue(proxmoxNode)!,
                        TemplateVmId = parse.GetValue(templateVmId),
                        SnippetDatastore = parse.GetValue(snippetStore)!,
                        ServerType = spec.ServerType,
                        Location = spec.Location,
                        Image = spec.Image.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? spec.Image.ImageName ?? spec.Image.Name,
                        HetznerSshKeys = [.. fleet.Defaults.SshKeys.Select(k => k.Name)],
                    };
                    await env.IO.Out.WriteAsync(CrossplaneComposition.Render(HostUserData.Build(fleet, spec), data, options));
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

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$")]
    private static partial System.Text.RegularExpressions.Regex XrdGroupRegex();
}
