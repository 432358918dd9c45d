using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Drover.Cli.Output;
using Drover.Images.Proxmox;
using Drover.Proxmox;
using Microsoft.Extensions.Logging;

namespace Drover.Cli.Commands;

/// <summary><c>drover proxmox template|vms</c>: Drover images as Proxmox VE templates.</summary>
internal static class ProxmoxCommands
{
    /// <summary>The Proxmox VE endpoint, for every subcommand (else PROXMOX_ENDPOINT, else the local one).</summary>
    private static readonly Option<string?> _endpoint = new("--proxmox-endpoint")
    {
        Description = "Proxmox VE API, https://HOST:8006 (default: PROXMOX_ENDPOINT, else the local Proxmox VE of 'drover local'); "
            + "credentials from PROXMOX_TOKEN (USER@REALM!TOKENID=SECRET) or PROXMOX_USER/PROXMOX_PASSWORD, "
            + "trust from PROXMOX_FINGERPRINT (pinned SHA-256), the system CAs, or PROXMOX_INSECURE=1",
        Recursive = true,
    };

    private static readonly Option<string?> _node = new("--node")
    {
        Description = "The node (default: the cluster's only node)",
        Recursive = true,
    };

    public static Command Create(CliEnv env)
    {
        var proxmox = new Command("proxmox", "Proxmox VE: Drover images as templates (clones boot them with a cloud-init drive the agent reads)");
        proxmox.Options.Add(_endpoint);
        proxmox.Options.Add(_node);
        proxmox.Subcommands.Add(Template(env));
        proxmox.Subcommands.Add(Vms(env));
        return proxmox;
    }

    private static Command Template(CliEnv env)
    {
        var imagePath = new Option<string>("--image-path") { Description = "The disk image: .raw/.img or .qcow2 (a Drover image carries its manifest beside it)", Required = true };
        var manifest = new Option<string?>("--manifest") { Description = "The image's manifest (default: NAME.manifest.json beside it)" };
        var allowUnscanned = new Option<bool>("--allow-unscanned") { Description = "Import an image without a clean secret scan" };
        var vmid = new Option<int?>("--vmid") { Description = "The template's VMID (default: the cluster's next free id)" };
        var name = new Option<string?>("--name") { Description = "The template's name (default: drover-NAME from the file name)" };
        var storage = new Option<string>("--storage") { Description = "Storage the image is uploaded to (needs 'import' content)", DefaultValueFactory = _ => "local" };
        var diskStorage = new Option<string?>("--disk-storage") { Description = "Storage of the template's disk and cloud-init drive (needs 'images' content; default: --storage)" };
        var bridge = new Option<string>("--bridge") { Description = "Bridge of the template's network card", DefaultValueFactory = _ => "vmbr0" };
        var memory = new Option<int>("--memory") { Description = "Memory in MiB", DefaultValueFactory = _ => 1024 };
        var cores = new Option<int>("--cores") { Description = "CPU cores", DefaultValueFactory = _ => 1 };
        var tags = new Option<string[]>("--tag") { Description = "Extra tags (repeatable)", AllowMultipleArgumentsPerToken = true };
        var output = Common.Output();
        var command = new Command("template", """
            Make a Proxmox VE template of a disk image. The image is hashed and, unless a template tagged with its
            digest (drover-digest-<first 16 hex>) exists already, uploaded as import content (once per digest), a VM is
            created that imports it as scsi0 with a serial console, the guest agent, a cloud-init drive (ide2) and a
            virtio NIC, and it is converted to a template. A VM it created is destroyed again on any failure.
            """);
        foreach (var option in new Option[] { imagePath, manifest, allowUnscanned, vmid, name, storage, diskStorage, bridge, memory, cores, tags, output })
        {
            command.Options.Add(option);
        }
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var (client, target) = await env.Proxmox.ConnectAsync(parse.GetValue(_endpoint), parse.GetValue(_node), ct);
            var importer = new ProxmoxTemplateImporter(client, env.Logging.CreateLogger<ProxmoxTemplateImporter>());
            var steps = new Progress<string>(line => env.IO.Error.WriteLine(line));
            var result = await importer.ImportAsync(new ProxmoxTemplateOptions
            {
                ImagePath = parse.GetValue(imagePath)!,
                ManifestPath = parse.GetValue(manifest),
                AllowUnscanned = parse.GetValue(allowUnscanned),
                VmId = parse.GetValue(vmid),
                Name = parse.GetValue(name),
                Node = target.Node.Length == 0 ? null : target.Node,
                ImportStorage = parse.GetValue(storage)!,
                DiskStorage = parse.GetValue(diskStorage),
                Bridge = parse.GetValue(bridge)!,
                Memory = parse.GetValue(memory),
                Cores = parse.GetValue(cores),
                Tags = parse.GetValue(tags) ?? [],
            }, steps, null, ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                await env.IO.Out.WriteLineAsync(JsonSerializer.Serialize(TemplateJson.From(result), ProxmoxJson.Default.TemplateJson));
                return Common.Ok;
            }
            await env.IO.Out.WriteLineAsync($"vmid      {result.VmId.ToString(CultureInfo.InvariantCulture)}");
            await env.IO.Out.WriteLineAsync($"node      {result.Node}");
            await env.IO.Out.WriteLineAsync($"name      {result.Name}");
            await env.IO.Out.WriteLineAsync($"sha256    {result.Digest}");
            await env.IO.Out.WriteLineAsync($"tags      {ProxmoxTags.Format(result.Tags)}");
            await env.IO.Out.WriteLineAsync($"state     {(result.Reused ? "existed (same digest)" : result.Uploaded ? "created (image uploaded)" : "created (image already on the storage)")}");
            return Common.Ok;
        });
        return command;
    }

    private static Command Vms(CliEnv env)
    {
        var output = Common.Output();
        var command = new Command("vms", "List the cluster's VMs and templates with their tags") { output };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var (client, _) = await env.Proxmox.ConnectAsync(parse.GetValue(_endpoint), parse.GetValue(_node), ct);
            var vms = (await client.Cluster.ListVmsAsync(ct)).OrderBy(v => v.VmId).ToList();
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                var rows = vms.Select(v => new VmJson(v.VmId ?? 0, v.Name, v.Node, v.Status, v.Template == true, v.TagList)).ToList();
                await env.IO.Out.WriteLineAsync(JsonSerializer.Serialize<IReadOnlyList<VmJson>>(rows, ProxmoxJson.Default.IReadOnlyListVmJson));
                return Common.Ok;
            }
            var table = new Table("VMID", "NAME", "NODE", "STATUS", "TEMPLATE", "TAGS");
            foreach (var v in vms)
            {
                table.Add((v.VmId ?? 0).ToString(CultureInfo.InvariantCulture), v.Name, v.Node, v.Status, v.Template == true ? "yes" : "no", ProxmoxTags.Format(v.TagList));
            }
            table.Write(env.IO.Out);
            return Common.Ok;
        });
        return command;
    }
}

internal sealed record TemplateJson(int Vmid, string Node, string Name, string Sha256, string ImportVolume, bool Reused, bool Uploaded, IReadOnlyList<string> Tags)
{
    public static TemplateJson From(ProxmoxTemplateResult r) => new(r.VmId, r.Node, r.Name, r.Digest, r.ImportVolume, r.Reused, r.Uploaded, r.Tags);
}

internal sealed record VmJson(int Vmid, string? Name, string? Node, string? Status, bool Template, IReadOnlyList<string> Tags);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(TemplateJson))]
[JsonSerializable(typeof(IReadOnlyList<VmJson>))]
internal sealed partial class ProxmoxJson : JsonSerializerContext;
